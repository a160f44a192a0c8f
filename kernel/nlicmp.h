/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_icmp: state shared by the module's files.
 *
 * One struct nlicmp_net per network namespace, kept small: a namespace
 * that never had a listener pays for its per-CPU packet counters, an empty
 * table and a few words. What only listeners need (per-type counters of
 * unattributed packets, the event batch) is struct nlicmp_lazy, allocated
 * at the first REGISTER and freed after the last listener left.
 *
 * The packet path (hooks) touches only per-CPU counters, the RCU hash
 * table and atomics. The flush, REGISTER and UNREGISTER are serialised by
 * nlicmp_net.lock; GET_STATS and the NETLINK_URELEASE notifier never take
 * it (RCU and per-CPU sums).
 */
#ifndef _NLICMP_H
#define _NLICMP_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/seqlock.h>
#include <linux/u64_stats_sync.h>
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
extern bool nlicmp_userns_listeners;

/* The flush runs here: unbound, its own, destroyed at module exit. */
extern struct workqueue_struct *nlicmp_wq;

/* Budgets shared by every namespace (nlicmp_main.c). */
struct nlicmp_net;
bool nlicmp_budget_entry_get(const struct nlicmp_net *ns);
void nlicmp_budget_entry_put(const struct nlicmp_net *ns);
bool nlicmp_budget_listener_get(bool budgeted);
void nlicmp_budget_listener_put(bool budgeted);

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

/*
 * An entry's packets and bytes share one 64-bit word, so that the flush
 * takes both with one exchange and a record never carries packets without
 * their bytes: packets in the top 24 bits, bytes in the low 40. The hook
 * kicks a flush when either half is half full, long before it overflows.
 */
#define NLICMP_BYTES_BITS	40
#define NLICMP_BYTES_MASK	((1ULL << NLICMP_BYTES_BITS) - 1)
#define NLICMP_ONE_PACKET	(1ULL << NLICMP_BYTES_BITS)
#define NLICMP_KICK_PACKETS	(1ULL << 23)
#define NLICMP_KICK_BYTES	(1ULL << (NLICMP_BYTES_BITS - 1))

struct nlicmp_entry {
	struct rhash_head	node;
	struct nlicmp_key	key;
	atomic64_t		count;		/* packets:bytes since the last harvest */
	unsigned long		flags;		/* NLICMP_ENTRY_DIRTY */
	struct llist_node	dirty_node;	/* on nlicmp_net.dirty */
	struct list_head	dead_node;	/* unlinked, waiting for RCU */
	unsigned long		last_active;	/* jiffies, set by the flush */
};

struct nlicmp_count {
	u64	packets;
	u64	bytes;
};

/*
 * Per-CPU counters every ICMP packet may touch, written by the hooks of
 * one CPU (BH disabled), read by GET_STATS and the flush under @seq: a
 * read is never torn (32-bit) and takes a packet and its bytes together
 * (u64_stats_sync does neither on 64-bit kernels).
 */
struct nlicmp_pcpu {
	seqcount_t		seq;
	u64			seen;
	u64			unattr;		/* only while a listener exists */
	u64			nomem;		/* of unattr */
	u64			malformed_packets[NLICMP_NFAM];
	u64			malformed_bytes[NLICMP_NFAM];
};

#define NLICMP_NTYPES		(NLICMP_NFAM * 256)

/*
 * Packets whose key found no room in the table, per family and type, on
 * one CPU. @dirty marks the types that moved since the flush last looked,
 * so a flush reads what changed, not all 512 types of every CPU.
 */
struct nlicmp_unattr {
	seqcount_t		seq;		/* as in struct nlicmp_pcpu */
	u64			packets[NLICMP_NTYPES];
	u64			bytes[NLICMP_NTYPES];
	unsigned long		dirty[BITS_TO_LONGS(NLICMP_NTYPES)];
};

struct nlicmp_listener {
	struct list_head	node;		/* RCU list nlicmp_net.listeners */
	struct rcu_head		rcu;
	u32			portid;
	/*
	 * Its socket, held: the flush sends only while that socket lives,
	 * never to a port id another socket may have taken since.
	 */
	struct sock		*sk;
	u32			seq;		/* of the last event sent */
	/* Written by the flush (ns->lock), read by GET_STATS under RCU. */
	struct u64_stats_sync	syncp;
	u64_stats_t		delivered;
	u64_stats_t		queue_full;
	u64_stats_t		nomem;
	u64_stats_t		messages;
	u64_stats_t		messages_lost;
};

/* A consistent copy of a listener's counters. */
struct nlicmp_lsn_stats {
	u32	portid;
	u64	delivered;
	u64	queue_full;
	u64	nomem;
	u64	messages;
	u64	messages_lost;
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

/* What a namespace needs only while it has listeners. */
struct nlicmp_lazy {
	struct rcu_head			rcu;
	struct nlicmp_unattr __percpu	*unattr;
	/* What the flush already harvested from unattr. */
	struct nlicmp_count		unattr_done[NLICMP_NTYPES];
	struct nlicmp_batch		batch;
	/* Of a namespace under the global budgets: give its share back. */
	bool				budgeted;
};

struct nlicmp_net {
	/* Read by every packet, written rarely. */
	struct nlicmp_pcpu __percpu	*pcpu;
	struct nlicmp_lazy __rcu	*lazy;
	/* Read without the lock by the hooks: >0 means "fill the table". */
	unsigned int			n_listeners;
	unsigned int			max_entries;	/* this namespace's cap */
	unsigned int			max_listeners;
	/* Not the initial namespace: under the global budgets too. */
	bool				budgeted;
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
	atomic64_t			flushes;	/* read by GET_STATS */
	unsigned long			last_reap;
	/* Unlinked idle entries and the RCU state that frees them. */
	struct list_head		dead;
	unsigned long			dead_gp;
	/* What the flush already harvested from the per-CPU counters. */
	struct nlicmp_count		malformed_done[NLICMP_NFAM];

	struct list_head		all_node;	/* on nlicmp_all_nets */
};

struct nlicmp_net *nlicmp_pernet(const struct net *net);

/* nlicmp_counters.c */
int nlicmp_counters_init(struct nlicmp_net *ns);
void nlicmp_counters_exit(struct nlicmp_net *ns);
void nlicmp_count_seen(struct nlicmp_net *ns);
void nlicmp_count_malformed(struct nlicmp_net *ns, unsigned int fam,
			    unsigned int len);
void nlicmp_count_unattr(struct nlicmp_net *ns, const struct nlicmp_key *key,
			 unsigned int len, bool nomem);
struct nlicmp_totals {
	u64	seen;
	u64	malformed;
	u64	unattr;
	u64	nomem;
};
void nlicmp_sum_totals(struct nlicmp_net *ns, struct nlicmp_totals *t);
void nlicmp_harvest_counters(struct nlicmp_net *ns);
struct nlicmp_lazy *nlicmp_lazy_alloc(bool budgeted);
void nlicmp_lazy_free_rcu(struct nlicmp_lazy *lazy);

/* nlicmp_table.c */
int nlicmp_table_init(struct nlicmp_net *ns);
void nlicmp_table_exit(struct nlicmp_net *ns);
void nlicmp_table_account(struct nlicmp_net *ns, const struct nlicmp_key *key,
			  unsigned int len);
void nlicmp_table_harvest(struct nlicmp_net *ns, bool reap);
bool nlicmp_table_busy(struct nlicmp_net *ns);
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
int nlicmp_listener_add(struct nlicmp_net *ns, struct sock *sk, u32 portid,
			struct netlink_ext_ack *extack);
int nlicmp_listener_del(struct nlicmp_net *ns, const struct sock *sk,
			struct netlink_ext_ack *extack);
bool nlicmp_listener_gone(const struct nlicmp_listener *l);
void nlicmp_listeners_reap(struct nlicmp_net *ns);
void nlicmp_listeners_clear(struct nlicmp_net *ns);
void nlicmp_listener_stats(struct nlicmp_listener *l,
			   struct nlicmp_lsn_stats *s);
int nlicmp_notifier_register(void);
void nlicmp_notifier_unregister(void);

/* nlicmp_genl.c */
int nlicmp_genl_register(void);
void nlicmp_genl_unregister(void);
void nlicmp_genl_send_event(struct nlicmp_net *ns, struct nlicmp_listener *l,
			    const struct nlicmp_batch *b);
size_t nlicmp_record_size(const struct nlicmp_record *rec);
size_t nlicmp_event_budget(void);

#endif /* _NLICMP_H */
