/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_prefix: IPv4/IPv6 networks for the collectd plugin: parse
 * "addr[/len]", mask to a prefix, test containment, and format a source
 * for a collectd plugin instance (RFC 5952 for IPv6; "<network>_<len>"
 * for a grouped prefix, since '/' separates identifier fields in collectd).
 */
#ifndef NLICMP_PREFIX_H
#define NLICMP_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address (len = 32 or 128) or a network (host bits zero). */
struct nlicmp_net {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length */
	uint8_t addr[16];	/* network order; AF_INET uses the first 4 */
};

/* Longest formatted network: IPv6 text, '_', three digits, NUL. */
#define NLICMP_NET_STRLEN 64

/* Bits in a family's address: 32, 128, or 0 for an unknown family. */
unsigned int nlicmp_family_bits(int family);

/*
 * Parse "198.51.100.0/24", "2001:db8::/32" or a bare address (a full-length
 * prefix). Host bits beyond the length are cleared. Returns 0, or -EINVAL.
 */
int nlicmp_net_parse(const char *text, struct nlicmp_net *net);

/* Build from raw network-order bytes (4 or 16 by family), masked to len
 * (clamped to the family's length).
 */
void nlicmp_net_from_bytes(struct nlicmp_net *net, int family,
			   const uint8_t *bytes, unsigned int len);

/* True when addr (an address or a narrower network) lies inside net. */
bool nlicmp_net_contains(const struct nlicmp_net *net,
			 const struct nlicmp_net *addr);

bool nlicmp_net_equal(const struct nlicmp_net *a, const struct nlicmp_net *b);

/*
 * Format for a plugin instance: "198.51.100.7", "2001:db8:1::_64",
 * "::ffff:198.51.100.7". Returns the length written (< size) or -ENOSPC.
 */
int nlicmp_net_format(const struct nlicmp_net *net, char *buf, size_t size);

#endif /* NLICMP_PREFIX_H */
