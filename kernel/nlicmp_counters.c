// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: per-CPU counters of the packet path, their sums for
 * GET_STATS and their harvest (deltas since the previous flush) into
 * records.
 *
 * The counters only ever grow; a flush remembers the sums it already
 * took, so each packet is reported by exactly one flush. A u64 is read
 * whole on the 64-bit machines this module is built for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/slab.h>

#include "nlicmp.h"

int nlicmp_counters_init(struct nlicmp_net *ns)
{
	ns->pcpu = alloc_percpu(struct nlicmp_pcpu);
	return ns->pcpu ? 0 : -ENOMEM;
}

void nlicmp_counters_exit(struct nlicmp_net *ns)
{
	free_percpu(ns->unattr);
	kfree(ns->unattr_done);
	free_percpu(ns->pcpu);
}

/*
 * The per-type counters take 8 KiB per CPU: only namespaces that ever had
 * a listener pay for them. Called with ns->lock held, before the hooks can
 * see a listener (they only use ns->unattr when n_listeners > 0).
 */
int nlicmp_counters_enable_unattr(struct nlicmp_net *ns)
{
	struct nlicmp_unattr __percpu *unattr;
	struct nlicmp_unattr *done;

	if (ns->unattr)
		return 0;
	unattr = alloc_percpu(struct nlicmp_unattr);
	done = kzalloc(sizeof(*done), GFP_KERNEL);
	if (!unattr || !done) {
		free_percpu(unattr);
		kfree(done);
		return -ENOMEM;
	}
	ns->unattr_done = done;
	ns->unattr = unattr;
	return 0;
}

void nlicmp_count_unattr(struct nlicmp_net *ns, const struct nlicmp_key *key,
			 unsigned int len)
{
	this_cpu_inc(ns->unattr->type[key->fam][key->type].packets);
	this_cpu_add(ns->unattr->type[key->fam][key->type].bytes, len);
}

u64 nlicmp_sum_seen(struct nlicmp_net *ns)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(ns->pcpu, cpu)->seen);
	return sum;
}

u64 nlicmp_sum_nomem(struct nlicmp_net *ns)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(ns->pcpu, cpu)->nomem);
	return sum;
}

static struct nlicmp_count nlicmp_sum_malformed_fam(struct nlicmp_net *ns,
						    unsigned int fam)
{
	struct nlicmp_count sum = {};
	const struct nlicmp_pcpu *pc;
	int cpu;

	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(ns->pcpu, cpu);
		sum.packets += READ_ONCE(pc->malformed[fam].packets);
		sum.bytes += READ_ONCE(pc->malformed[fam].bytes);
	}
	return sum;
}

u64 nlicmp_sum_malformed(struct nlicmp_net *ns)
{
	u64 sum = 0;
	unsigned int fam;

	for (fam = 0; fam < NLICMP_NFAM; fam++)
		sum += nlicmp_sum_malformed_fam(ns, fam).packets;
	return sum;
}

static struct nlicmp_count nlicmp_sum_unattr_type(struct nlicmp_net *ns,
						  unsigned int fam,
						  unsigned int type)
{
	struct nlicmp_count sum = {};
	const struct nlicmp_count *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = &per_cpu_ptr(ns->unattr, cpu)->type[fam][type];
		sum.packets += READ_ONCE(c->packets);
		sum.bytes += READ_ONCE(c->bytes);
	}
	return sum;
}

/* Caller holds ns->lock: ns->unattr does not change under it. */
u64 nlicmp_sum_unattr(struct nlicmp_net *ns)
{
	unsigned int fam, type;
	u64 sum = 0;

	if (!ns->unattr)
		return 0;
	for (fam = 0; fam < NLICMP_NFAM; fam++)
		for (type = 0; type < 256; type++)
			sum += nlicmp_sum_unattr_type(ns, fam, type).packets;
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

/* Turn what the per-CPU counters gained since the last flush into records. */
void nlicmp_harvest_counters(struct nlicmp_net *ns)
{
	struct nlicmp_record rec = {};
	unsigned int fam, type;

	if (ns->unattr) {
		rec.kind = NLICMP_REC_UNATTR;
		for (fam = 0; fam < NLICMP_NFAM; fam++) {
			for (type = 0; type < 256; type++) {
				rec.fam = fam;
				rec.type = type;
				if (nlicmp_take_delta(&ns->unattr_done->type[fam][type],
						      nlicmp_sum_unattr_type(ns, fam, type),
						      &rec))
					nlicmp_batch_add(ns, &rec);
			}
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
