// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: per-CPU counters of the packet path, their sums for
 * GET_STATS and their harvest (deltas since the previous flush) into
 * records.
 *
 * The counters only ever grow; a flush remembers the sums it already
 * took, so each packet is reported by exactly one flush. Every read goes
 * through the CPU's seqcount: whole on 32-bit kernels too, and packets
 * and bytes of one counter taken from the same instant on every kernel.
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
		seqcount_init(&per_cpu_ptr(pcpu, cpu)->seq);
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
		seqcount_init(&per_cpu_ptr(lazy->unattr, cpu)->seq);
	lazy->budgeted = budgeted;
	return lazy;
}

static void nlicmp_lazy_free_cb(struct rcu_head *head)
{
	struct nlicmp_lazy *lazy = container_of(head, struct nlicmp_lazy, rcu);
	bool budgeted = lazy->budgeted;

	free_percpu(lazy->unattr);
	kvfree(lazy);
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
 * Writers: the hooks, with BH disabled on their own CPU (nlicmp_count()),
 * so updates of one CPU's counters never nest. Preemption is disabled
 * too, for PREEMPT_RT, where a BH-disabled section may be preempted and
 * a reader would spin on the odd count.
 */
static void nlicmp_write_begin(seqcount_t *seq)
{
	preempt_disable();
	write_seqcount_begin(seq);
}

static void nlicmp_write_end(seqcount_t *seq)
{
	write_seqcount_end(seq);
	preempt_enable();
}

void nlicmp_count_seen(struct nlicmp_net *ns)
{
	struct nlicmp_pcpu *pc = this_cpu_ptr(ns->pcpu);

	nlicmp_write_begin(&pc->seq);
	pc->seen++;
	nlicmp_write_end(&pc->seq);
}

void nlicmp_count_malformed(struct nlicmp_net *ns, unsigned int fam,
			    unsigned int len)
{
	struct nlicmp_pcpu *pc = this_cpu_ptr(ns->pcpu);

	nlicmp_write_begin(&pc->seq);
	pc->seen++;
	pc->malformed_packets[fam]++;
	pc->malformed_bytes[fam] += len;
	nlicmp_write_end(&pc->seq);
}

/*
 * Under RCU (the hooks), with a listener registered. @nomem: no memory
 * for its entry; counted in the same section, so that no reader sees more
 * packets without memory than unattributed ones.
 */
void nlicmp_count_unattr(struct nlicmp_net *ns, const struct nlicmp_key *key,
			 unsigned int len, bool nomem)
{
	struct nlicmp_pcpu *pc = this_cpu_ptr(ns->pcpu);
	unsigned int i = key->fam * 256 + key->type;
	struct nlicmp_lazy *lazy;
	struct nlicmp_unattr *u;

	nlicmp_write_begin(&pc->seq);
	pc->unattr++;
	pc->nomem += nomem;
	nlicmp_write_end(&pc->seq);

	lazy = rcu_dereference(ns->lazy);
	if (!lazy)
		/* The last listener just left: nobody gets a record. */
		return;
	u = this_cpu_ptr(lazy->unattr);
	nlicmp_write_begin(&u->seq);
	u->packets[i]++;
	u->bytes[i] += len;
	nlicmp_write_end(&u->seq);
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
			start = read_seqcount_begin(&pc->seq);
			seen = pc->seen;
			malformed = pc->malformed_packets[0] +
				    pc->malformed_packets[1];
			unattr = pc->unattr;
			nomem = pc->nomem;
		} while (read_seqcount_retry(&pc->seq, start));
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
			start = read_seqcount_begin(&pc->seq);
			packets = pc->malformed_packets[fam];
			bytes = pc->malformed_bytes[fam];
		} while (read_seqcount_retry(&pc->seq, start));
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
			start = read_seqcount_begin(&u->seq);
			packets = u->packets[i];
			bytes = u->bytes[i];
		} while (read_seqcount_retry(&u->seq, start));
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
