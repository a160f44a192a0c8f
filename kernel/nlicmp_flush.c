// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: the flush. A per-namespace delayed work, every flush_ms
 * and as soon as batch_records entries turned dirty, harvests the table and
 * the per-CPU counters into records and sends them in EVENT messages to
 * every listener. It runs in process context: it may sleep and allocate
 * with GFP_KERNEL, and the packet path never waits for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include "nlicmp.h"

/* Reap idle entries at most this often, relative to idle_ms. */
#define NLICMP_REAP_DIVISOR	4

static void nlicmp_batch_reset(struct nlicmp_batch *b)
{
	b->n = 0;
	b->size = 0;
	b->packets = 0;
}

/*
 * Send the batch to every listener. Each one's packets end up in exactly
 * one of its counters: delivered when the message was queued, queue_full
 * or nomem when it was not. Without listeners the records are dropped:
 * nobody was registered when those packets were seen.
 */
static void nlicmp_batch_send(struct nlicmp_net *ns)
{
	struct nlicmp_listener *l, *tmp;

	if (!ns->batch.n)
		return;
	list_for_each_entry_safe(l, tmp, &ns->listeners, node) {
		if (nlicmp_genl_send_event(ns, l, &ns->batch) == -ECONNREFUSED)
			/* Its socket is gone without NETLINK_URELEASE yet. */
			nlicmp_listener_drop(ns, l);
	}
	nlicmp_batch_reset(&ns->batch);
}

void nlicmp_batch_add(struct nlicmp_net *ns, const struct nlicmp_record *rec)
{
	struct nlicmp_batch *b = &ns->batch;
	size_t size = nlicmp_record_size(rec);

	if (b->n == NLICMP_BATCH_MAX || b->size + size > nlicmp_event_budget())
		nlicmp_batch_send(ns);
	b->rec[b->n++] = *rec;
	b->size += size;
	b->packets += rec->packets;
}

/* ns->lock held. */
void nlicmp_flush_locked(struct nlicmp_net *ns, bool reap)
{
	lockdep_assert_held(&ns->lock);

	ns->flushes++;
	nlicmp_table_harvest(ns, reap);
	nlicmp_harvest_counters(ns);
	nlicmp_batch_send(ns);
}

static void nlicmp_flush_work(struct work_struct *work)
{
	struct nlicmp_net *ns = container_of(to_delayed_work(work),
					     struct nlicmp_net, flush_work);
	unsigned long reap_every;
	bool reap;

	mutex_lock(&ns->lock);
	if (ns->closing)
		goto out;

	reap_every = msecs_to_jiffies(nlicmp_idle_ms / NLICMP_REAP_DIVISOR);
	reap = time_after_eq(jiffies, ns->last_reap + reap_every);
	if (reap)
		ns->last_reap = jiffies;
	nlicmp_flush_locked(ns, reap);

	/* Entries left without listeners still need to age out. */
	if (ns->n_listeners || atomic_read(&ns->n_entries))
		nlicmp_flush_schedule(ns);
out:
	mutex_unlock(&ns->lock);
}

void nlicmp_flush_init(struct nlicmp_net *ns)
{
	INIT_DELAYED_WORK(&ns->flush_work, nlicmp_flush_work);
	nlicmp_batch_reset(&ns->batch);
	ns->last_reap = jiffies;
}

/* Next periodic flush; does nothing if one is already queued. */
void nlicmp_flush_schedule(struct nlicmp_net *ns)
{
	queue_delayed_work(system_wq, &ns->flush_work,
			   msecs_to_jiffies(nlicmp_flush_ms));
}

/* From the packet path: enough dirty entries for a batch, flush now. */
void nlicmp_flush_kick(struct nlicmp_net *ns)
{
	mod_delayed_work(system_wq, &ns->flush_work, 0);
}
