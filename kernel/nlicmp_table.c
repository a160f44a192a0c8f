// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: the per-namespace flow table.
 *
 * An rhashtable (jhash with a random seed) of entries keyed by (family,
 * source, destination, type, code), bounded by max_entries. The hooks add
 * to an entry's atomic counters under RCU and, on its first packet since
 * the last flush, mark it dirty and push it on a lock-free list; the flush
 * takes that list, so its cost follows the number of changed entries, not
 * the packet rate.
 *
 * Dirty protocol: a hook adds to the counter, then tests/sets DIRTY; the
 * flush clears DIRTY, then exchanges the counter with zero. Full barriers
 * on both sides mean a packet added after the exchange always finds DIRTY
 * clear and queues the entry again, so no count is ever stranded.
 *
 * Idle entries are unlinked by the flush and wait on ns->dead for an RCU
 * grace period (no hook can still hold them) that no one waits for: a
 * later flush polls it, harvests what they gained meanwhile and frees
 * them. Entries count against the per-namespace cap until they are
 * unlinked and, outside the initial namespace, against the global budget
 * (max_entries_total) until they are freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "nlicmp.h"

static struct kmem_cache *nlicmp_entry_cache __read_mostly;

static const struct rhashtable_params nlicmp_rht_params = {
	.head_offset		= offsetof(struct nlicmp_entry, node),
	.key_offset		= offsetof(struct nlicmp_entry, key),
	.key_len		= sizeof(struct nlicmp_key),
	.automatic_shrinking	= true,
	/*
	 * Smallest first table (3 keys at 75 % load: 4 buckets, not 64):
	 * every namespace has one, allocated by rhashtable_init() without a
	 * memcg charge, and most never see a listener. Tables grow as their
	 * keys come.
	 */
	.nelem_hint		= 3,
};

int nlicmp_table_cache_create(void)
{
	/* SLAB_ACCOUNT: charged to the memcg of whoever allocates in process context. */
	nlicmp_entry_cache = KMEM_CACHE(nlicmp_entry, SLAB_ACCOUNT);
	return nlicmp_entry_cache ? 0 : -ENOMEM;
}

void nlicmp_table_cache_destroy(void)
{
	kmem_cache_destroy(nlicmp_entry_cache);
}

int nlicmp_table_init(struct nlicmp_net *ns)
{
	struct rhashtable_params params = nlicmp_rht_params;

	/* Our own counter enforces max_entries; keep rhashtable's limit above it. */
	params.max_size = roundup_pow_of_two(ns->max_entries);
	atomic_set(&ns->n_entries, 0);
	atomic_set(&ns->n_dirty, 0);
	init_llist_head(&ns->dirty);
	INIT_LIST_HEAD(&ns->dead);
	return rhashtable_init(&ns->table, &params);
}

static void nlicmp_entry_free(struct nlicmp_net *ns, struct nlicmp_entry *e)
{
	kmem_cache_free(nlicmp_entry_cache, e);
	nlicmp_budget_entry_put(ns);
}

static void nlicmp_entry_free_cb(void *ptr, void *arg)
{
	nlicmp_entry_free(arg, ptr);
}

/* The hooks are gone and the flush cancelled: nobody else can see entries. */
void nlicmp_table_exit(struct nlicmp_net *ns)
{
	struct nlicmp_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &ns->dead, dead_node) {
		nlicmp_entry_free(ns, e);
		cond_resched();
	}
	rhashtable_free_and_destroy(&ns->table, nlicmp_entry_free_cb, ns);
}

/* Entries to age out or free: the flush must keep running. ns->lock held. */
bool nlicmp_table_busy(struct nlicmp_net *ns)
{
	return atomic_read(&ns->n_entries) || !list_empty(&ns->dead);
}

/*
 * Find room for a new key. NULL when the table is full or memory is short
 * (*@nomem set): the caller counts the packet as unattributed.
 */
static struct nlicmp_entry *nlicmp_entry_create(struct nlicmp_net *ns,
						const struct nlicmp_key *key,
						bool *nomem)
{
	struct nlicmp_entry *e, *old;

	/* Read first: a full table under a spoofed flood costs no atomic. */
	if (atomic_read(&ns->n_entries) >= ns->max_entries)
		return NULL;
	if (atomic_inc_return(&ns->n_entries) > ns->max_entries)
		goto full;
	if (!nlicmp_budget_entry_get(ns))
		goto full;

	e = kmem_cache_alloc(nlicmp_entry_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!e) {
		nlicmp_budget_entry_put(ns);
		*nomem = true;
		goto full;
	}
	e->key = *key;
	atomic64_set(&e->count, 0);
	e->flags = 0;
	e->last_active = jiffies;

	old = rhashtable_lookup_get_insert_fast(&ns->table, &e->node,
						nlicmp_rht_params);
	if (!old)
		return e;

	/* Another CPU inserted the key first, or the insert failed. */
	nlicmp_entry_free(ns, e);
	atomic_dec(&ns->n_entries);
	if (!IS_ERR(old))
		return old;
	*nomem = PTR_ERR(old) == -ENOMEM;
	return NULL;

full:
	atomic_dec(&ns->n_entries);
	return NULL;
}

/* Packet path, under RCU (netfilter hooks run inside rcu_read_lock()). */
void nlicmp_table_account(struct nlicmp_net *ns, const struct nlicmp_key *key,
			  unsigned int len)
{
	u64 add = NLICMP_ONE_PACKET + len, v;
	struct nlicmp_entry *e;
	bool nomem = false;

	e = rhashtable_lookup(&ns->table, key, nlicmp_rht_params);
	if (!e)
		e = nlicmp_entry_create(ns, key, &nomem);
	if (!e) {
		nlicmp_count_unattr(ns, key, len, nomem);
		return;
	}

	/* Fully ordered: the add comes before the DIRTY test (pairs with the flush). */
	v = atomic64_add_return(add, &e->count);
	/* Either half crossed its threshold with this packet: harvest soon. */
	if ((v >> NLICMP_BYTES_BITS) == NLICMP_KICK_PACKETS ||
	    ((v & NLICMP_BYTES_MASK) >= NLICMP_KICK_BYTES &&
	     ((v - add) & NLICMP_BYTES_MASK) < NLICMP_KICK_BYTES))
		nlicmp_flush_kick(ns);
	if (test_bit(NLICMP_ENTRY_DIRTY, &e->flags) ||
	    test_and_set_bit(NLICMP_ENTRY_DIRTY, &e->flags))
		return;
	llist_add(&e->dirty_node, &ns->dirty);
	if (atomic_inc_return(&ns->n_dirty) == nlicmp_batch_records)
		nlicmp_flush_kick(ns);
}

static void nlicmp_entry_harvest(struct nlicmp_net *ns, struct nlicmp_entry *e)
{
	struct nlicmp_record rec;
	u64 v = atomic64_xchg(&e->count, 0);

	if (!v)
		return;
	rec.packets = v >> NLICMP_BYTES_BITS;
	rec.bytes = v & NLICMP_BYTES_MASK;
	rec.kind = NLICMP_REC_ENTRY;
	rec.fam = e->key.fam;
	rec.type = e->key.type;
	rec.code = e->key.code;
	rec.src = e->key.src;
	rec.dst = e->key.dst;
	nlicmp_batch_add(ns, &rec);
}

/* Unlink entries idle for idle_ms; they go on @dead. */
static unsigned int nlicmp_table_unlink_idle(struct nlicmp_net *ns,
					     struct list_head *dead)
{
	unsigned long idle = msecs_to_jiffies(nlicmp_idle_ms);
	struct rhashtable_iter iter;
	unsigned int n = 0, walked = 0;
	struct nlicmp_entry *e;

	rhashtable_walk_enter(&ns->table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			/* -EAGAIN: a resize; the walk goes on, maybe twice over. */
			continue;
		}
		if (!(++walked % 1024)) {
			/* Do not hold off RCU for a whole large table. */
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
		if (test_bit(NLICMP_ENTRY_DIRTY, &e->flags) ||
		    time_before(jiffies, e->last_active + idle))
			continue;
		if (rhashtable_remove_fast(&ns->table, &e->node,
					   nlicmp_rht_params))
			continue;
		atomic_dec(&ns->n_entries);
		list_add(&e->dead_node, dead);
		n++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return n;
}

/*
 * Entries unlinked by an earlier flush, once a grace period has passed
 * since: no hook holds them, whatever they gained is in their counter and
 * they are off the dirty list (taken after the grace period was seen).
 */
static void nlicmp_table_free_dead(struct nlicmp_net *ns)
{
	struct nlicmp_entry *e, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(e, tmp, &ns->dead, dead_node) {
		nlicmp_entry_harvest(ns, e);
		nlicmp_entry_free(ns, e);
		if (!(++n % 1024))
			cond_resched();
	}
	INIT_LIST_HEAD(&ns->dead);
}

/*
 * Flush side, ns->lock held, may sleep. Harvests every dirty entry into
 * records; with @reap, also unlinks entries that stayed idle, to be freed
 * by a later flush.
 */
void nlicmp_table_harvest(struct nlicmp_net *ns, bool reap)
{
	struct nlicmp_entry *e, *tmp;
	struct llist_node *dirty;
	unsigned int n = 0;
	bool dead_ready;

	/* Before the dirty list is taken: it holds what hooks queued until then. */
	dead_ready = !list_empty(&ns->dead) &&
		     poll_state_synchronize_rcu(ns->dead_gp);

	atomic_set(&ns->n_dirty, 0);
	dirty = llist_del_all(&ns->dirty);
	/* _safe: once DIRTY is clear a hook may queue the entry again. */
	llist_for_each_entry_safe(e, tmp, dirty, dirty_node) {
		clear_bit(NLICMP_ENTRY_DIRTY, &e->flags);
		/* Order the clear before the exchanges (pairs with the hook). */
		smp_mb__after_atomic();
		e->last_active = jiffies;
		nlicmp_entry_harvest(ns, e);
		if (!(++n % 1024))
			cond_resched();
	}

	if (dead_ready)
		nlicmp_table_free_dead(ns);
	/*
	 * One generation at a time: ns->dead_gp covers the whole list. The
	 * grace period is started, not only snapshotted: on a quiet host none
	 * may otherwise come, and the dead entries (and a flush rescheduling
	 * itself for them) would wait for as long.
	 */
	if (reap && list_empty(&ns->dead) &&
	    nlicmp_table_unlink_idle(ns, &ns->dead))
		ns->dead_gp = start_poll_synchronize_rcu();
}
