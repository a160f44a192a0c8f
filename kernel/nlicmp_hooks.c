// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_icmp: the packet path. Netfilter PRE_ROUTING hooks for IPv4 and
 * IPv6, registered in every network namespace. They only read the packet
 * and always accept it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bottom_half.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "nlicmp.h"

/*
 * Every ICMP message whose header is shorter than this is counted as
 * malformed: the same minimum the IPv4 and IPv6 stacks require before
 * they look at an ICMP message (struct icmphdr and struct icmp6hdr).
 */
#define NLICMP_HDR_MIN	8

/*
 * BH disabled: the hooks run in softirq, but also from nf_reinject() in
 * process context, preemptible, when a queue verdict comes back (nft's
 * counters guard against the same); the per-CPU counters need one writer
 * per CPU at a time.
 */
static void nlicmp_count(struct nlicmp_net *ns, struct nlicmp_key *key,
			 const u8 *icmp, unsigned int len)
{
	local_bh_disable();
	if (!icmp) {
		nlicmp_count_malformed(ns, key->fam, len);
		goto out;
	}
	nlicmp_count_seen(ns);
	/* Without a listener counting is all: no table, no unattributed. */
	if (!smp_load_acquire(&ns->n_listeners))
		goto out;
	key->type = icmp[0];
	key->code = icmp[1];
	nlicmp_table_account(ns, key, len);
out:
	local_bh_enable();
}

static unsigned int nlicmp_hook_v4(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	u8 buf[NLICMP_HDR_MIN];
	struct nlicmp_key key;
	const u8 *icmp;

	/* A later fragment carries no ICMP header: the first one counts. */
	if (iph->protocol != IPPROTO_ICMP || (iph->frag_off & htons(IP_OFFSET)))
		return NF_ACCEPT;

	icmp = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
				  sizeof(buf), buf);
	memset(&key, 0, sizeof(key));
	key.fam = NLICMP_FAM_V4;
	key.src.s6_addr32[0] = iph->saddr;
	key.dst.s6_addr32[0] = iph->daddr;
	nlicmp_count(nlicmp_pernet(state->net), &key, icmp, skb->len);
	return NF_ACCEPT;
}

#if IS_ENABLED(CONFIG_IPV6)
static unsigned int nlicmp_hook_v6(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 buf[NLICMP_HDR_MIN];
	struct nlicmp_key key;
	unsigned int off = 0;
	const u8 *icmp = NULL;
	int proto;

	/*
	 * -ENOENT: not ICMPv6, or a later fragment. -EBADMSG: the extension
	 * header chain ends before the packet says it does; it may have been
	 * ICMPv6, and it is counted as a malformed one.
	 */
	proto = ipv6_find_hdr(skb, &off, IPPROTO_ICMPV6, NULL, NULL);
	if (proto < 0 && proto != -EBADMSG)
		return NF_ACCEPT;
	if (proto >= 0)
		icmp = skb_header_pointer(skb, off, sizeof(buf), buf);
	memset(&key, 0, sizeof(key));
	key.fam = NLICMP_FAM_V6;
	key.src = ip6h->saddr;
	key.dst = ip6h->daddr;
	nlicmp_count(nlicmp_pernet(state->net), &key, icmp, skb->len);
	return NF_ACCEPT;
}
#endif

/*
 * Right after defragmentation (when conntrack's defrag is loaded a
 * reassembled message counts once), before raw, conntrack and NAT.
 */
static const struct nf_hook_ops nlicmp_nf_ops[] = {
	{
		.hook		= nlicmp_hook_v4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook		= nlicmp_hook_v6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
#endif
};

int nlicmp_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, nlicmp_nf_ops,
				     ARRAY_SIZE(nlicmp_nf_ops));
}

void nlicmp_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, nlicmp_nf_ops, ARRAY_SIZE(nlicmp_nf_ops));
}
