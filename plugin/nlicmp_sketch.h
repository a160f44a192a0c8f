/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_sketch: a count-min sketch with conservative update, the
 * fixed-size estimator of how many packets a source the table does not
 * track sent in one read interval. An estimate never falls below the
 * truth; it exceeds it only by what other sources sharing all of its
 * cells added, and conservative update raises a cell only as far as the
 * source's own estimate needs, which keeps that excess small.
 */
#ifndef NLICMP_SKETCH_H
#define NLICMP_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#define NLICMP_SKETCH_DEPTH 4

struct nlicmp_sketch;

/* width is rounded up to a power of two. NULL when out of memory. */
struct nlicmp_sketch *nlicmp_sketch_new(uint32_t width, uint64_t seed);
void nlicmp_sketch_free(struct nlicmp_sketch *s);

/* Bytes the sketch occupies (for the documentation's memory bound). */
size_t nlicmp_sketch_size(const struct nlicmp_sketch *s);

/* Count n more for the item hashed to h; returns its new estimate. */
uint64_t nlicmp_sketch_add(struct nlicmp_sketch *s, uint64_t h, uint64_t n);

/* Make the estimate of h at least v (a source handed back by the table
 * keeps the weight it had).
 */
void nlicmp_sketch_raise(struct nlicmp_sketch *s, uint64_t h, uint64_t v);

uint64_t nlicmp_sketch_get(const struct nlicmp_sketch *s, uint64_t h);

/* Forget everything (a new interval). */
void nlicmp_sketch_clear(struct nlicmp_sketch *s);

#endif /* NLICMP_SKETCH_H */
