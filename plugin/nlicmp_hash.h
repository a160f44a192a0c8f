/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_hash: the one hash of the plugin's tables (source table, sketch,
 * retired memory): a 64-bit finaliser, and a grouped source keyed by a
 * per-table secret seed so that a spoofer cannot aim at one chain or
 * one sketch cell.
 */
#ifndef NLICMP_HASH_H
#define NLICMP_HASH_H

#include <stdint.h>
#include <string.h>

#include "nlicmp_prefix.h"

/* MurmurHash3's 64-bit finaliser. */
static inline uint64_t nlicmp_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t nlicmp_net_hash(uint64_t seed, const struct nlicmp_net *n)
{
	uint64_t a, b;

	memcpy(&a, n->addr, 8);
	memcpy(&b, n->addr + 8, 8);
	return nlicmp_mix64(nlicmp_mix64(seed ^ a) ^ b ^
			    ((uint64_t)n->family << 8 | n->len));
}

#endif /* NLICMP_HASH_H */
