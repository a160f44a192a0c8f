// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: the flush. A per-namespace delayed work, every flush_ms
 * and as soon as batch_records entries turned dirty, harvests the table and
 * the per-CPU counters into records and sends them in EVENT messages to
 * every listener. It runs in process context on the module's unbound
 * workqueue: it may sleep and allocate, and the packet path never waits
 * for it. It holds ns->lock, which only REGISTER, UNREGISTER and the
 * namespace's exit wait for; GET_STATS and NETLINK_URELEASE never do.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/sched.h>
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

static struct nlicmp_lazy *nlicmp_lazy_locked(struct nlicmp_net *ns)
{
	return rcu_dereference_protected(ns->lazy, lockdep_is_held(&ns->lock));
}

/*
 * Send the batch to every listener. Each one's packets end up in exactly
 * one of its counters: delivered when the message was queued, queue_full
 * or nomem when it was not. A listener whose socket is closing gets
 * nothing more; the end of the flush drops it.
 */
static void nlicmp_batch_send(struct nlicmp_net *ns, struct nlicmp_batch *b)
{
	struct nlicmp_listener *l;

	if (!b->n)
		return;
	list_for_each_entry(l, &ns->listeners, node)
		nlicmp_genl_send_event(ns, l, b);
	nlicmp_batch_reset(b);
	/* A full table makes hundreds of messages per listener. */
	cond_resched();
}

/*
 * Without listeners (no batch) the records are dropped: nobody was
 * registered when those packets were seen.
 */
void nlicmp_batch_add(struct nlicmp_net *ns, const struct nlicmp_record *rec)
{
	struct nlicmp_lazy *lazy = nlicmp_lazy_locked(ns);
	size_t size = nlicmp_record_size(rec);
	struct nlicmp_batch *b;

	if (!lazy)
		return;
	b = &lazy->batch;
	if (b->n == NLICMP_BATCH_MAX || b->size + size > nlicmp_event_budget())
		nlicmp_batch_send(ns, b);
	b->rec[b->n++] = *rec;
	b->size += size;
	b->packets += rec->packets;
}

/* ns->lock held. */
void nlicmp_flush_locked(struct nlicmp_net *ns, bool reap)
{
	struct nlicmp_lazy *lazy;

	lockdep_assert_held(&ns->lock);

	atomic64_inc(&ns->flushes);
	nlicmp_table_harvest(ns, reap);
	nlicmp_harvest_counters(ns);
	lazy = nlicmp_lazy_locked(ns);
	if (lazy)
		nlicmp_batch_send(ns, &lazy->batch);
	nlicmp_listeners_reap(ns);
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
	if (ns->n_listeners || nlicmp_table_busy(ns))
		nlicmp_flush_schedule(ns);
out:
	mutex_unlock(&ns->lock);
}

void nlicmp_flush_init(struct nlicmp_net *ns)
{
	INIT_DELAYED_WORK(&ns->flush_work, nlicmp_flush_work);
	ns->last_reap = jiffies;
}

/* Next periodic flush; does nothing if one is already queued. */
void nlicmp_flush_schedule(struct nlicmp_net *ns)
{
	queue_delayed_work(nlicmp_wq, &ns->flush_work,
			   msecs_to_jiffies(nlicmp_flush_ms));
}

/*
 * From the packet path (enough dirty entries for a batch, or a counter
 * half full) and NETLINK_URELEASE (a listener to drop): flush now.
 */
void nlicmp_flush_kick(struct nlicmp_net *ns)
{
	mod_delayed_work(nlicmp_wq, &ns->flush_work, 0);
}
