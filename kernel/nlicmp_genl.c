// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: the Generic Netlink family (include/netlink_icmp.h):
 * requests ECHO, REGISTER, UNREGISTER, GET_STATS, and the EVENT messages
 * the flush unicasts to listeners.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "nlicmp.h"

#define NLICMP_ECHO_PREFIX	NLICMP_GENL_NAME " " NLICMP_RELEASE ": "

static struct genl_family nlicmp_family;

static const struct nla_policy nlicmp_echo_policy[NLICMP_A_MAX + 1] = {
	[NLICMP_A_ECHO_TEXT]	= { .type = NLA_NUL_STRING,
				    .len = NLICMP_ECHO_MAX - 1 },
};

/* Commands without attributes: strict validation rejects every one. */
static const struct nla_policy nlicmp_empty_policy[NLICMP_A_MAX + 1] = {};

static int nlicmp_cmd_echo(struct sk_buff *skb, struct genl_info *info)
{
	const char *text;
	struct sk_buff *msg;
	struct nlattr *attr;
	size_t len;
	void *hdr;

	if (GENL_REQ_ATTR_CHECK(info, NLICMP_A_ECHO_TEXT)) {
		GENL_SET_ERR_MSG(info, "ECHO needs NLICMP_A_ECHO_TEXT");
		return -EINVAL;
	}
	text = nla_data(info->attrs[NLICMP_A_ECHO_TEXT]);
	len = sizeof(NLICMP_ECHO_PREFIX) + strlen(text);

	msg = genlmsg_new(nla_total_size(len) +
			  nla_total_size(sizeof(NLICMP_RELEASE)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nlicmp_family, 0, NLICMP_CMD_ECHO);
	if (!hdr)
		goto nospace;
	attr = nla_reserve(msg, NLICMP_A_ECHO_TEXT, len);
	if (!attr)
		goto nospace;
	snprintf(nla_data(attr), len, "%s%s", NLICMP_ECHO_PREFIX, text);
	if (nla_put_string(msg, NLICMP_A_VERSION, NLICMP_RELEASE))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * An op's permission flag is fixed at build time, and this rule depends
 * on a module parameter, so it is checked here: the flag
 * (GENL_UNS_ADMIN_PERM) is the floor, and unless userns_listeners is set
 * CAP_NET_ADMIN is needed in the initial user namespace as well.
 */
static int nlicmp_may_listen(struct sk_buff *skb, struct genl_info *info)
{
	if (nlicmp_userns_listeners || netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG_MOD(info->extack,
			   "needs CAP_NET_ADMIN in the initial user namespace (userns_listeners=0)");
	return -EPERM;
}

static int nlicmp_cmd_register(struct sk_buff *skb, struct genl_info *info)
{
	int err = nlicmp_may_listen(skb, info);

	if (err)
		return err;
	return nlicmp_listener_add(nlicmp_pernet(genl_info_net(info)),
				   NETLINK_CB(skb).sk, info->snd_portid,
				   info->extack);
}

static int nlicmp_cmd_unregister(struct sk_buff *skb, struct genl_info *info)
{
	int err = nlicmp_may_listen(skb, info);

	if (err)
		return err;
	return nlicmp_listener_del(nlicmp_pernet(genl_info_net(info)),
				   NETLINK_CB(skb).sk, info->extack);
}

static size_t nlicmp_listener_size(void)
{
	return nla_total_size(nla_total_size(sizeof(u32)) +
			      6 * nla_total_size_64bit(sizeof(u64)));
}

static int nlicmp_put_listener(struct sk_buff *msg,
			       const struct nlicmp_lsn_stats *l)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, NLICMP_A_LISTENER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, NLICMP_L_PORTID, l->portid) ||
	    nla_put_u64_64bit(msg, NLICMP_L_DELIVERED, l->delivered,
			      NLICMP_L_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_L_UNDELIVERED,
			      l->queue_full + l->nomem, NLICMP_L_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_L_QUEUE_FULL, l->queue_full,
			      NLICMP_L_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_L_NOMEM, l->nomem, NLICMP_L_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_L_MESSAGES, l->messages,
			      NLICMP_L_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_L_MESSAGES_LOST, l->messages_lost,
			      NLICMP_L_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static size_t nlicmp_stats_size(void)
{
	return nla_total_size(6 * nla_total_size_64bit(sizeof(u64)) +
			      5 * nla_total_size(sizeof(u32)));
}

static int nlicmp_put_stats(struct sk_buff *msg, struct nlicmp_net *ns)
{
	struct nlicmp_totals t;
	struct nlattr *nest;

	nlicmp_sum_totals(ns, &t);
	nest = nla_nest_start(msg, NLICMP_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	/* Read without ns->lock: each value is whole, not all of one instant. */
	if (nla_put_u64_64bit(msg, NLICMP_S_SEEN, t.seen, NLICMP_S_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_S_MALFORMED, t.malformed,
			      NLICMP_S_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_S_UNATTRIBUTED, t.unattr,
			      NLICMP_S_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_S_NOMEM, t.nomem, NLICMP_S_PAD) ||
	    nla_put_u32(msg, NLICMP_S_ENTRIES, atomic_read(&ns->n_entries)) ||
	    nla_put_u32(msg, NLICMP_S_MAX_ENTRIES, ns->max_entries) ||
	    nla_put_u32(msg, NLICMP_S_LISTENERS, READ_ONCE(ns->n_listeners)) ||
	    nla_put_u32(msg, NLICMP_S_MAX_LISTENERS, ns->max_listeners) ||
	    nla_put_u64_64bit(msg, NLICMP_S_FLUSHES, atomic64_read(&ns->flushes),
			      NLICMP_S_PAD) ||
	    nla_put_u32(msg, NLICMP_S_FLUSH_MS, nlicmp_flush_ms)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* Listeners under RCU: -EMSGSIZE when more registered since @msg was sized. */
static int nlicmp_put_listeners(struct sk_buff *msg, struct nlicmp_net *ns)
{
	struct nlicmp_listener *l;
	struct nlicmp_lsn_stats st;
	int err = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(l, &ns->listeners, node) {
		nlicmp_listener_stats(l, &st);
		err = nlicmp_put_listener(msg, &st);
		if (err)
			break;
	}
	rcu_read_unlock();
	return err;
}

/*
 * Never waits for a flush: totals are O(CPUs) per-CPU sums, listeners are
 * read under RCU. Listeners (port ids, counters) are shown only to callers
 * with CAP_NET_ADMIN over the namespace, who can see its sockets anyway.
 */
static int nlicmp_cmd_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlicmp_net *ns = nlicmp_pernet(net);
	bool admin = netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN);
	unsigned int n, tries = 0;
	struct sk_buff *msg;
	void *hdr;

again:
	/* Room for a few registering meanwhile; else measure again. */
	n = admin ? READ_ONCE(ns->n_listeners) + 4 : 0;
	msg = genlmsg_new(nlicmp_stats_size() + n * nlicmp_listener_size(),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nlicmp_family, 0,
				NLICMP_CMD_GET_STATS);
	if (!hdr || nlicmp_put_stats(msg, ns))
		goto nospace;
	if (admin && nlicmp_put_listeners(msg, ns)) {
		nlmsg_free(msg);
		if (++tries < 3)
			goto again;
		NL_SET_ERR_MSG_MOD(info->extack,
				   "listeners kept changing, try again");
		return -EAGAIN;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Upper bound of one record's attribute bytes in an EVENT. */
size_t nlicmp_record_size(const struct nlicmp_record *rec)
{
	size_t alen = rec->fam == NLICMP_FAM_V4 ? sizeof(__be32) :
						  sizeof(struct in6_addr);
	size_t size = nla_total_size(sizeof(u8)) +		/* FAMILY */
		      2 * nla_total_size_64bit(sizeof(u64));	/* PACKETS, BYTES */

	if (rec->kind != NLICMP_REC_MALFORMED)
		size += nla_total_size(sizeof(u8));		/* TYPE */
	if (rec->kind == NLICMP_REC_ENTRY)
		size += 2 * nla_total_size(alen) +		/* SRC, DST */
			nla_total_size(sizeof(u8));		/* CODE */
	return nla_total_size(size);
}

static size_t nlicmp_event_head_size(void)
{
	return nla_total_size(sizeof(u32)) +			/* SEQ */
	       nla_total_size_64bit(sizeof(u64)) +		/* FLUSH */
	       nlicmp_listener_size();
}

/* Record bytes an EVENT can carry and still fit in NLMSG_GOODSIZE. */
size_t nlicmp_event_budget(void)
{
	return NLMSG_DEFAULT_SIZE - GENL_HDRLEN - nlicmp_event_head_size();
}

static int nlicmp_put_record(struct sk_buff *msg,
			     const struct nlicmp_record *rec)
{
	int alen = rec->fam == NLICMP_FAM_V4 ? sizeof(__be32) :
					       sizeof(struct in6_addr);
	u8 family = rec->fam == NLICMP_FAM_V4 ? AF_INET : AF_INET6;
	struct nlattr *nest;

	nest = nla_nest_start(msg, NLICMP_A_RECORD);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(msg, NLICMP_R_FAMILY, family))
		goto cancel;
	if (rec->kind == NLICMP_REC_ENTRY &&
	    (nla_put(msg, NLICMP_R_SRC, alen, &rec->src) ||
	     nla_put(msg, NLICMP_R_DST, alen, &rec->dst)))
		goto cancel;
	if (rec->kind != NLICMP_REC_MALFORMED &&
	    nla_put_u8(msg, NLICMP_R_TYPE, rec->type))
		goto cancel;
	if (rec->kind == NLICMP_REC_ENTRY &&
	    nla_put_u8(msg, NLICMP_R_CODE, rec->code))
		goto cancel;
	if (nla_put_u64_64bit(msg, NLICMP_R_PACKETS, rec->packets,
			      NLICMP_R_PAD) ||
	    nla_put_u64_64bit(msg, NLICMP_R_BYTES, rec->bytes, NLICMP_R_PAD))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static struct sk_buff *nlicmp_build_event(struct nlicmp_net *ns,
					  struct nlicmp_listener *l,
					  const struct nlicmp_batch *b)
{
	struct nlicmp_lsn_stats st;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;

	nlicmp_listener_stats(l, &st);
	msg = genlmsg_new(nlicmp_event_head_size() + b->size,
			  GFP_KERNEL | __GFP_NOWARN);
	if (!msg)
		return NULL;
	hdr = genlmsg_put(msg, 0, 0, &nlicmp_family, 0, NLICMP_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, NLICMP_A_SEQ, l->seq) ||
	    nla_put_u64_64bit(msg, NLICMP_A_FLUSH,
			      atomic64_read(&ns->flushes), NLICMP_A_PAD) ||
	    nlicmp_put_listener(msg, &st))
		goto free;
	for (i = 0; i < b->n; i++)
		if (nlicmp_put_record(msg, &b->rec[i]))
			goto free;
	genlmsg_end(msg, hdr);
	return msg;

free:
	/* Sized from the same formulas: only a bug gets here. */
	nlmsg_free(msg);
	return NULL;
}

/*
 * ns->lock held: the flush is the only writer. It runs in process context,
 * so preemption is disabled by hand: on 32-bit kernels a GET_STATS reader
 * that preempted it would otherwise spin on the odd sequence count.
 */
static void nlicmp_listener_count(struct nlicmp_listener *l, u64_stats_t *c,
				  u64 packets, bool sent)
{
	preempt_disable();
	u64_stats_update_begin(&l->syncp);
	u64_stats_add(c, packets);
	u64_stats_inc(sent ? &l->messages : &l->messages_lost);
	u64_stats_update_end(&l->syncp);
	preempt_enable();
}

/*
 * One EVENT to one listener, never blocking, and only to the socket that
 * registered: it is queued on the held socket itself, not sent by port id
 * (netlink_release() frees the port id before NETLINK_URELEASE, and a
 * process looping bind() may take it in between). What a closing socket
 * gets is purged with it. Every outcome is accounted in the listener's
 * counters. ns->lock held.
 */
void nlicmp_genl_send_event(struct nlicmp_net *ns, struct nlicmp_listener *l,
			    const struct nlicmp_batch *b)
{
	struct sk_buff *msg;
	int err;

	if (nlicmp_listener_gone(l))
		return;
	l->seq++;
	/*
	 * sock_queue_rcv_skb()'s own test and drop count, before the message
	 * is built: a listener that stopped reading costs no allocation per
	 * flush.
	 */
	if (atomic_read(&l->sk->sk_rmem_alloc) >= READ_ONCE(l->sk->sk_rcvbuf)) {
		atomic_inc(&l->sk->sk_drops);
		nlicmp_listener_count(l, &l->queue_full, b->packets, false);
		return;
	}
	msg = nlicmp_build_event(ns, l, b);
	if (!msg) {
		nlicmp_listener_count(l, &l->nomem, b->packets, false);
		return;
	}
	/*
	 * As netlink_unicast() would: the socket's filter, then its receive
	 * buffer; not the nlmon taps. A full buffer (or the listener's own
	 * filter) refuses it: counted as queue_full.
	 */
	err = sock_queue_rcv_skb(l->sk, msg);
	if (!err) {
		nlicmp_listener_count(l, &l->delivered, b->packets, true);
		return;
	}
	kfree_skb(msg);
	nlicmp_listener_count(l, &l->queue_full, b->packets, false);
}

/*
 * REGISTER and UNREGISTER need CAP_NET_ADMIN in the initial user
 * namespace (nlicmp_may_listen()), or, with userns_listeners=1, only in
 * the user namespace that owns the caller's network namespace
 * (GENL_UNS_ADMIN_PERM): a listener only ever sees the traffic of its own
 * network namespace, which that namespace's admin can already capture,
 * and the cost is bounded by the per-namespace and global budgets. ECHO
 * and GET_STATS are open to all; GET_STATS shows listeners to admins only.
 */
static const struct genl_ops nlicmp_genl_ops[] = {
	{
		.cmd		= NLICMP_CMD_ECHO,
		.doit		= nlicmp_cmd_echo,
		.policy		= nlicmp_echo_policy,
		.maxattr	= NLICMP_A_MAX,
	},
	{
		.cmd		= NLICMP_CMD_REGISTER,
		.flags		= GENL_UNS_ADMIN_PERM,
		.doit		= nlicmp_cmd_register,
		.policy		= nlicmp_empty_policy,
		.maxattr	= NLICMP_A_MAX,
	},
	{
		.cmd		= NLICMP_CMD_UNREGISTER,
		.flags		= GENL_UNS_ADMIN_PERM,
		.doit		= nlicmp_cmd_unregister,
		.policy		= nlicmp_empty_policy,
		.maxattr	= NLICMP_A_MAX,
	},
	{
		.cmd		= NLICMP_CMD_GET_STATS,
		.doit		= nlicmp_cmd_get_stats,
		.policy		= nlicmp_empty_policy,
		.maxattr	= NLICMP_A_MAX,
	},
};

static struct genl_family nlicmp_family __ro_after_init = {
	.name		= NLICMP_GENL_NAME,
	.version	= NLICMP_GENL_VERSION,
	.netnsok	= true,
	/* No genl_mutex: no op waits for another family's, nor they for ours. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= nlicmp_genl_ops,
	.n_ops		= ARRAY_SIZE(nlicmp_genl_ops),
};

int nlicmp_genl_register(void)
{
	return genl_register_family(&nlicmp_family);
}

void nlicmp_genl_unregister(void)
{
	genl_unregister_family(&nlicmp_family);
}
