/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_client: the one user-space client of the netlink_icmp Generic
 * Netlink family (include/netlink_icmp.h), shared by nlicmpctl and the
 * collectd plugin.
 *
 * A client owns two netlink sockets, both with a port id chosen
 * automatically (libnl's local port; never the pid):
 *   - the request socket carries ECHO and GET_STATS;
 *   - the event socket carries REGISTER and UNREGISTER, because the module
 *     registers the port id of the socket that sends REGISTER and unicasts
 *     EVENT messages to that port.
 *
 * Threads: request functions (nlicmp_echo, nlicmp_get_stats) and event
 * functions (nlicmp_register, nlicmp_unregister, nlicmp_receive) use
 * different sockets and buffers, so one thread may call the event
 * functions while another calls the request functions. Two threads must
 * not call functions of the same group on one client at the same time.
 * nlicmp_open and nlicmp_close are not concurrent with anything.
 *
 * Errors: every function that can fail returns 0 (or a count) on success
 * and a negative errno, or -NLICMP_E_NOMODULE, on failure. libnl's NLE_*
 * codes never leak out. nlicmp_strerror() turns an error into text for an
 * operator; nlicmp_extack() gives the kernel's own message (extended ack)
 * of the calling thread's last failed request, if the kernel sent one.
 */
#ifndef NLICMP_CLIENT_H
#define NLICMP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "netlink_icmp.h"

/*
 * The family "netlink_icmp" is not registered: the module is not loaded,
 * or was unloaded (or reloaded) since nlicmp_open. Outside errno's range.
 */
#define NLICMP_E_NOMODULE	4096

/* Event socket receive buffer when nlicmp_open is given 0. */
#define NLICMP_DEFAULT_RCVBUF	(4u << 20)

/* How long a request waits for the kernel's answer. */
#define NLICMP_REQUEST_TIMEOUT_MS	5000

struct nlicmp_client;

/* One listener's counters (NLICMP_L_*), from GET_STATS or an EVENT. */
struct nlicmp_listener {
	uint32_t portid;
	uint64_t delivered;
	uint64_t undelivered;
	uint64_t queue_full;
	uint64_t nomem;
	uint64_t messages;
	uint64_t messages_lost;
};

/* GET_STATS reply. Bit (1u << NLICMP_S_x) of present is set for each
 * namespace counter the kernel sent; absent ones read 0.
 */
struct nlicmp_stats {
	uint32_t present;
	uint64_t seen;
	uint64_t malformed;
	uint64_t unattributed;
	uint64_t nomem;
	uint32_t entries;
	uint32_t max_entries;
	uint32_t listeners;
	uint32_t max_listeners;
	uint64_t flushes;
	uint32_t flush_ms;
	/* One per registered listener of the caller's namespace; free with
	 * nlicmp_stats_free().
	 */
	unsigned int nlisteners;
	struct nlicmp_listener *listener;
};

/*
 * One EVENT record (NLICMP_R_*). src and dst hold 4 (AF_INET) or 16
 * (AF_INET6) bytes in network order and are zero when !has_src: such a
 * record is unattributed (no room in the module's table) and counts one
 * ICMP type. A record with !has_type counts packets whose ICMP header was
 * truncated. code is meaningful only when has_type and has_code.
 */
struct nlicmp_record {
	int family;
	bool has_src;
	bool has_type;
	bool has_code;
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t type;
	uint8_t code;
	uint64_t packets;
	uint64_t bytes;
};

/* What one EVENT message says besides its records. */
struct nlicmp_event_info {
	uint32_t seq;		/* NLICMP_A_SEQ */
	uint64_t flush;		/* NLICMP_A_FLUSH */
	bool has_listener;	/* NLICMP_A_LISTENER was present */
	struct nlicmp_listener listener; /* before this message */
	unsigned int nrecords;
	/* Filled by nlicmp_receive, 0 from nlicmp_parse_event: event
	 * messages lost just before this one, from the sequence gap.
	 */
	uint32_t missed;
};

/*
 * Callbacks for one EVENT message. message (optional) is called once the
 * whole message has been validated and before its records; record is
 * called for each record in order. A callback returns 0 to go on or a
 * negative value to stop; that value is then returned to the caller.
 */
struct nlicmp_event_ops {
	int (*message)(struct nlicmp_event_info *info, void *arg);
	int (*record)(const struct nlicmp_event_info *info,
		      const struct nlicmp_record *rec, void *arg);
};

/*
 * Open a client: two sockets, the family resolved by name. rcvbuf is the
 * event socket's receive buffer in bytes (0: NLICMP_DEFAULT_RCVBUF); it is
 * forced past net.core.rmem_max with CAP_NET_ADMIN, otherwise capped by
 * it. Returns 0 and *clientp, -NLICMP_E_NOMODULE when the family does not
 * exist, or another negative errno.
 */
int nlicmp_open(struct nlicmp_client **clientp, size_t rcvbuf);

/*
 * nlicmp_open with a known family id (family_id <= 0: resolve it by
 * name). Tests use it to feed crafted events to a client from a socket of
 * their own, with no module loaded.
 */
int nlicmp_open_with_family(struct nlicmp_client **clientp, size_t rcvbuf,
			    int family_id);

/* Close both sockets (the kernel drops a listener whose socket closes)
 * and free the client. NULL is accepted.
 */
void nlicmp_close(struct nlicmp_client *client);

/*
 * Resolve the family by name again: 0 when it still has the client's id,
 * -NLICMP_E_NOMODULE when the module is gone or was loaded again under
 * another id (a request with the old id could reach another family),
 * another negative errno when the controller cannot be asked.
 * nlicmp_unregister does it first; callers do it before other requests
 * that must not go astray.
 */
int nlicmp_check_family(struct nlicmp_client *client);

/* Generic Netlink family id and the event socket's port id (the one
 * REGISTER makes a listener, as listed by GET_STATS).
 */
int nlicmp_family_id(const struct nlicmp_client *client);
uint32_t nlicmp_event_portid(const struct nlicmp_client *client);

/* ECHO: reply (at most replylen - 1 bytes, NUL-terminated) is the module's
 * "netlink_icmp <release>: <text>"; version (optional, may be NULL) gets
 * NLICMP_A_VERSION. text must be shorter than NLICMP_ECHO_MAX (-EINVAL).
 */
int nlicmp_echo(struct nlicmp_client *client, const char *text,
		char *reply, size_t replylen, char *version,
		size_t versionlen);

/* GET_STATS into *stats (release with nlicmp_stats_free). */
int nlicmp_get_stats(struct nlicmp_client *client,
		     struct nlicmp_stats *stats);
void nlicmp_stats_free(struct nlicmp_stats *stats);

/*
 * REGISTER / UNREGISTER the event socket. REGISTER restarts the sequence
 * tracking (the module numbers a new listener's events from 1). Events
 * that arrive while waiting for the kernel's ack are kept and handed out
 * by the next nlicmp_receive. Errors: -EPERM (no CAP_NET_ADMIN), -EEXIST,
 * -ENOSPC (max_listeners reached), -ENOENT (unregister: not registered),
 * -NLICMP_E_NOMODULE.
 */
int nlicmp_register(struct nlicmp_client *client);
int nlicmp_unregister(struct nlicmp_client *client);

/* The event socket, for poll() (POLLIN: call nlicmp_receive). */
int nlicmp_event_fd(const struct nlicmp_client *client);

/*
 * Wait up to timeout_ms (-1: no limit, 0: do not wait) for events, then
 * handle what is queued (a bounded number of datagrams per call) through
 * ops. Returns the number of EVENT messages handled (0 on timeout), or:
 *   -ENOBUFS  the socket overran and events were lost (the next message's
 *             info.missed says how many); messages read before the
 *             overrun were handled; call again to go on reading;
 *   -EBADMSG  a malformed EVENT was dropped; call again to go on;
 *   -EINTR    a signal interrupted the wait;
 *   a callback's negative return value, or another negative errno.
 */
int nlicmp_receive(struct nlicmp_client *client, int timeout_ms,
		   const struct nlicmp_event_ops *ops, void *arg);

/*
 * Pure parsers, used by the functions above and by tests. len is the
 * number of bytes readable at nlh; the message must fit in it. family_id
 * > 0 makes a message of another family an error; 0 accepts any.
 * Attributes are checked against a policy (type, length); unknown ones
 * are ignored; a truncated attribute, a record whose addresses do not
 * match its family, or a missing mandatory attribute is -EBADMSG.
 *
 * nlicmp_parse_event validates the whole message and fills *info before it
 * calls any callback (ops may be NULL to only validate).
 */
int nlicmp_parse_event(const struct nlmsghdr *nlh, size_t len,
		       int family_id, const struct nlicmp_event_ops *ops,
		       void *arg, struct nlicmp_event_info *info);
int nlicmp_parse_stats(const struct nlmsghdr *nlh, size_t len,
		       int family_id, struct nlicmp_stats *stats);
int nlicmp_parse_echo(const struct nlmsghdr *nlh, size_t len,
		      int family_id, char *reply, size_t replylen,
		      char *version, size_t versionlen);
/*
 * An NLMSG_ERROR message: *error gets its (negative) errno, 0 for an ack;
 * msg (optional) gets the extended ack's text, "" when there is none.
 */
int nlicmp_parse_error(const struct nlmsghdr *nlh, size_t len, int *error,
		       char *msg, size_t msglen);

/* Text for an error returned above (negative or positive errno value). */
const char *nlicmp_strerror(int err);

/* The kernel's extended-ack message for this thread's last failed
 * request, or "" (valid until this thread's next request).
 */
const char *nlicmp_extack(void);

/* libnl NLE_* code (either sign) to a negative errno. */
int nlicmp_nlerr_to_errno(int nlerr);

#endif /* NLICMP_CLIENT_H */
