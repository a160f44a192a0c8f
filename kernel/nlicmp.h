/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_icmp: state shared by the module's files.
 *
 * One struct nlicmp_net per network namespace. The packet path (hooks)
 * touches only per-CPU counters and the RCU hash table; everything else
 * (listeners, harvest baselines, the event batch) belongs to the flush and
 * the netlink handlers and is serialised by nlicmp_net.lock.
 */
#ifndef _NLICMP_H
#define _NLICMP_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include <netlink_icmp.h>

#include "compat.h"

/* Module parameters (nlicmp_main.c), fixed after load. */
extern unsigned int nlicmp_max_listeners;
extern unsigned int nlicmp_flush_ms;
extern unsigned int nlicmp_max_entries;
extern unsigned int nlicmp_idle_ms;
extern unsigned int nlicmp_batch_records;

/* Index of a family in the per-family counters. */
enum nlicmp_fam {
	NLICMP_FAM_V4,
	NLICMP_FAM_V6,
	NLICMP_NFAM,
};

/* Bytes 0..3 of src/dst hold an IPv4 address, the rest stays zero. */
struct nlicmp_key {
	struct in6_addr	src;
	struct in6_addr	dst;
	u8		fam;
	u8		type;
	u8		code;
	u8		pad;
};

#define NLICMP_ENTRY_DIRTY	0

struct nlicmp_entry {
	struct rhash_head	node;
	struct nlicmp_key	key;
	atomic64_t		packets;	/* since the last harvest */
	atomic64_t		bytes;
	unsigned long		flags;		/* NLICMP_ENTRY_DIRTY */
	struct llist_node	dirty_node;	/* on nlicmp_net.dirty */
	struct list_head	dead_node;	/* unlinked, waiting for RCU */
	unsigned long		last_active;	/* jiffies, set by the flush */
};

struct nlicmp_count {
	u64	packets;
	u64	bytes;
};

/* Per-CPU counters every ICMP packet touches. */
struct nlicmp_pcpu {
	u64			seen;
	u64			nomem;
	struct nlicmp_count	malformed[NLICMP_NFAM];
};

/* Packets whose key found no room in the table, per family and type. */
struct nlicmp_unattr {
	struct nlicmp_count	type[NLICMP_NFAM][256];
};

struct nlicmp_listener {
	struct list_head	node;
	u32			portid;
	u32			seq;		/* of the last event sent */
	u64			delivered;
	u64			queue_full;
	u64			nomem;
	u64			messages;
	u64			messages_lost;
};

enum nlicmp_rec_kind {
	NLICMP_REC_ENTRY,
	NLICMP_REC_UNATTR,
	NLICMP_REC_MALFORMED,
};

/* A record harvested by the flush, before it goes into a message. */
struct nlicmp_record {
	struct in6_addr	src;
	struct in6_addr	dst;
	u64		packets;
	u64		bytes;
	u8		kind;
	u8		fam;
	u8		type;
	u8		code;
};

/*
 * Enough for a full NLMSG_GOODSIZE message of the smallest records
 * (unattributed/malformed ones); the byte budget ends a batch first.
 */
#define NLICMP_BATCH_MAX	96

struct nlicmp_batch {
	unsigned int		n;
	size_t			size;		/* attribute bytes of the records */
	u64			packets;
	struct nlicmp_record	rec[NLICMP_BATCH_MAX];
};

struct nlicmp_net {
	/* Read by every packet, written rarely. */
	struct net			*net;
	struct nlicmp_pcpu __percpu	*pcpu;
	/* From the first REGISTER on; never freed before the netns. */
	struct nlicmp_unattr __percpu	*unattr;
	/* Read without the lock by the hooks: >0 means "fill the table". */
	unsigned int			n_listeners;
	struct rhashtable		table;

	/* Written by the packet path on new keys and dirty transitions only. */
	atomic_t			n_entries ____cacheline_aligned_in_smp;
	/* Entries that turned dirty since the last flush, and their count. */
	atomic_t			n_dirty;
	struct llist_head		dirty;

	struct mutex			lock ____cacheline_aligned_in_smp;
	struct list_head		listeners;
	struct delayed_work		flush_work;
	bool				closing;
	u64				flushes;
	unsigned long			last_reap;
	/* What the flush already harvested from the per-CPU counters. */
	struct nlicmp_count		malformed_done[NLICMP_NFAM];
	struct nlicmp_unattr		*unattr_done;
	struct nlicmp_batch		batch;

	struct list_head		all_node;	/* on nlicmp_all_nets */
};

struct nlicmp_net *nlicmp_pernet(const struct net *net);

/* nlicmp_counters.c */
int nlicmp_counters_init(struct nlicmp_net *ns);
void nlicmp_counters_exit(struct nlicmp_net *ns);
int nlicmp_counters_enable_unattr(struct nlicmp_net *ns);
void nlicmp_count_unattr(struct nlicmp_net *ns, const struct nlicmp_key *key,
			 unsigned int len);
u64 nlicmp_sum_seen(struct nlicmp_net *ns);
u64 nlicmp_sum_malformed(struct nlicmp_net *ns);
u64 nlicmp_sum_unattr(struct nlicmp_net *ns);
u64 nlicmp_sum_nomem(struct nlicmp_net *ns);
void nlicmp_harvest_counters(struct nlicmp_net *ns);

/* nlicmp_table.c */
int nlicmp_table_init(struct nlicmp_net *ns);
void nlicmp_table_exit(struct nlicmp_net *ns);
void nlicmp_table_account(struct nlicmp_net *ns, const struct nlicmp_key *key,
			  unsigned int len);
void nlicmp_table_harvest(struct nlicmp_net *ns, bool reap);
int nlicmp_table_cache_create(void);
void nlicmp_table_cache_destroy(void);

/* nlicmp_hooks.c */
int nlicmp_hooks_register(struct net *net);
void nlicmp_hooks_unregister(struct net *net);

/* nlicmp_flush.c */
void nlicmp_flush_init(struct nlicmp_net *ns);
void nlicmp_flush_locked(struct nlicmp_net *ns, bool reap);
void nlicmp_flush_schedule(struct nlicmp_net *ns);
void nlicmp_flush_kick(struct nlicmp_net *ns);
void nlicmp_batch_add(struct nlicmp_net *ns, const struct nlicmp_record *rec);

/* nlicmp_listeners.c */
int nlicmp_listener_add(struct nlicmp_net *ns, u32 portid,
			struct netlink_ext_ack *extack);
int nlicmp_listener_del(struct nlicmp_net *ns, u32 portid,
			struct netlink_ext_ack *extack);
void nlicmp_listener_drop(struct nlicmp_net *ns, struct nlicmp_listener *l);
void nlicmp_listeners_clear(struct nlicmp_net *ns);
int nlicmp_notifier_register(void);
void nlicmp_notifier_unregister(void);

/* nlicmp_genl.c */
int nlicmp_genl_register(void);
void nlicmp_genl_unregister(void);
int nlicmp_genl_send_event(struct nlicmp_net *ns, struct nlicmp_listener *l,
			   const struct nlicmp_batch *b);
size_t nlicmp_record_size(const struct nlicmp_record *rec);
size_t nlicmp_event_budget(void);

#endif /* _NLICMP_H */
