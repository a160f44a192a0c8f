/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_retired: a bounded memory of the sources that left the table
 * while they had a series of their own: their cumulative counters, as the
 * last snapshot showed them, so a source tracked again continues its
 * series instead of restarting it from 0 (a counter reset, which a store
 * turns into a lost or NaN rate). Least recently retired is forgotten
 * first once the memory is full.
 */
#ifndef NLICMP_RETIRED_H
#define NLICMP_RETIRED_H

#include <stdint.h>

#include "nlicmp_prefix.h"

struct nlicmp_retired_count {
	uint32_t key;
	uint64_t packets;
};

struct nlicmp_retired_entry {
	struct nlicmp_net net;
	uint64_t bytes;
	struct nlicmp_retired_count *v;
	uint32_t n, cap;
	/* private */
	uint32_t hash_next, older, newer;
};

struct nlicmp_retired;

/* capacity 0: remembers nothing. NULL when out of memory. */
struct nlicmp_retired *nlicmp_retired_new(uint32_t capacity, uint64_t seed);
void nlicmp_retired_free(struct nlicmp_retired *r);

/* Remember net's counters (replacing what was remembered of it). Returns
 * 0 or -ENOMEM (nothing remembered).
 */
int nlicmp_retired_put(struct nlicmp_retired *r, const struct nlicmp_net *net,
		       const struct nlicmp_retired_count *v, uint32_t n,
		       uint64_t bytes);

/* Find net and forget it: its entry, valid until the next put or take,
 * or NULL.
 */
const struct nlicmp_retired_entry *
nlicmp_retired_take(struct nlicmp_retired *r, const struct nlicmp_net *net);

uint32_t nlicmp_retired_count(const struct nlicmp_retired *r);

#endif /* NLICMP_RETIRED_H */
