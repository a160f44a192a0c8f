// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: listeners. A listener is a netlink port id in a network
 * namespace; it is added by REGISTER, removed by UNREGISTER, by the close
 * of its socket (NETLINK_URELEASE) or when a unicast finds no socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>

#include "nlicmp.h"

static struct nlicmp_listener *nlicmp_listener_find(struct nlicmp_net *ns,
						    u32 portid)
{
	struct nlicmp_listener *l;

	list_for_each_entry(l, &ns->listeners, node)
		if (l->portid == portid)
			return l;
	return NULL;
}

/* Pairs with smp_load_acquire() in the hooks: ns->unattr is set before. */
static void nlicmp_listeners_publish(struct nlicmp_net *ns, unsigned int n)
{
	smp_store_release(&ns->n_listeners, n);
}

int nlicmp_listener_add(struct nlicmp_net *ns, u32 portid,
			struct netlink_ext_ack *extack)
{
	struct nlicmp_listener *l;
	int err;

	mutex_lock(&ns->lock);
	err = -ESHUTDOWN;
	if (ns->closing) {
		NL_SET_ERR_MSG_MOD(extack, "module is unloading");
		goto out;
	}
	err = -EEXIST;
	if (nlicmp_listener_find(ns, portid)) {
		NL_SET_ERR_MSG_MOD(extack, "this socket is already a listener");
		goto out;
	}
	err = -ENOSPC;
	if (ns->n_listeners >= nlicmp_max_listeners) {
		nlicmp_set_err_fmt(extack, "too many listeners in this namespace",
				   " (max_listeners=%u)", nlicmp_max_listeners);
		goto out;
	}
	err = nlicmp_counters_enable_unattr(ns);
	if (err)
		goto out;
	err = -ENOMEM;
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		goto out;

	/*
	 * What is pending was seen before this listener existed: it goes to
	 * the others (or nowhere), so this one's counters start exact.
	 */
	nlicmp_flush_locked(ns, false);

	l->portid = portid;
	list_add_tail(&l->node, &ns->listeners);
	nlicmp_listeners_publish(ns, ns->n_listeners + 1);
	nlicmp_flush_schedule(ns);
	err = 0;
out:
	mutex_unlock(&ns->lock);
	return err;
}

/* ns->lock held. */
void nlicmp_listener_drop(struct nlicmp_net *ns, struct nlicmp_listener *l)
{
	lockdep_assert_held(&ns->lock);

	list_del(&l->node);
	kfree(l);
	nlicmp_listeners_publish(ns, ns->n_listeners - 1);
}

int nlicmp_listener_del(struct nlicmp_net *ns, u32 portid,
			struct netlink_ext_ack *extack)
{
	struct nlicmp_listener *l;
	int err = 0;

	mutex_lock(&ns->lock);
	l = nlicmp_listener_find(ns, portid);
	if (l) {
		nlicmp_listener_drop(ns, l);
	} else {
		NL_SET_ERR_MSG_MOD(extack, "this socket is not a listener");
		err = -ENOENT;
	}
	mutex_unlock(&ns->lock);
	return err;
}

/* ns->lock held. */
void nlicmp_listeners_clear(struct nlicmp_net *ns)
{
	struct nlicmp_listener *l, *tmp;

	list_for_each_entry_safe(l, tmp, &ns->listeners, node)
		nlicmp_listener_drop(ns, l);
}

/*
 * A netlink socket was closed. netlink_chain is a blocking notifier chain,
 * so the mutex may be taken here.
 */
static int nlicmp_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct nlicmp_listener *l;
	struct nlicmp_net *ns;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;

	ns = nlicmp_pernet(n->net);
	mutex_lock(&ns->lock);
	l = nlicmp_listener_find(ns, n->portid);
	if (l)
		nlicmp_listener_drop(ns, l);
	mutex_unlock(&ns->lock);
	return NOTIFY_DONE;
}

static struct notifier_block nlicmp_netlink_notifier = {
	.notifier_call	= nlicmp_netlink_event,
};

int nlicmp_notifier_register(void)
{
	return netlink_register_notifier(&nlicmp_netlink_notifier);
}

void nlicmp_notifier_unregister(void)
{
	netlink_unregister_notifier(&nlicmp_netlink_notifier);
}
