/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * netlink_icmp: the Generic Netlink ABI shared by the kernel module
 * (kernel/) and its user-space clients (plugin/, nlicmpctl).
 *
 * Compatibility promise: values below never change meaning and are never
 * reused. New commands and attributes are only ever appended before the
 * __*_MAX sentinels; a client must ignore attributes it does not know.
 * NLICMP_GENL_VERSION is bumped only for an incompatible change.
 *
 * Integer attributes are in host byte order. Addresses are in network byte
 * order, 4 bytes for AF_INET and 16 bytes for AF_INET6. 64-bit attributes
 * are aligned with the *_PAD attribute of their attribute space.
 */
#ifndef _UAPI_LINUX_NETLINK_ICMP_H
#define _UAPI_LINUX_NETLINK_ICMP_H

#define NLICMP_GENL_NAME	"netlink_icmp"
#define NLICMP_GENL_VERSION	1

/* Release of the module and tools; the ECHO reply carries it. */
#define NLICMP_RELEASE		"1.0.0"

/*
 * Longest ECHO request text, including its terminating NUL. The reply adds
 * the "netlink_icmp <release>: " prefix, so it may be longer.
 */
#define NLICMP_ECHO_MAX		256

enum nlicmp_cmd {
	NLICMP_CMD_UNSPEC,
	/* Health check. Request: A_ECHO_TEXT. Reply (same command):
	 * A_ECHO_TEXT = "netlink_icmp <release>: <text>", A_VERSION.
	 */
	NLICMP_CMD_ECHO,
	/* Make the sending socket a listener in its network namespace. No
	 * attributes. Needs CAP_NET_ADMIN in the initial user namespace; with
	 * the module parameter userns_listeners=1, CAP_NET_ADMIN in the user
	 * namespace that owns the network namespace is enough. Errors (with
	 * an extack message, but for the EPERM of the generic netlink core,
	 * which checks that user namespace's CAP_NET_ADMIN first): EPERM;
	 * EEXIST (already registered); ENOSPC (the namespace's
	 * S_MAX_LISTENERS, or max_listeners_total of all namespaces, reached;
	 * in the initial namespace, also while 2 x max_listeners listeners'
	 * states still wait for an RCU grace period: retry); ENOMEM;
	 * ESHUTDOWN (the module is unloading).
	 */
	NLICMP_CMD_REGISTER,
	/* Stop being a listener. No attributes. Same permission as REGISTER.
	 * The listener first gets every record pending (a last EVENT, before
	 * the ack). ENOENT if the socket is not registered.
	 */
	NLICMP_CMD_UNREGISTER,
	/* Request: no attributes. Reply (same command): A_STATS, then, to a
	 * caller with CAP_NET_ADMIN over the namespace (its owning user
	 * namespace) only, one A_LISTENER per registered listener of the
	 * caller's namespace. EAGAIN if listeners kept registering while the
	 * reply was built.
	 */
	NLICMP_CMD_GET_STATS,
	/* Kernel to listener, unicast, every flush interval and sooner when
	 * enough records are pending: A_SEQ, A_FLUSH, A_LISTENER (this
	 * listener's counters before this message), then A_RECORD repeated.
	 */
	NLICMP_CMD_EVENT,
	__NLICMP_CMD_MAX,
};
#define NLICMP_CMD_MAX (__NLICMP_CMD_MAX - 1)

/* Top-level attributes of every command. */
enum nlicmp_attr {
	NLICMP_A_UNSPEC,
	NLICMP_A_PAD,
	NLICMP_A_ECHO_TEXT,	/* NUL-terminated string, < NLICMP_ECHO_MAX */
	NLICMP_A_VERSION,	/* NUL-terminated string: NLICMP_RELEASE */
	NLICMP_A_SEQ,		/* u32: per-listener event number, from 1;
				 * a gap means a message was not delivered
				 */
	NLICMP_A_FLUSH,		/* u64: namespace flush number of the batch */
	NLICMP_A_RECORD,	/* nested nlicmp_rec_attr, repeated */
	NLICMP_A_STATS,		/* nested nlicmp_stat_attr */
	NLICMP_A_LISTENER,	/* nested nlicmp_lsn_attr */
	__NLICMP_A_MAX,
};
#define NLICMP_A_MAX (__NLICMP_A_MAX - 1)

/*
 * One record: packets and bytes received since the previous flush for one
 * (family, source, destination, type, code). A record without R_SRC is
 * unattributed: the table had no room (or no memory) for its key, so it
 * carries a per-type total with no source, destination or code. A record
 * without R_TYPE counts packets whose ICMP header was truncated.
 */
enum nlicmp_rec_attr {
	NLICMP_R_UNSPEC,
	NLICMP_R_PAD,
	NLICMP_R_FAMILY,	/* u8: AF_INET or AF_INET6 */
	NLICMP_R_SRC,		/* binary, 4 or 16 bytes (network order) */
	NLICMP_R_DST,		/* binary, 4 or 16 bytes (network order) */
	NLICMP_R_TYPE,		/* u8: ICMP or ICMPv6 type */
	NLICMP_R_CODE,		/* u8: ICMP or ICMPv6 code */
	NLICMP_R_PACKETS,	/* u64 */
	NLICMP_R_BYTES,		/* u64: network-layer bytes (IP header on) */
	__NLICMP_R_MAX,
};
#define NLICMP_R_MAX (__NLICMP_R_MAX - 1)

/* Namespace counters, all since the module was loaded. */
enum nlicmp_stat_attr {
	NLICMP_S_UNSPEC,
	NLICMP_S_PAD,
	NLICMP_S_SEEN,		/* u64: ICMP/ICMPv6 packets the hooks saw */
	NLICMP_S_MALFORMED,	/* u64: of those, with a truncated header, or
				 * IPv6 whose extension-header chain is cut
				 * short (it may have been ICMPv6)
				 */
	NLICMP_S_UNATTRIBUTED,	/* u64: counted without a source: no room in
				 * the table (this namespace's bound or the
				 * global one), or no memory (S_NOMEM).
				 * Counted only while a listener exists.
				 */
	NLICMP_S_NOMEM,		/* u64: of those, no memory for a new entry */
	NLICMP_S_ENTRIES,	/* u32: table entries now */
	NLICMP_S_MAX_ENTRIES,	/* u32: this namespace's table bound:
				 * max_entries, child_max_entries in a
				 * namespace other than the initial one
				 */
	NLICMP_S_LISTENERS,	/* u32: registered listeners now */
	NLICMP_S_MAX_LISTENERS,	/* u32: this namespace's bound: max_listeners,
				 * child_max_listeners in a child namespace
				 */
	NLICMP_S_FLUSHES,	/* u64: flushes done */
	NLICMP_S_FLUSH_MS,	/* u32: flush interval (module parameter) */
	__NLICMP_S_MAX,
};
#define NLICMP_S_MAX (__NLICMP_S_MAX - 1)

/*
 * One listener's counters, since it registered. Every ICMP packet seen
 * while it is registered ends up in exactly one of DELIVERED and
 * UNDELIVERED once flushed, so, with no traffic in flight,
 * seen(now) - seen(at REGISTER) == DELIVERED + UNDELIVERED.
 */
enum nlicmp_lsn_attr {
	NLICMP_L_UNSPEC,
	NLICMP_L_PAD,
	NLICMP_L_PORTID,	/* u32 */
	NLICMP_L_DELIVERED,	/* u64: packets in events queued to it */
	NLICMP_L_UNDELIVERED,	/* u64: packets in events it did not get,
				 * = L_QUEUE_FULL + L_NOMEM
				 */
	NLICMP_L_QUEUE_FULL,	/* u64: its socket refused them: receive
				 * queue full (or its own socket filter, or
				 * an LSM, dropped the message)
				 */
	NLICMP_L_NOMEM,		/* u64: no memory to build the message */
	NLICMP_L_MESSAGES,	/* u64: events queued to it */
	NLICMP_L_MESSAGES_LOST,	/* u64: events it did not get */
	__NLICMP_L_MAX,
};
#define NLICMP_L_MAX (__NLICMP_L_MAX - 1)

#endif /* _UAPI_LINUX_NETLINK_ICMP_H */
