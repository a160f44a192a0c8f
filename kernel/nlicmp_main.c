// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: module parameters, per-namespace state, init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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

unsigned int nlicmp_flush_ms = 1000;
module_param_named(flush_ms, nlicmp_flush_ms, uint, 0444);
MODULE_PARM_DESC(flush_ms, "Interval between two flushes in ms (10-3600000)");

unsigned int nlicmp_max_entries = 65536;
module_param_named(max_entries, nlicmp_max_entries, uint, 0444);
MODULE_PARM_DESC(max_entries, "Table entries per network namespace (1-16777216)");

unsigned int nlicmp_idle_ms = 10000;
module_param_named(idle_ms, nlicmp_idle_ms, uint, 0444);
MODULE_PARM_DESC(idle_ms, "Free an entry idle for this long in ms (10-86400000)");

unsigned int nlicmp_batch_records = 4096;
module_param_named(batch_records, nlicmp_batch_records, uint, 0444);
MODULE_PARM_DESC(batch_records, "Flush early once this many entries changed (1-16777216)");

static unsigned int nlicmp_net_id __read_mostly;

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

	ns->net = net;
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
	ns->closing = true;
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
	ok &= nlicmp_param_ok("flush_ms", nlicmp_flush_ms, 10, 3600000);
	ok &= nlicmp_param_ok("max_entries", nlicmp_max_entries, 1, 1 << 24);
	ok &= nlicmp_param_ok("idle_ms", nlicmp_idle_ms, 10, 86400000);
	ok &= nlicmp_param_ok("batch_records", nlicmp_batch_records, 1, 1 << 24);
	return ok;
}

static int __init nlicmp_init(void)
{
	int err;

	if (!nlicmp_params_ok())
		return -EINVAL;

	err = nlicmp_table_cache_create();
	if (err)
		return err;
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
	return err;
}

static void __exit nlicmp_exit(void)
{
	nlicmp_stop_all();
	nlicmp_genl_unregister();
	nlicmp_notifier_unregister();
	unregister_pernet_subsys(&nlicmp_net_ops);
	nlicmp_table_cache_destroy();
}

module_init(nlicmp_init);
module_exit(nlicmp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Count received ICMP/ICMPv6 per source and report it over Generic Netlink");
MODULE_VERSION(NLICMP_RELEASE);
MODULE_ALIAS_GENL_FAMILY(NLICMP_GENL_NAME);
