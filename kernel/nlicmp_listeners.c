// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: listeners. A listener is a netlink socket (and its port
 * id) in a network namespace; it is added by REGISTER and removed by
 * UNREGISTER, or by the flush after its socket closed.
 *
 * The list changes under ns->lock; the NETLINK_URELEASE notifier and
 * GET_STATS read it under RCU and never wait for a flush.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "nlicmp.h"

/*
 * ns->lock held. By socket, not port id: netlink_release() frees the port
 * id before it marks the socket SOCK_DEAD, and a new socket bound to it in
 * between is not the closing one's listener.
 */
static struct nlicmp_listener *nlicmp_listener_find(struct nlicmp_net *ns,
						    const struct sock *sk)
{
	struct nlicmp_listener *l;

	list_for_each_entry(l, &ns->listeners, node)
		if (l->sk == sk && !nlicmp_listener_gone(l))
			return l;
	return NULL;
}

/*
 * Its socket is closing: netlink_release() unhashes the socket and marks
 * it SOCK_DEAD right after (sock_orphan()), long before NETLINK_URELEASE.
 * Nothing is built for it from then on; events go to the held socket,
 * never by port id (nlicmp_genl_send_event()), so a socket that took the
 * port id since gets nothing either way. ns->lock held (the listener
 * holds its socket until dropped under it).
 */
bool nlicmp_listener_gone(const struct nlicmp_listener *l)
{
	return sock_flag(l->sk, SOCK_DEAD);
}

/* Pairs with smp_load_acquire() in the hooks: ns->lazy is set before. */
static void nlicmp_listeners_publish(struct nlicmp_net *ns, unsigned int n)
{
	smp_store_release(&ns->n_listeners, n);
}

int nlicmp_listener_add(struct nlicmp_net *ns, struct sock *sk, u32 portid,
			struct netlink_ext_ack *extack)
{
	struct nlicmp_listener *l;
	struct nlicmp_lazy *lazy;
	int err;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the listener");
		return -ENOMEM;
	}
	u64_stats_init(&l->syncp);
	l->portid = portid;
	l->sk = sk;

	mutex_lock(&ns->lock);
	err = -ESHUTDOWN;
	if (ns->closing) {
		NL_SET_ERR_MSG_MOD(extack, "module is unloading");
		goto out;
	}
	/*
	 * What is pending was seen before this listener existed: it goes to
	 * the others (or nowhere), so this one's counters start exact. First
	 * of all: the flush drops listeners that closed, and with the last
	 * one their lazy state, so that a restarted daemon registering before
	 * its old socket was reaped is neither refused for its old socket's
	 * place nor left without a lazy state.
	 */
	nlicmp_flush_locked(ns, false);
	err = -EEXIST;
	if (nlicmp_listener_find(ns, sk)) {
		NL_SET_ERR_MSG_MOD(extack, "this socket is already a listener");
		goto out;
	}

	err = -ENOSPC;
	if (ns->n_listeners >= ns->max_listeners) {
		nlicmp_set_err_fmt(extack, "too many listeners in this namespace",
				   " (max %u)", ns->max_listeners);
		goto out;
	}
	if (!nlicmp_budget_listener_get(ns->budgeted)) {
		if (ns->budgeted)
			NL_SET_ERR_MSG_MOD(extack,
					   "too many listeners in all namespaces (max_listeners_total)");
		else
			NL_SET_ERR_MSG_MOD(extack,
					   "too many listeners left recently, retry after an RCU grace period");
		goto out;
	}
	lazy = rcu_dereference_protected(ns->lazy, lockdep_is_held(&ns->lock));
	if (!lazy) {
		err = -ENOMEM;
		lazy = nlicmp_lazy_alloc(ns->budgeted);
		if (!lazy) {
			NL_SET_ERR_MSG_MOD(extack,
					   "no memory for the unattributed counters");
			nlicmp_budget_listener_put(ns->budgeted);
			goto out;
		}
		rcu_assign_pointer(ns->lazy, lazy);
	}

	sock_hold(sk);
	list_add_tail_rcu(&l->node, &ns->listeners);
	nlicmp_listeners_publish(ns, ns->n_listeners + 1);
	nlicmp_flush_schedule(ns);
	l = NULL;
	err = 0;
out:
	mutex_unlock(&ns->lock);
	kfree(l);
	return err;
}

/*
 * ns->lock held. The last listener takes the lazy state with it, and its
 * share of max_listeners_total stays taken until RCU has freed that state
 * (nlicmp_lazy_free_rcu()): a REGISTER/UNREGISTER loop cannot pile up
 * lazy states waiting for a grace period beyond the budget.
 */
static void nlicmp_listener_drop(struct nlicmp_net *ns,
				 struct nlicmp_listener *l)
{
	struct nlicmp_lazy *lazy;

	lockdep_assert_held(&ns->lock);

	list_del_rcu(&l->node);
	sock_put(l->sk);
	kfree_rcu(l, rcu);
	nlicmp_listeners_publish(ns, ns->n_listeners - 1);
	if (ns->n_listeners) {
		nlicmp_budget_listener_put(ns->budgeted);
		return;
	}
	lazy = rcu_dereference_protected(ns->lazy, lockdep_is_held(&ns->lock));
	RCU_INIT_POINTER(ns->lazy, NULL);
	nlicmp_lazy_free_rcu(lazy);
}

/*
 * The leaver first gets what is pending (a final flush to everyone), so
 * nothing counted while it was registered is lost.
 */
int nlicmp_listener_del(struct nlicmp_net *ns, const struct sock *sk,
			struct netlink_ext_ack *extack)
{
	struct nlicmp_listener *l;
	int err = 0;

	mutex_lock(&ns->lock);
	l = nlicmp_listener_find(ns, sk);
	if (l) {
		nlicmp_flush_locked(ns, false);
		/* Looked up again: the flush drops listeners that closed. */
		l = nlicmp_listener_find(ns, sk);
	}
	if (l) {
		nlicmp_listener_drop(ns, l);
	} else {
		NL_SET_ERR_MSG_MOD(extack, "this socket is not a listener");
		err = -ENOENT;
	}
	mutex_unlock(&ns->lock);
	return err;
}

/* End of a flush: drop the listeners whose socket closed. ns->lock held. */
void nlicmp_listeners_reap(struct nlicmp_net *ns)
{
	struct nlicmp_listener *l, *tmp;

	list_for_each_entry_safe(l, tmp, &ns->listeners, node)
		if (nlicmp_listener_gone(l))
			nlicmp_listener_drop(ns, l);
}

/* ns->lock held. */
void nlicmp_listeners_clear(struct nlicmp_net *ns)
{
	struct nlicmp_listener *l, *tmp;

	list_for_each_entry_safe(l, tmp, &ns->listeners, node)
		nlicmp_listener_drop(ns, l);
}

/* Under RCU or ns->lock. */
void nlicmp_listener_stats(struct nlicmp_listener *l,
			   struct nlicmp_lsn_stats *s)
{
	unsigned int start;

	s->portid = l->portid;
	do {
		start = u64_stats_fetch_begin(&l->syncp);
		s->delivered = u64_stats_read(&l->delivered);
		s->queue_full = u64_stats_read(&l->queue_full);
		s->nomem = u64_stats_read(&l->nomem);
		s->messages = u64_stats_read(&l->messages);
		s->messages_lost = u64_stats_read(&l->messages_lost);
	} while (u64_stats_fetch_retry(&l->syncp, start));
}

/*
 * A netlink socket was closed. Its listener, if any, is already gone for
 * the flush (SOCK_DEAD); have a flush drop it soon, without waiting for
 * ns->lock here (a flush in progress may hold it).
 */
static int nlicmp_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct nlicmp_listener *l;
	struct nlicmp_net *ns;
	bool found = false;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;

	ns = nlicmp_pernet(n->net);
	rcu_read_lock();
	list_for_each_entry_rcu(l, &ns->listeners, node) {
		if (l->portid == n->portid) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	/*
	 * A kick racing with nlicmp_stop() may queue the work after its
	 * cancel: the work then only sees ns->closing, and nlicmp_net_exit()
	 * cancels it again before the state is freed.
	 */
	if (found && !READ_ONCE(ns->closing))
		nlicmp_flush_kick(ns);
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
