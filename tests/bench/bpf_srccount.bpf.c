// SPDX-License-Identifier: GPL-2.0
/*
 * The baseline an operator would write with BPF today: a tc ingress program
 * that adds every ICMP/ICMPv6 packet to a per-source hash map. Packets whose
 * source finds no room are only counted in stats[SRCCOUNT_NO_ROOM] (a
 * typical exporter loses them silently; the bench shows how many).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "bpf_srccount.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);	/* the loader may change it */
	__type(key, struct srccount_key);
	__type(value, struct srccount_val);
} srcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRCCOUNT_NSTATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		(*v)++;
}

SEC("tc")
int srccount(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct srccount_key key = {};
	struct srccount_val *v, nv;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_ICMP)
			return TC_ACT_OK;
		key.family = 2;
		__builtin_memcpy(key.addr, &ip->saddr, 4);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_ICMPV6)
			return TC_ACT_OK;
		key.family = 10;
		__builtin_memcpy(key.addr, &ip6->saddr, 16);
	} else {
		return TC_ACT_OK;
	}

	bump(SRCCOUNT_SEEN);
	v = bpf_map_lookup_elem(&srcs, &key);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, skb->len);
		return TC_ACT_OK;
	}
	nv.packets = 1;
	nv.bytes = skb->len;
	if (bpf_map_update_elem(&srcs, &key, &nv, BPF_NOEXIST) == 0)
		return TC_ACT_OK;
	/* Lost a race with another CPU inserting the same key? */
	v = bpf_map_lookup_elem(&srcs, &key);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, skb->len);
		return TC_ACT_OK;
	}
	bump(SRCCOUNT_NO_ROOM);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
