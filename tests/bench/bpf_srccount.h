/* SPDX-License-Identifier: GPL-2.0 */
/* Map layout shared by bpf_srccount.bpf.c (tc ingress) and its loader. */
#ifndef BPF_SRCCOUNT_H
#define BPF_SRCCOUNT_H

#include <linux/types.h>

/* One entry per ICMP/ICMPv6 source, as an operator's BPF exporter keeps. */
struct srccount_key {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 pad[3];
	__u8 addr[16];		/* IPv4 in the first 4 bytes */
};

struct srccount_val {
	__u64 packets;
	__u64 bytes;
};

/* Index in the "stats" array map. */
enum {
	SRCCOUNT_SEEN,		/* ICMP/ICMPv6 packets the program saw */
	SRCCOUNT_NO_ROOM,	/* packets whose source did not fit the map */
	SRCCOUNT_NSTATS,
};

#endif
