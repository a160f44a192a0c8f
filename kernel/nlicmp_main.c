// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: module parameters, per-namespace state, init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>

#include "nlicmp.h"

unsigned int nlicmp_max_listeners = 8;
module_param_named(max_listeners, nlicmp_max_listeners, uint, 0444);
MODULE_PARM_DESC(max_listeners, "Listeners per network namespace (1-1024)");

static unsigned int nlicmp_child_max_listeners = 2;
module_param_named(child_max_listeners, nlicmp_child_max_listeners, uint, 0444);
MODULE_PARM_DESC(child_max_listeners, "Listeners per network namespace other than the initial one, at most max_listeners (1-1024)");

static unsigned int nlicmp_max_listeners_total = 64;
module_param_named(max_listeners_total, nlicmp_max_listeners_total, uint, 0444);
MODULE_PARM_DESC(max_listeners_total, "Listeners in all network namespaces but the initial one together (1-65536)");

bool nlicmp_userns_listeners;
module_param_named(userns_listeners, nlicmp_userns_listeners, bool, 0444);
MODULE_PARM_DESC(userns_listeners, "Let CAP_NET_ADMIN over a network namespace's owning user namespace listen there (default: initial user namespace only)");

unsigned int nlicmp_flush_ms = 1000;
module_param_named(flush_ms, nlicmp_flush_ms, uint, 0444);
MODULE_PARM_DESC(flush_ms, "Interval between two flushes in ms (10-3600000)");

unsigned int nlicmp_max_entries = 65536;
module_param_named(max_entries, nlicmp_max_entries, uint, 0444);
MODULE_PARM_DESC(max_entries, "Table entries per network namespace (1-16777216)");

static unsigned int nlicmp_child_max_entries = 4096;
module_param_named(child_max_entries, nlicmp_child_max_entries, uint, 0444);
MODULE_PARM_DESC(child_max_entries, "Table entries per network namespace other than the initial one, at most max_entries (1-16777216)");

static unsigned int nlicmp_max_entries_total = 262144;
module_param_named(max_entries_total, nlicmp_max_entries_total, uint, 0444);
MODULE_PARM_DESC(max_entries_total, "Table entries in all network namespaces but the initial one together (1-16777216)");

unsigned int nlicmp_idle_ms = 10000;
module_param_named(idle_ms, nlicmp_idle_ms, uint, 0444);
MODULE_PARM_DESC(idle_ms, "Free an entry idle for this long in ms (10-86400000)");

unsigned int nlicmp_batch_records = 4096;
module_param_named(batch_records, nlicmp_batch_records, uint, 0444);
MODULE_PARM_DESC(batch_records, "Flush early once this many entries changed (1-16777216)");

static unsigned int nlicmp_net_id __read_mostly;

struct workqueue_struct *nlicmp_wq __read_mostly;

/*
 * What the namespaces other than the initial one use of the global
 * budgets: the host's own namespace is bounded by its own caps alone, so
 * no container can starve the host's monitoring. Its listeners (and the
 * lazy state the last one leaves to RCU) have a count of their own, so a
 * REGISTER/UNREGISTER loop there cannot pile up states either (it gets
 * ENOSPC once 2 * max_listeners wait). Entries are taken in softirq, so
 * these are atomics, touched only when an entry or a listener is created
 * or freed, never per packet.
 */
static atomic_t nlicmp_entries_used = ATOMIC_INIT(0);
static atomic_t nlicmp_listeners_used = ATOMIC_INIT(0);
static atomic_t nlicmp_init_listeners_used = ATOMIC_INIT(0);

static bool nlicmp_budget_get(atomic_t *used, unsigned int max)
{
	/* Read first: a spoofed flood on a full budget costs no atomic write. */
	if (atomic_read(used) >= max)
		return false;
	if (atomic_inc_return(used) <= max)
		return true;
	atomic_dec(used);
	return false;
}

bool nlicmp_budget_entry_get(const struct nlicmp_net *ns)
{
	return !ns->budgeted ||
	       nlicmp_budget_get(&nlicmp_entries_used, nlicmp_max_entries_total);
}

/* A put without its get would leave the budget looking full for good. */
static void nlicmp_budget_put(atomic_t *used)
{
	WARN_ON_ONCE(atomic_dec_return(used) < 0);
}

void nlicmp_budget_entry_put(const struct nlicmp_net *ns)
{
	if (ns->budgeted)
		nlicmp_budget_put(&nlicmp_entries_used);
}

/* A bool, not the namespace: the lazy state's RCU callback outlives it. */
bool nlicmp_budget_listener_get(bool budgeted)
{
	/* Room for a restarting daemon's state still waiting for RCU. */
	if (!budgeted)
		return nlicmp_budget_get(&nlicmp_init_listeners_used,
					 2 * nlicmp_max_listeners);
	return nlicmp_budget_get(&nlicmp_listeners_used,
				 nlicmp_max_listeners_total);
}

void nlicmp_budget_listener_put(bool budgeted)
{
	nlicmp_budget_put(budgeted ? &nlicmp_listeners_used :
				     &nlicmp_init_listeners_used);
}

/*
 * Every namespace's state, so that module exit can stop all flushes
 * before the family goes away (a flush must not send with a stale id).
 */
static LIST_HEAD(nlicmp_all_nets);
static DEFINE_MUTEX(nlicmp_all_lock);
static bool nlicmp_stopping;

struct nlicmp_net *nlicmp_pernet(const struct net *net)
{
	return net_generic(net, nlicmp_net_id);
}

static int __net_init nlicmp_net_init(struct net *net)
{
	struct nlicmp_net *ns = nlicmp_pernet(net);
	int err;

	/* Containers (child namespaces) get the smaller caps. */
	ns->max_entries = nlicmp_max_entries;
	ns->max_listeners = nlicmp_max_listeners;
	ns->budgeted = !net_eq(net, &init_net);
	if (ns->budgeted) {
		ns->max_entries = min(ns->max_entries, nlicmp_child_max_entries);
		ns->max_listeners = min(ns->max_listeners,
					nlicmp_child_max_listeners);
	}
	mutex_init(&ns->lock);
	INIT_LIST_HEAD(&ns->listeners);
	nlicmp_flush_init(ns);

	err = nlicmp_counters_init(ns);
	if (err)
		return err;
	err = nlicmp_table_init(ns);
	if (err)
		goto err_counters;
	err = nlicmp_hooks_register(net);
	if (err)
		goto err_table;

	mutex_lock(&nlicmp_all_lock);
	/* A namespace born while the module unloads never gets listeners. */
	ns->closing = nlicmp_stopping;
	list_add(&ns->all_node, &nlicmp_all_nets);
	mutex_unlock(&nlicmp_all_lock);
	return 0;

err_table:
	nlicmp_table_exit(ns);
err_counters:
	nlicmp_counters_exit(ns);
	return err;
}

static void nlicmp_stop(struct nlicmp_net *ns)
{
	mutex_lock(&ns->lock);
	WRITE_ONCE(ns->closing, true);
	nlicmp_listeners_clear(ns);
	mutex_unlock(&ns->lock);
	cancel_delayed_work_sync(&ns->flush_work);
}

/*
 * Hooks may still run until an RCU grace period has passed; the netns core
 * waits for one between .pre_exit and .exit, once for all namespaces.
 */
static void __net_exit nlicmp_net_pre_exit(struct net *net)
{
	nlicmp_hooks_unregister(net);
}

static void __net_exit nlicmp_net_exit(struct net *net)
{
	struct nlicmp_net *ns = nlicmp_pernet(net);

	mutex_lock(&nlicmp_all_lock);
	list_del(&ns->all_node);
	mutex_unlock(&nlicmp_all_lock);

	nlicmp_stop(ns);
	nlicmp_table_exit(ns);
	/* No listener left: nlicmp_listeners_clear() handed it to RCU. */
	WARN_ON_ONCE(rcu_access_pointer(ns->lazy));
	nlicmp_counters_exit(ns);
	mutex_destroy(&ns->lock);
}

static struct pernet_operations nlicmp_net_ops = {
	.init		= nlicmp_net_init,
	.pre_exit	= nlicmp_net_pre_exit,
	.exit		= nlicmp_net_exit,
	.id		= &nlicmp_net_id,
	.size		= sizeof(struct nlicmp_net),
};

static void nlicmp_stop_all(void)
{
	struct nlicmp_net *ns;

	mutex_lock(&nlicmp_all_lock);
	nlicmp_stopping = true;
	list_for_each_entry(ns, &nlicmp_all_nets, all_node)
		nlicmp_stop(ns);
	mutex_unlock(&nlicmp_all_lock);
}

static bool nlicmp_param_ok(const char *name, unsigned int val,
			    unsigned int min, unsigned int max)
{
	if (val >= min && val <= max)
		return true;
	pr_err("%s=%u out of range %u-%u\n", name, val, min, max);
	return false;
}

static bool nlicmp_params_ok(void)
{
	bool ok = true;

	ok &= nlicmp_param_ok("max_listeners", nlicmp_max_listeners, 1, 1024);
	ok &= nlicmp_param_ok("child_max_listeners", nlicmp_child_max_listeners,
			      1, 1024);
	ok &= nlicmp_param_ok("max_listeners_total", nlicmp_max_listeners_total,
			      1, 65536);
	ok &= nlicmp_param_ok("flush_ms", nlicmp_flush_ms, 10, 3600000);
	ok &= nlicmp_param_ok("max_entries", nlicmp_max_entries, 1, 1 << 24);
	ok &= nlicmp_param_ok("child_max_entries", nlicmp_child_max_entries,
			      1, 1 << 24);
	ok &= nlicmp_param_ok("max_entries_total", nlicmp_max_entries_total,
			      1, 1 << 24);
	ok &= nlicmp_param_ok("idle_ms", nlicmp_idle_ms, 10, 86400000);
	ok &= nlicmp_param_ok("batch_records", nlicmp_batch_records, 1, 1 << 24);
	return ok;
}

static int __init nlicmp_init(void)
{
	int err;

	if (!nlicmp_params_ok())
		return -EINVAL;

	/*
	 * An unbound workqueue starts a worker for each work item that finds
	 * none idle, up to its max_active (256 by default): flushes due at
	 * once in many namespaces would each get a kthread. A few per CPU do
	 * the work as well.
	 */
	nlicmp_wq = alloc_workqueue("netlink_icmp", WQ_UNBOUND,
				    max(4U, 2 * num_possible_cpus()));
	if (!nlicmp_wq)
		return -ENOMEM;
	err = nlicmp_table_cache_create();
	if (err)
		goto err_wq;
	err = register_pernet_subsys(&nlicmp_net_ops);
	if (err)
		goto err_cache;
	err = nlicmp_notifier_register();
	if (err)
		goto err_pernet;
	err = nlicmp_genl_register();
	if (err)
		goto err_notifier;
	pr_info("version %s loaded\n", NLICMP_RELEASE);
	return 0;

err_notifier:
	nlicmp_notifier_unregister();
err_pernet:
	unregister_pernet_subsys(&nlicmp_net_ops);
err_cache:
	nlicmp_table_cache_destroy();
err_wq:
	destroy_workqueue(nlicmp_wq);
	return err;
}

static void __exit nlicmp_exit(void)
{
	nlicmp_stop_all();
	nlicmp_genl_unregister();
	nlicmp_notifier_unregister();
	unregister_pernet_subsys(&nlicmp_net_ops);
	/* The lazy states of the last listeners are freed by RCU callbacks. */
	rcu_barrier();
	WARN_ON(atomic_read(&nlicmp_entries_used) ||
		atomic_read(&nlicmp_listeners_used) ||
		atomic_read(&nlicmp_init_listeners_used));
	nlicmp_table_cache_destroy();
	destroy_workqueue(nlicmp_wq);
}

module_init(nlicmp_init);
module_exit(nlicmp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Count received ICMP/ICMPv6 per source and report it over Generic Netlink");
MODULE_VERSION(NLICMP_RELEASE);
MODULE_ALIAS_GENL_FAMILY(NLICMP_GENL_NAME);
