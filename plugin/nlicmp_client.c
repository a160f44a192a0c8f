// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_client: talk to the netlink_icmp module (see nlicmp_client.h).
 *
 * libnl builds requests, resolves the family and validates attributes
 * against policies. Datagrams are read here rather than with
 * nl_recvmsgs(): an overrun (ENOBUFS) must reach the caller as such (libnl
 * maps it to NLE_NOMEM, indistinguishable from a failed malloc), events
 * and acks interleave on the event socket, and a datagram's size is
 * peeked first so a message larger than any preset buffer is never cut.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nlicmp_client.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Datagrams one nlicmp_receive call reads at most, so that a flood cannot
 * keep a caller inside it for ever.
 */
#define RECEIVE_BATCH		64
/* Events kept while waiting for a REGISTER/UNREGISTER ack. */
#define PENDING_MAX		256
#define EXTACK_MAX		256

struct chan {
	struct nl_sock *sk;
	int fd;
	uint32_t portid;
	unsigned char *buf;
	size_t cap;
};

struct pending {
	struct pending *next;
	size_t len;
	unsigned char data[];
};

struct nlicmp_client {
	int family;
	struct chan req;	/* ECHO, GET_STATS */
	struct chan evt;	/* REGISTER, UNREGISTER, EVENT */
	bool registered;
	uint32_t last_seq;	/* last A_SEQ seen, 0 = none since REGISTER */
	struct pending *pend_head;
	struct pending **pend_tail;
	unsigned int npending;
	bool pend_overrun;	/* events lost while waiting for an ack */
};

static __thread char tls_extack[EXTACK_MAX];

/* ------------------------------------------------------------------ */
/* Errors                                                              */

int nlicmp_nlerr_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_SUCCESS:		return 0;
	case NLE_INTR:			return -EINTR;
	case NLE_BAD_SOCK:		return -EBADF;
	case NLE_AGAIN:			return -EAGAIN;
	case NLE_NOMEM:			return -ENOMEM;
	case NLE_EXIST:			return -EEXIST;
	case NLE_INVAL:			return -EINVAL;
	case NLE_RANGE:			return -ERANGE;
	case NLE_MSGSIZE:		return -EMSGSIZE;
	case NLE_OPNOTSUPP:		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:		return -ENOENT;
	case NLE_NOATTR:
	case NLE_MISSING_ATTR:
	case NLE_MSG_OVERFLOW:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_PARSE_ERR:
	case NLE_ATTRSIZE:		return -EBADMSG;
	case NLE_AF_MISMATCH:		return -EAFNOSUPPORT;
	case NLE_SEQ_MISMATCH:		return -EILSEQ;
	case NLE_NOADDR:		return -EADDRNOTAVAIL;
	case NLE_SRCRT_NOSUPPORT:
	case NLE_MSGTYPE_NOSUPPORT:	return -EOPNOTSUPP;
	case NLE_OBJ_MISMATCH:		return -EINVAL;
	case NLE_BUSY:			return -EBUSY;
	case NLE_PROTO_MISMATCH:	return -EPROTONOSUPPORT;
	case NLE_NOACCESS:		return -EACCES;
	case NLE_PERM:			return -EPERM;
	case NLE_NODEV:			return -ENODEV;
	case NLE_IMMUTABLE:		return -EROFS;
	case NLE_DUMP_INTR:		return -EINTR;
	default:			return -EIO;
	}
}

const char *nlicmp_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case NLICMP_E_NOMODULE:
		return "netlink_icmp module not loaded (modprobe netlink_icmp)";
	case EPERM:
	case EACCES:
		return "permission denied: REGISTER needs CAP_NET_ADMIN (run as root)";
	case EEXIST:
		return "this socket is already a registered listener";
	case ENOSPC:
		return "too many listeners (module parameter max_listeners)";
	case ENOENT:
		return "not a registered listener";
	case ENOBUFS:
		return "event socket overrun: events were lost (enlarge the receive buffer)";
	case EBADMSG:
		return "malformed message from the kernel";
	case ETIMEDOUT:
		return "no answer from the netlink_icmp module (timed out)";
	case ESHUTDOWN:
		return "the netlink_icmp module is being unloaded";
	case EINVAL:
		return "invalid request (rejected by the kernel)";
	default:
		return strerror(err);
	}
}

const char *nlicmp_extack(void)
{
	return tls_extack;
}

/* ------------------------------------------------------------------ */
/* Pure parsers                                                        */

static const struct nla_policy top_policy[NLICMP_A_MAX + 1] = {
	[NLICMP_A_ECHO_TEXT]	= { .type = NLA_STRING },
	[NLICMP_A_VERSION]	= { .type = NLA_STRING },
	[NLICMP_A_SEQ]		= { .type = NLA_U32, .maxlen = 4 },
	[NLICMP_A_FLUSH]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_A_RECORD]	= { .type = NLA_NESTED },
	[NLICMP_A_STATS]	= { .type = NLA_NESTED },
	[NLICMP_A_LISTENER]	= { .type = NLA_NESTED },
};

static const struct nla_policy rec_policy[NLICMP_R_MAX + 1] = {
	[NLICMP_R_FAMILY]	= { .type = NLA_U8, .maxlen = 1 },
	[NLICMP_R_SRC]		= { .type = NLA_UNSPEC, .minlen = 4,
				    .maxlen = 16 },
	[NLICMP_R_DST]		= { .type = NLA_UNSPEC, .minlen = 4,
				    .maxlen = 16 },
	[NLICMP_R_TYPE]		= { .type = NLA_U8, .maxlen = 1 },
	[NLICMP_R_CODE]		= { .type = NLA_U8, .maxlen = 1 },
	[NLICMP_R_PACKETS]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_R_BYTES]	= { .type = NLA_U64, .maxlen = 8 },
};

static const struct nla_policy stat_policy[NLICMP_S_MAX + 1] = {
	[NLICMP_S_SEEN]		= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_S_MALFORMED]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_S_UNATTRIBUTED]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_S_NOMEM]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_S_ENTRIES]	= { .type = NLA_U32, .maxlen = 4 },
	[NLICMP_S_MAX_ENTRIES]	= { .type = NLA_U32, .maxlen = 4 },
	[NLICMP_S_LISTENERS]	= { .type = NLA_U32, .maxlen = 4 },
	[NLICMP_S_MAX_LISTENERS] = { .type = NLA_U32, .maxlen = 4 },
	[NLICMP_S_FLUSHES]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_S_FLUSH_MS]	= { .type = NLA_U32, .maxlen = 4 },
};

static const struct nla_policy lsn_policy[NLICMP_L_MAX + 1] = {
	[NLICMP_L_PORTID]	= { .type = NLA_U32, .maxlen = 4 },
	[NLICMP_L_DELIVERED]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_L_UNDELIVERED]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_L_QUEUE_FULL]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_L_NOMEM]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_L_MESSAGES]	= { .type = NLA_U64, .maxlen = 8 },
	[NLICMP_L_MESSAGES_LOST] = { .type = NLA_U64, .maxlen = 8 },
};

/*
 * nla_parse() stops quietly at an attribute that runs past the end and
 * ignores leftover bytes; a truncated message must be an error instead.
 */
static bool attrs_complete(const struct nlattr *head, int len)
{
	const struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, head, len, rem)
		;
	return rem <= 0;
}

static uint64_t get_u64(const struct nlattr *nla)
{
	return nla ? nla_get_u64(nla) : 0;
}

static uint32_t get_u32(const struct nlattr *nla)
{
	return nla ? nla_get_u32(nla) : 0;
}

/* Check the netlink and genetlink headers; return the attribute stream. */
static int genl_attrs(const struct nlmsghdr *nlh, size_t len, int family_id,
		      uint8_t cmd, struct nlattr **head, int *attrlen)
{
	const struct genlmsghdr *gnlh;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
	    nlh->nlmsg_len > len)
		return -EBADMSG;
	if (family_id > 0 && nlh->nlmsg_type != family_id)
		return -EBADMSG;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != cmd)
		return -EBADMSG;
	*head = (struct nlattr *)((char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN);
	*attrlen = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	if (!attrs_complete(*head, *attrlen))
		return -EBADMSG;
	return 0;
}

static int parse_top(const struct nlmsghdr *nlh, size_t len, int family_id,
		     uint8_t cmd, struct nlattr **tb, struct nlattr **head,
		     int *attrlen)
{
	int err;

	err = genl_attrs(nlh, len, family_id, cmd, head, attrlen);
	if (err < 0)
		return err;
	if (nla_parse(tb, NLICMP_A_MAX, *head, *attrlen, top_policy) < 0)
		return -EBADMSG;
	return 0;
}

static int parse_nested(struct nlattr **tb, int maxtype, struct nlattr *nla,
			const struct nla_policy *policy)
{
	if (!attrs_complete(nla_data(nla), nla_len(nla)))
		return -EBADMSG;
	if (nla_parse_nested(tb, maxtype, nla, policy) < 0)
		return -EBADMSG;
	return 0;
}

static int parse_listener(struct nlattr *nla, struct nlicmp_listener *l)
{
	struct nlattr *tb[NLICMP_L_MAX + 1];
	int err;

	err = parse_nested(tb, NLICMP_L_MAX, nla, lsn_policy);
	if (err < 0)
		return err;
	if (!tb[NLICMP_L_PORTID])
		return -EBADMSG;
	l->portid = nla_get_u32(tb[NLICMP_L_PORTID]);
	l->delivered = get_u64(tb[NLICMP_L_DELIVERED]);
	l->undelivered = get_u64(tb[NLICMP_L_UNDELIVERED]);
	l->queue_full = get_u64(tb[NLICMP_L_QUEUE_FULL]);
	l->nomem = get_u64(tb[NLICMP_L_NOMEM]);
	l->messages = get_u64(tb[NLICMP_L_MESSAGES]);
	l->messages_lost = get_u64(tb[NLICMP_L_MESSAGES_LOST]);
	return 0;
}

static int parse_record(struct nlattr *nla, struct nlicmp_record *rec)
{
	struct nlattr *tb[NLICMP_R_MAX + 1];
	size_t alen;
	int err;

	err = parse_nested(tb, NLICMP_R_MAX, nla, rec_policy);
	if (err < 0)
		return err;
	memset(rec, 0, sizeof(*rec));
	if (!tb[NLICMP_R_FAMILY] || !tb[NLICMP_R_PACKETS] ||
	    !tb[NLICMP_R_BYTES])
		return -EBADMSG;
	rec->family = nla_get_u8(tb[NLICMP_R_FAMILY]);
	if (rec->family == AF_INET)
		alen = 4;
	else if (rec->family == AF_INET6)
		alen = 16;
	else
		return -EBADMSG;
	/* A source without a destination (or the reverse) is no key. */
	if (!tb[NLICMP_R_SRC] != !tb[NLICMP_R_DST])
		return -EBADMSG;
	if (tb[NLICMP_R_SRC]) {
		if ((size_t)nla_len(tb[NLICMP_R_SRC]) != alen ||
		    (size_t)nla_len(tb[NLICMP_R_DST]) != alen)
			return -EBADMSG;
		memcpy(rec->src, nla_data(tb[NLICMP_R_SRC]), alen);
		memcpy(rec->dst, nla_data(tb[NLICMP_R_DST]), alen);
		rec->has_src = true;
	}
	if (tb[NLICMP_R_TYPE]) {
		rec->type = nla_get_u8(tb[NLICMP_R_TYPE]);
		rec->has_type = true;
	}
	if (tb[NLICMP_R_CODE]) {
		rec->code = nla_get_u8(tb[NLICMP_R_CODE]);
		rec->has_code = true;
	}
	/* An attributed record is keyed by its code too. */
	if (rec->has_src && rec->has_type && !rec->has_code)
		return -EBADMSG;
	rec->packets = nla_get_u64(tb[NLICMP_R_PACKETS]);
	rec->bytes = nla_get_u64(tb[NLICMP_R_BYTES]);
	return 0;
}

int nlicmp_parse_event(const struct nlmsghdr *nlh, size_t len, int family_id,
		       const struct nlicmp_event_ops *ops, void *arg,
		       struct nlicmp_event_info *info)
{
	struct nlattr *tb[NLICMP_A_MAX + 1];
	struct nlicmp_record rec;
	struct nlattr *head, *nla;
	int attrlen, rem, err;

	memset(info, 0, sizeof(*info));
	err = parse_top(nlh, len, family_id, NLICMP_CMD_EVENT, tb, &head,
			&attrlen);
	if (err < 0)
		return err;
	if (!tb[NLICMP_A_SEQ] || !tb[NLICMP_A_FLUSH])
		return -EBADMSG;
	info->seq = nla_get_u32(tb[NLICMP_A_SEQ]);
	info->flush = nla_get_u64(tb[NLICMP_A_FLUSH]);
	if (tb[NLICMP_A_LISTENER]) {
		err = parse_listener(tb[NLICMP_A_LISTENER], &info->listener);
		if (err < 0)
			return err;
		info->has_listener = true;
	}

	/* Validate every record before handing out any, so that a bad
	 * message is dropped whole rather than half counted.
	 */
	nla_for_each_attr(nla, head, attrlen, rem) {
		if (nla_type(nla) != NLICMP_A_RECORD)
			continue;
		err = parse_record(nla, &rec);
		if (err < 0)
			return err;
		info->nrecords++;
	}

	if (!ops)
		return 0;
	if (ops->message) {
		err = ops->message(info, arg);
		if (err < 0)
			return err;
	}
	if (!ops->record)
		return 0;
	nla_for_each_attr(nla, head, attrlen, rem) {
		if (nla_type(nla) != NLICMP_A_RECORD)
			continue;
		parse_record(nla, &rec);
		err = ops->record(info, &rec, arg);
		if (err < 0)
			return err;
	}
	return 0;
}

void nlicmp_stats_free(struct nlicmp_stats *stats)
{
	if (!stats)
		return;
	free(stats->listener);
	stats->listener = NULL;
	stats->nlisteners = 0;
}

int nlicmp_parse_stats(const struct nlmsghdr *nlh, size_t len, int family_id,
		       struct nlicmp_stats *stats)
{
	struct nlattr *tb[NLICMP_A_MAX + 1];
	struct nlattr *st[NLICMP_S_MAX + 1];
	struct nlattr *head, *nla;
	unsigned int n = 0;
	int attrlen, rem, err, i;

	memset(stats, 0, sizeof(*stats));
	err = parse_top(nlh, len, family_id, NLICMP_CMD_GET_STATS, tb, &head,
			&attrlen);
	if (err < 0)
		return err;
	if (!tb[NLICMP_A_STATS])
		return -EBADMSG;
	err = parse_nested(st, NLICMP_S_MAX, tb[NLICMP_A_STATS], stat_policy);
	if (err < 0)
		return err;
	for (i = NLICMP_S_SEEN; i <= NLICMP_S_MAX && i < 32; i++)
		if (st[i])
			stats->present |= 1u << i;
	stats->seen = get_u64(st[NLICMP_S_SEEN]);
	stats->malformed = get_u64(st[NLICMP_S_MALFORMED]);
	stats->unattributed = get_u64(st[NLICMP_S_UNATTRIBUTED]);
	stats->nomem = get_u64(st[NLICMP_S_NOMEM]);
	stats->entries = get_u32(st[NLICMP_S_ENTRIES]);
	stats->max_entries = get_u32(st[NLICMP_S_MAX_ENTRIES]);
	stats->listeners = get_u32(st[NLICMP_S_LISTENERS]);
	stats->max_listeners = get_u32(st[NLICMP_S_MAX_LISTENERS]);
	stats->flushes = get_u64(st[NLICMP_S_FLUSHES]);
	stats->flush_ms = get_u32(st[NLICMP_S_FLUSH_MS]);

	nla_for_each_attr(nla, head, attrlen, rem)
		if (nla_type(nla) == NLICMP_A_LISTENER)
			n++;
	if (n == 0)
		return 0;
	stats->listener = calloc(n, sizeof(*stats->listener));
	if (!stats->listener)
		return -ENOMEM;
	nla_for_each_attr(nla, head, attrlen, rem) {
		if (nla_type(nla) != NLICMP_A_LISTENER)
			continue;
		err = parse_listener(nla, &stats->listener[stats->nlisteners]);
		if (err < 0) {
			nlicmp_stats_free(stats);
			return err;
		}
		stats->nlisteners++;
	}
	return 0;
}

int nlicmp_parse_echo(const struct nlmsghdr *nlh, size_t len, int family_id,
		      char *reply, size_t replylen, char *version,
		      size_t versionlen)
{
	struct nlattr *tb[NLICMP_A_MAX + 1];
	struct nlattr *head;
	int attrlen, err;

	err = parse_top(nlh, len, family_id, NLICMP_CMD_ECHO, tb, &head,
			&attrlen);
	if (err < 0)
		return err;
	if (!tb[NLICMP_A_ECHO_TEXT])
		return -EBADMSG;
	if (reply && replylen)
		nla_strlcpy(reply, tb[NLICMP_A_ECHO_TEXT], replylen);
	if (version && versionlen) {
		if (tb[NLICMP_A_VERSION])
			nla_strlcpy(version, tb[NLICMP_A_VERSION], versionlen);
		else
			version[0] = '\0';
	}
	return 0;
}

int nlicmp_parse_error(const struct nlmsghdr *nlh, size_t len, int *error,
		       char *msg, size_t msglen)
{
	static const struct nla_policy ext_policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *e;
	size_t off;

	if (msg && msglen)
		msg[0] = '\0';
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
		return -EBADMSG;
	e = nlmsg_data(nlh);
	/* The kernel sends -errno; anything else is not an error report. */
	if (e->error > 0 || e->error < -4095)
		return -EBADMSG;
	*error = e->error;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !msg || !msglen)
		return 0;
	/* The TLVs follow the echoed request, which is capped to its header
	 * with NETLINK_CAP_ACK or for an ack.
	 */
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	if (off >= nlh->nlmsg_len)
		return 0;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), ext_policy) < 0)
		return 0;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(msg, tb[NLMSGERR_ATTR_MSG], msglen);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sockets                                                             */

static int resolve_family(struct nl_sock *sk)
{
	struct nl_sock *tmp = NULL;
	int id, err;

	if (!sk) {
		tmp = nl_socket_alloc();
		if (!tmp)
			return -ENOMEM;
		err = genl_connect(tmp);
		if (err < 0) {
			nl_socket_free(tmp);
			return nlicmp_nlerr_to_errno(err);
		}
		sk = tmp;
	}
	id = genl_ctrl_resolve(sk, NLICMP_GENL_NAME);
	if (tmp)
		nl_socket_free(tmp);
	if (id == -NLE_OBJ_NOTFOUND)
		return -NLICMP_E_NOMODULE;
	if (id < 0)
		return nlicmp_nlerr_to_errno(id);
	return id;
}

/*
 * The kernel answers ENOENT both for an unknown family id and for
 * "not registered": ask the controller which one it is.
 */
static int check_enoent(struct nlicmp_client *c, int err)
{
	int id;

	if (err != -ENOENT)
		return err;
	id = resolve_family(NULL);
	if (id == -NLICMP_E_NOMODULE || (id > 0 && id != c->family))
		return -NLICMP_E_NOMODULE;
	return err;
}

static int chan_open(struct chan *ch)
{
	int one = 1, err;

	ch->sk = nl_socket_alloc();
	if (!ch->sk)
		return -ENOMEM;
	/* Acks and errors are matched by hand (see the file comment). */
	nl_socket_disable_seq_check(ch->sk);
	err = genl_connect(ch->sk);
	if (err < 0)
		return nlicmp_nlerr_to_errno(err);
	ch->fd = nl_socket_get_fd(ch->sk);
	ch->portid = nl_socket_get_local_port(ch->sk);
	/* Best effort: kernels before 4.12 have no extended ack. */
	setsockopt(ch->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(ch->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	ch->cap = 16384;
	ch->buf = malloc(ch->cap);
	if (!ch->buf)
		return -ENOMEM;
	return 0;
}

static void chan_close(struct chan *ch)
{
	if (ch->sk)
		nl_socket_free(ch->sk);
	free(ch->buf);
	memset(ch, 0, sizeof(*ch));
}

static int set_rcvbuf(int fd, size_t size)
{
	int val = size > (size_t)(1 << 30) ? 1 << 30 : (int)size;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &val, sizeof(val)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) == 0)
		return 0;
	return -errno;
}

/*
 * Read one datagram into ch->buf, peeking at its size first. Returns its
 * length or a negative errno (-EAGAIN when nothing is queued).
 */
static ssize_t chan_recv(struct chan *ch)
{
	ssize_t n;

	for (;;) {
		n = recv(ch->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > ch->cap) {
			unsigned char *nb = realloc(ch->buf, (size_t)n);

			if (!nb)
				return -ENOMEM;
			ch->buf = nb;
			ch->cap = (size_t)n;
		}
		n = recv(ch->fd, ch->buf, ch->cap, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		return n;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for input; 1 readable, 0 timeout, negative errno. */
static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	/* POLLERR without POLLIN is a pending socket error (an overrun):
	 * the next recv reports it.
	 */
	if (n > 0 && (pfd.revents & POLLNVAL))
		return -EBADF;
	return n > 0;
}

static bool is_event(const struct nlicmp_client *c, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *gnlh;

	if (nlh->nlmsg_type != c->family ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return false;
	gnlh = nlmsg_data(nlh);
	return gnlh->cmd == NLICMP_CMD_EVENT;
}

static void pending_add(struct nlicmp_client *c, const struct nlmsghdr *nlh)
{
	struct pending *p;

	if (c->npending >= PENDING_MAX) {
		c->pend_overrun = true;
		return;
	}
	p = malloc(sizeof(*p) + nlh->nlmsg_len);
	if (!p) {
		c->pend_overrun = true;
		return;
	}
	p->next = NULL;
	p->len = nlh->nlmsg_len;
	memcpy(p->data, nlh, nlh->nlmsg_len);
	*c->pend_tail = p;
	c->pend_tail = &p->next;
	c->npending++;
}

static struct pending *pending_pop(struct nlicmp_client *c)
{
	struct pending *p = c->pend_head;

	if (!p)
		return NULL;
	c->pend_head = p->next;
	if (!c->pend_head)
		c->pend_tail = &c->pend_head;
	c->npending--;
	return p;
}

typedef int (*reply_fn)(const struct nlmsghdr *nlh, size_t len, void *arg);

/*
 * Send cmd on ch and read until the kernel acks it (or reports an error),
 * passing replies of the same command to fn. On the event socket, events
 * that arrive meanwhile are kept for nlicmp_receive.
 */
static int transact(struct nlicmp_client *c, struct chan *ch, uint8_t cmd,
		    const char *text, reply_fn fn, void *arg)
{
	struct nl_msg *msg;
	int64_t deadline;
	uint32_t seq;
	int err, result = 0;

	tls_extack[0] = '\0';
	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0,
			 NLM_F_ACK, cmd, NLICMP_GENL_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	if (text && nla_put_string(msg, NLICMP_A_ECHO_TEXT, text) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	err = nl_send_auto(ch->sk, msg);
	seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (err < 0)
		return nlicmp_nlerr_to_errno(err);

	deadline = now_ms() + NLICMP_REQUEST_TIMEOUT_MS;
	for (;;) {
		const struct nlmsghdr *nlh;
		int64_t left = deadline - now_ms();
		ssize_t n;
		int rem;

		if (left <= 0)
			return -ETIMEDOUT;
		err = wait_readable(ch->fd, (int)left);
		if (err == -EINTR)
			continue;
		if (err < 0)
			return err;
		if (err == 0)
			return -ETIMEDOUT;
		n = chan_recv(ch);
		if (n == -EAGAIN)
			continue;
		if (n == -ENOBUFS) {
			/* Only events can overflow a socket that waits for
			 * a single answer.
			 */
			if (ch == &c->evt)
				c->pend_overrun = true;
			continue;
		}
		if (n < 0)
			return (int)n;

		rem = (int)n;
		for (nlh = (const struct nlmsghdr *)ch->buf; nlmsg_ok(nlh, rem);
		     nlh = nlmsg_next((struct nlmsghdr *)nlh, &rem)) {
			if (ch == &c->evt && is_event(c, nlh)) {
				pending_add(c, nlh);
				continue;
			}
			if (nlh->nlmsg_seq != seq)
				continue;	/* answer to a timed-out request */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				int e;

				err = nlicmp_parse_error(nlh, (size_t)rem, &e,
							 tls_extack,
							 sizeof(tls_extack));
				if (err < 0)
					return err;
				if (e == 0)
					tls_extack[0] = '\0';
				return e < 0 ? check_enoent(c, e) : result;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return result;
			if (nlh->nlmsg_type == c->family && fn && result == 0)
				result = fn(nlh, (size_t)rem, arg);
		}
	}
}

int nlicmp_open_with_family(struct nlicmp_client **clientp, size_t rcvbuf,
			    int family_id)
{
	struct nlicmp_client *c;
	int err;

	*clientp = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pend_tail = &c->pend_head;

	err = chan_open(&c->req);
	if (err < 0)
		goto fail;
	if (family_id <= 0) {
		err = resolve_family(c->req.sk);
		if (err < 0)
			goto fail;
		family_id = err;
	}
	c->family = family_id;
	err = chan_open(&c->evt);
	if (err < 0)
		goto fail;
	err = set_rcvbuf(c->evt.fd, rcvbuf ? rcvbuf : NLICMP_DEFAULT_RCVBUF);
	if (err < 0)
		goto fail;
	*clientp = c;
	return 0;
fail:
	nlicmp_close(c);
	return err;
}

int nlicmp_open(struct nlicmp_client **clientp, size_t rcvbuf)
{
	return nlicmp_open_with_family(clientp, rcvbuf, 0);
}

void nlicmp_close(struct nlicmp_client *c)
{
	struct pending *p;

	if (!c)
		return;
	while ((p = pending_pop(c)))
		free(p);
	chan_close(&c->evt);
	chan_close(&c->req);
	free(c);
}

int nlicmp_family_id(const struct nlicmp_client *c)
{
	return c->family;
}

uint32_t nlicmp_event_portid(const struct nlicmp_client *c)
{
	return c->evt.portid;
}

int nlicmp_event_fd(const struct nlicmp_client *c)
{
	return c->evt.fd;
}

struct echo_out {
	char *reply;
	size_t replylen;
	char *version;
	size_t versionlen;
};

static int echo_reply(const struct nlmsghdr *nlh, size_t len, void *arg)
{
	struct echo_out *o = arg;

	return nlicmp_parse_echo(nlh, len, 0, o->reply, o->replylen,
				 o->version, o->versionlen);
}

int nlicmp_echo(struct nlicmp_client *c, const char *text, char *reply,
		size_t replylen, char *version, size_t versionlen)
{
	struct echo_out o = { reply, replylen, version, versionlen };

	if (!text || strlen(text) >= NLICMP_ECHO_MAX)
		return -EINVAL;
	if (reply && replylen)
		reply[0] = '\0';
	if (version && versionlen)
		version[0] = '\0';
	return transact(c, &c->req, NLICMP_CMD_ECHO, text, echo_reply, &o);
}

static int stats_reply(const struct nlmsghdr *nlh, size_t len, void *arg)
{
	struct nlicmp_stats *stats = arg;

	nlicmp_stats_free(stats);
	return nlicmp_parse_stats(nlh, len, 0, stats);
}

int nlicmp_get_stats(struct nlicmp_client *c, struct nlicmp_stats *stats)
{
	int err;

	memset(stats, 0, sizeof(*stats));
	err = transact(c, &c->req, NLICMP_CMD_GET_STATS, NULL, stats_reply,
		       stats);
	if (err < 0)
		nlicmp_stats_free(stats);
	return err;
}

int nlicmp_register(struct nlicmp_client *c)
{
	struct pending *p;
	int err;

	if (c->registered)
		return -EEXIST;
	/* Events left from an earlier registration would break the new
	 * sequence, which starts again at 1.
	 */
	while ((p = pending_pop(c)))
		free(p);
	for (;;) {
		ssize_t n = chan_recv(&c->evt);

		if (n < 0 && n != -ENOBUFS)
			break;
	}
	c->pend_overrun = false;

	err = transact(c, &c->evt, NLICMP_CMD_REGISTER, NULL, NULL, NULL);
	if (err < 0)
		return err;
	c->registered = true;
	c->last_seq = 0;
	return 0;
}

int nlicmp_check_family(struct nlicmp_client *c)
{
	/* A socket of its own: the request socket checks no sequence
	 * numbers, and a late reply left on it would pass for the answer.
	 */
	int id = resolve_family(NULL);

	if (id == -NLICMP_E_NOMODULE || (id > 0 && id != c->family))
		return -NLICMP_E_NOMODULE;
	return id < 0 ? id : 0;
}

int nlicmp_unregister(struct nlicmp_client *c)
{
	int err;

	/* After a module reload the old id may name another family now:
	 * our registration is gone with the old module anyway.
	 */
	err = nlicmp_check_family(c);
	if (err == -NLICMP_E_NOMODULE) {
		c->registered = false;
		return err;
	}
	err = transact(c, &c->evt, NLICMP_CMD_UNREGISTER, NULL, NULL, NULL);
	if (err == 0 || err == -ENOENT || err == -NLICMP_E_NOMODULE)
		c->registered = false;
	return err;
}

struct recv_ctx {
	struct nlicmp_client *c;
	const struct nlicmp_event_ops *ops;
	void *arg;
};

static int recv_message(struct nlicmp_event_info *info, void *arg)
{
	struct recv_ctx *x = arg;
	uint32_t gap = info->seq - x->c->last_seq - 1;

	/* Netlink keeps order, so a step back is a restart, not a gap. */
	info->missed = gap < 0x80000000u ? gap : 0;
	x->c->last_seq = info->seq;
	return x->ops && x->ops->message ? x->ops->message(info, x->arg) : 0;
}

static int recv_record(const struct nlicmp_event_info *info,
		       const struct nlicmp_record *rec, void *arg)
{
	struct recv_ctx *x = arg;

	return x->ops && x->ops->record ? x->ops->record(info, rec, x->arg) : 0;
}

static const struct nlicmp_event_ops recv_ops = {
	.message = recv_message,
	.record = recv_record,
};

static int handle_event(struct recv_ctx *x, const struct nlmsghdr *nlh,
			size_t len)
{
	struct nlicmp_event_info info;

	return nlicmp_parse_event(nlh, len, x->c->family, &recv_ops, x, &info);
}

int nlicmp_receive(struct nlicmp_client *c, int timeout_ms,
		   const struct nlicmp_event_ops *ops, void *arg)
{
	struct recv_ctx x = { c, ops, arg };
	struct pending *p;
	bool bad = false;
	int handled = 0, err, i;

	while ((p = pending_pop(c))) {
		err = handle_event(&x, (const struct nlmsghdr *)p->data, p->len);
		free(p);
		if (err == -EBADMSG)
			bad = true;
		else if (err < 0)
			return err;
		else
			handled++;
	}
	if (c->pend_overrun) {
		c->pend_overrun = false;
		return -ENOBUFS;
	}
	if (handled || bad)
		timeout_ms = 0;

	err = wait_readable(c->evt.fd, timeout_ms);
	if (err < 0)
		return handled ? handled : err;
	if (err == 0)
		return bad ? -EBADMSG : handled;

	for (i = 0; i < RECEIVE_BATCH; i++) {
		const struct nlmsghdr *nlh;
		ssize_t n = chan_recv(&c->evt);
		int rem;

		if (n == -EAGAIN)
			break;
		if (n < 0)
			return (int)n;
		rem = (int)n;
		for (nlh = (const struct nlmsghdr *)c->evt.buf;
		     nlmsg_ok(nlh, rem);
		     nlh = nlmsg_next((struct nlmsghdr *)nlh, &rem)) {
			/* Acks of timed-out requests, NOOPs: not events. */
			if (nlh->nlmsg_type != c->family)
				continue;
			err = handle_event(&x, nlh, (size_t)rem);
			if (err == -EBADMSG)
				bad = true;
			else if (err < 0)
				return err;
			else
				handled++;
		}
	}
	return bad ? -EBADMSG : handled;
}
