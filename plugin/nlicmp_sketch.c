// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_sketch: count-min sketch, conservative update. Counters are 32
 * bits and saturate: an interval of 4 billion packets from one source is
 * far beyond what the module reports.
 */
#include <stdlib.h>
#include <string.h>

#include "nlicmp_hash.h"
#include "nlicmp_sketch.h"

struct nlicmp_sketch {
	uint32_t mask;		/* width - 1 */
	uint64_t seed[NLICMP_SKETCH_DEPTH];
	uint32_t cell[];	/* NLICMP_SKETCH_DEPTH rows of width */
};

struct nlicmp_sketch *nlicmp_sketch_new(uint32_t width, uint64_t seed)
{
	struct nlicmp_sketch *s;
	uint32_t w = 1;
	int i;

	while (w < width && w < (1u << 24))
		w <<= 1;
	s = calloc(1, sizeof(*s) + (size_t)NLICMP_SKETCH_DEPTH * w *
				   sizeof(s->cell[0]));
	if (s == NULL)
		return NULL;
	s->mask = w - 1;
	for (i = 0; i < NLICMP_SKETCH_DEPTH; i++)
		s->seed[i] = nlicmp_mix64(seed +
					  0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1));
	return s;
}

void nlicmp_sketch_free(struct nlicmp_sketch *s)
{
	free(s);
}

size_t nlicmp_sketch_size(const struct nlicmp_sketch *s)
{
	return sizeof(*s) + (size_t)NLICMP_SKETCH_DEPTH * (s->mask + 1) *
			    sizeof(s->cell[0]);
}

static void cells(const struct nlicmp_sketch *s, uint64_t h,
		  uint32_t idx[NLICMP_SKETCH_DEPTH])
{
	int i;

	for (i = 0; i < NLICMP_SKETCH_DEPTH; i++)
		idx[i] = (uint32_t)i * (s->mask + 1) +
			 ((uint32_t)nlicmp_mix64(h ^ s->seed[i]) & s->mask);
}

static uint64_t min_of(const struct nlicmp_sketch *s,
		       const uint32_t idx[NLICMP_SKETCH_DEPTH])
{
	uint32_t m = UINT32_MAX;
	int i;

	for (i = 0; i < NLICMP_SKETCH_DEPTH; i++)
		if (s->cell[idx[i]] < m)
			m = s->cell[idx[i]];
	return m;
}

/* Conservative update: no cell above what the item's estimate needs. */
static void raise_to(struct nlicmp_sketch *s,
		     const uint32_t idx[NLICMP_SKETCH_DEPTH], uint64_t v)
{
	uint32_t c = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	int i;

	for (i = 0; i < NLICMP_SKETCH_DEPTH; i++)
		if (s->cell[idx[i]] < c)
			s->cell[idx[i]] = c;
}

uint64_t nlicmp_sketch_add(struct nlicmp_sketch *s, uint64_t h, uint64_t n)
{
	uint32_t idx[NLICMP_SKETCH_DEPTH];
	uint64_t v;

	cells(s, h, idx);
	v = min_of(s, idx) + n;
	raise_to(s, idx, v);
	return v > UINT32_MAX ? UINT32_MAX : v;
}

void nlicmp_sketch_raise(struct nlicmp_sketch *s, uint64_t h, uint64_t v)
{
	uint32_t idx[NLICMP_SKETCH_DEPTH];

	cells(s, h, idx);
	raise_to(s, idx, v);
}

uint64_t nlicmp_sketch_get(const struct nlicmp_sketch *s, uint64_t h)
{
	uint32_t idx[NLICMP_SKETCH_DEPTH];

	cells(s, h, idx);
	return min_of(s, idx);
}

void nlicmp_sketch_clear(struct nlicmp_sketch *s)
{
	memset(s->cell, 0, (size_t)NLICMP_SKETCH_DEPTH * (s->mask + 1) *
			   sizeof(s->cell[0]));
}
