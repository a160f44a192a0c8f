// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: per-CPU counters of the packet path, their sums for
 * GET_STATS and their harvest (deltas since the previous flush) into
 * records.
 *
 * The counters only ever grow; a flush remembers the sums it already
 * took, so each packet is reported by exactly one flush. Every read goes
 * through u64_stats_sync: whole on 32-bit kernels too, and packets and
 * bytes of one counter taken from the same instant.
 *
 * GET_STATS reads a few totals per CPU. The flush reads the malformed
 * totals per CPU and, for unattributed packets, only the types some CPU
 * marked dirty since the previous flush.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "nlicmp.h"

int nlicmp_counters_init(struct nlicmp_net *ns)
{
	struct nlicmp_pcpu __percpu *pcpu;
	int cpu;

	pcpu = alloc_percpu_gfp(struct nlicmp_pcpu, GFP_KERNEL_ACCOUNT);
	if (!pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(pcpu, cpu)->syncp);
	ns->pcpu = pcpu;
	return 0;
}

void nlicmp_counters_exit(struct nlicmp_net *ns)
{
	free_percpu(ns->pcpu);
}

/* Process context, caller's memcg. */
struct nlicmp_lazy *nlicmp_lazy_alloc(bool budgeted)
{
	struct nlicmp_lazy *lazy;
	int cpu;

	lazy = kvzalloc(sizeof(*lazy), GFP_KERNEL_ACCOUNT);
	if (!lazy)
		return NULL;
	lazy->unattr = alloc_percpu_gfp(struct nlicmp_unattr,
					GFP_KERNEL_ACCOUNT);
	if (!lazy->unattr) {
		kvfree(lazy);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(lazy->unattr, cpu)->syncp);
	lazy->budgeted = budgeted;
	return lazy;
}

void nlicmp_lazy_free(struct nlicmp_lazy *lazy)
{
	if (!lazy)
		return;
	free_percpu(lazy->unattr);
	kvfree(lazy);
}

static void nlicmp_lazy_free_cb(struct rcu_head *head)
{
	struct nlicmp_lazy *lazy = container_of(head, struct nlicmp_lazy, rcu);
	bool budgeted = lazy->budgeted;

	nlicmp_lazy_free(lazy);
	nlicmp_budget_listener_put(budgeted);
}

/*
 * Once no hook can still hold it; never waits. Gives back the last
 * listener's share of max_listeners_total when it is freed.
 */
void nlicmp_lazy_free_rcu(struct nlicmp_lazy *lazy)
{
	call_rcu(&lazy->rcu, nlicmp_lazy_free_cb);
}

/*
 * Writers: the hooks, in softirq (or with BH disabled) on their own CPU,
 * so updates of one CPU's counters never nest.
 */
void nlicmp_count_seen(struct nlicmp_net *ns)
{
	struct nlicmp_pcpu *pc = this_cpu_ptr(ns->pcpu);

	u64_stats_update_begin(&pc->syncp);
	u64_stats_inc(&pc->seen);
	u64_stats_update_end(&pc->syncp);
}

void nlicmp_count_malformed(struct nlicmp_net *ns, unsigned int fam,
			    unsigned int len)
{
	struct nlicmp_pcpu *pc = this_cpu_ptr(ns->pcpu);

	u64_stats_update_begin(&pc->syncp);
	u64_stats_inc(&pc->seen);
	u64_stats_inc(&pc->malformed_packets[fam]);
	u64_stats_add(&pc->malformed_bytes[fam], len);
	u64_stats_update_end(&pc->syncp);
}

/* No memory for a new entry; nlicmp_count_unattr() follows. */
void nlicmp_count_nomem(struct nlicmp_net *ns)
{
	struct nlicmp_pcpu *pc = this_cpu_ptr(ns->pcpu);

	u64_stats_update_begin(&pc->syncp);
	u64_stats_inc(&pc->nomem);
	u64_stats_update_end(&pc->syncp);
}

/* Under RCU (the hooks), with a listener registered. */
void nlicmp_count_unattr(struct nlicmp_net *ns, const struct nlicmp_key *key,
			 unsigned int len)
{
	struct nlicmp_pcpu *pc = this_cpu_ptr(ns->pcpu);
	unsigned int i = key->fam * 256 + key->type;
	struct nlicmp_lazy *lazy;
	struct nlicmp_unattr *u;

	u64_stats_update_begin(&pc->syncp);
	u64_stats_inc(&pc->unattr);
	u64_stats_update_end(&pc->syncp);

	lazy = rcu_dereference(ns->lazy);
	if (!lazy)
		/* The last listener just left: nobody gets a record. */
		return;
	u = this_cpu_ptr(lazy->unattr);
	u64_stats_update_begin(&u->syncp);
	u64_stats_inc(&u->packets[i]);
	u64_stats_add(&u->bytes[i], len);
	u64_stats_update_end(&u->syncp);
	/*
	 * Counts before the mark (pairs with the flush's xchg() of the
	 * bitmap): a flush that takes the mark sees these counts.
	 */
	smp_mb();
	if (!test_bit(i, u->dirty))
		set_bit(i, u->dirty);
}

void nlicmp_sum_totals(struct nlicmp_net *ns, struct nlicmp_totals *t)
{
	unsigned int start;
	int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct nlicmp_pcpu *pc = per_cpu_ptr(ns->pcpu, cpu);
		u64 seen, malformed, unattr, nomem;

		do {
			start = u64_stats_fetch_begin(&pc->syncp);
			seen = u64_stats_read(&pc->seen);
			malformed = u64_stats_read(&pc->malformed_packets[0]) +
				    u64_stats_read(&pc->malformed_packets[1]);
			unattr = u64_stats_read(&pc->unattr);
			nomem = u64_stats_read(&pc->nomem);
		} while (u64_stats_fetch_retry(&pc->syncp, start));
		t->seen += seen;
		t->malformed += malformed;
		t->unattr += unattr;
		t->nomem += nomem;
	}
}

static struct nlicmp_count nlicmp_sum_malformed_fam(struct nlicmp_net *ns,
						    unsigned int fam)
{
	struct nlicmp_count sum = {};
	unsigned int start;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct nlicmp_pcpu *pc = per_cpu_ptr(ns->pcpu, cpu);
		u64 packets, bytes;

		do {
			start = u64_stats_fetch_begin(&pc->syncp);
			packets = u64_stats_read(&pc->malformed_packets[fam]);
			bytes = u64_stats_read(&pc->malformed_bytes[fam]);
		} while (u64_stats_fetch_retry(&pc->syncp, start));
		sum.packets += packets;
		sum.bytes += bytes;
	}
	return sum;
}

static struct nlicmp_count nlicmp_sum_unattr_type(struct nlicmp_lazy *lazy,
						  unsigned int i)
{
	struct nlicmp_count sum = {};
	unsigned int start;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct nlicmp_unattr *u = per_cpu_ptr(lazy->unattr, cpu);
		u64 packets, bytes;

		do {
			start = u64_stats_fetch_begin(&u->syncp);
			packets = u64_stats_read(&u->packets[i]);
			bytes = u64_stats_read(&u->bytes[i]);
		} while (u64_stats_fetch_retry(&u->syncp, start));
		sum.packets += packets;
		sum.bytes += bytes;
	}
	return sum;
}

static bool nlicmp_take_delta(struct nlicmp_count *done,
			      struct nlicmp_count now,
			      struct nlicmp_record *rec)
{
	rec->packets = now.packets - done->packets;
	rec->bytes = now.bytes - done->bytes;
	*done = now;
	return rec->packets || rec->bytes;
}

/* The types some CPU marked since the last call; the marks are cleared. */
static void nlicmp_take_dirty(struct nlicmp_lazy *lazy, unsigned long *dirty)
{
	unsigned int w;
	int cpu;

	bitmap_zero(dirty, NLICMP_NTYPES);
	for_each_possible_cpu(cpu) {
		struct nlicmp_unattr *u = per_cpu_ptr(lazy->unattr, cpu);

		for (w = 0; w < BITS_TO_LONGS(NLICMP_NTYPES); w++)
			if (READ_ONCE(u->dirty[w]))
				dirty[w] |= xchg(&u->dirty[w], 0);
	}
}

/*
 * Turn what the per-CPU counters gained since the last flush into records.
 * ns->lock held.
 */
void nlicmp_harvest_counters(struct nlicmp_net *ns)
{
	DECLARE_BITMAP(dirty, NLICMP_NTYPES);
	struct nlicmp_record rec = {};
	struct nlicmp_lazy *lazy;
	unsigned int fam, i;

	lazy = rcu_dereference_protected(ns->lazy, lockdep_is_held(&ns->lock));
	if (lazy) {
		nlicmp_take_dirty(lazy, dirty);
		rec.kind = NLICMP_REC_UNATTR;
		for_each_set_bit(i, dirty, NLICMP_NTYPES) {
			rec.fam = i / 256;
			rec.type = i % 256;
			if (nlicmp_take_delta(&lazy->unattr_done[i],
					      nlicmp_sum_unattr_type(lazy, i),
					      &rec))
				nlicmp_batch_add(ns, &rec);
		}
	}

	memset(&rec, 0, sizeof(rec));
	rec.kind = NLICMP_REC_MALFORMED;
	for (fam = 0; fam < NLICMP_NFAM; fam++) {
		rec.fam = fam;
		if (nlicmp_take_delta(&ns->malformed_done[fam],
				      nlicmp_sum_malformed_fam(ns, fam), &rec))
			nlicmp_batch_add(ns, &rec);
	}
}
