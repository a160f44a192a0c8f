// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_retired: fixed array of entries, hash chains and a doubly linked
 * recency list by index; an entry's counter array is kept when the entry
 * is reused, so a full memory allocates nothing more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nlicmp_hash.h"
#include "nlicmp_retired.h"

#define NONE UINT32_MAX

struct nlicmp_retired {
	struct nlicmp_retired_entry *e;
	uint32_t capacity, n;
	uint32_t newest, oldest;
	uint32_t *free_e;	/* stack of unused entries */
	uint32_t nfree;
	uint32_t *bucket;
	uint32_t nbucket;	/* power of two */
	uint64_t seed;
};

static uint32_t bucket_of(const struct nlicmp_retired *r,
			  const struct nlicmp_net *n)
{
	return (uint32_t)nlicmp_net_hash(r->seed, n) & (r->nbucket - 1);
}

struct nlicmp_retired *nlicmp_retired_new(uint32_t capacity, uint64_t seed)
{
	struct nlicmp_retired *r = calloc(1, sizeof(*r));
	uint32_t i;

	if (r == NULL)
		return NULL;
	r->capacity = capacity;
	r->seed = seed;
	r->newest = r->oldest = NONE;
	r->nbucket = 1;
	while (r->nbucket < capacity && r->nbucket < (1u << 31))
		r->nbucket <<= 1;
	r->e = calloc(capacity ? capacity : 1, sizeof(*r->e));
	r->free_e = calloc(capacity ? capacity : 1, sizeof(*r->free_e));
	r->bucket = malloc(r->nbucket * sizeof(*r->bucket));
	if (!r->e || !r->free_e || !r->bucket) {
		nlicmp_retired_free(r);
		return NULL;
	}
	for (i = 0; i < r->nbucket; i++)
		r->bucket[i] = NONE;
	for (i = 0; i < capacity; i++)
		r->free_e[i] = capacity - 1 - i;
	r->nfree = capacity;
	return r;
}

void nlicmp_retired_free(struct nlicmp_retired *r)
{
	uint32_t i;

	if (r == NULL)
		return;
	if (r->e)
		for (i = 0; i < r->capacity; i++)
			free(r->e[i].v);
	free(r->e);
	free(r->free_e);
	free(r->bucket);
	free(r);
}

uint32_t nlicmp_retired_count(const struct nlicmp_retired *r)
{
	return r->n;
}

static uint32_t lookup(const struct nlicmp_retired *r,
		       const struct nlicmp_net *net)
{
	uint32_t i;

	for (i = r->bucket[bucket_of(r, net)]; i != NONE; i = r->e[i].hash_next)
		if (nlicmp_net_equal(&r->e[i].net, net))
			return i;
	return NONE;
}

/* Unlink entry i from its chain and the recency list; it becomes free. */
static void unlink_entry(struct nlicmp_retired *r, uint32_t i)
{
	struct nlicmp_retired_entry *e = &r->e[i];
	uint32_t *p = &r->bucket[bucket_of(r, &e->net)];

	while (*p != i)
		p = &r->e[*p].hash_next;
	*p = e->hash_next;
	if (e->older != NONE)
		r->e[e->older].newer = e->newer;
	else
		r->oldest = e->newer;
	if (e->newer != NONE)
		r->e[e->newer].older = e->older;
	else
		r->newest = e->older;
	r->free_e[r->nfree++] = i;
	r->n--;
}

int nlicmp_retired_put(struct nlicmp_retired *r, const struct nlicmp_net *net,
		       const struct nlicmp_retired_count *v, uint32_t n,
		       uint64_t bytes)
{
	struct nlicmp_retired_entry *e;
	uint32_t i, b;

	if (r->capacity == 0)
		return 0;
	i = lookup(r, net);
	if (i != NONE)
		unlink_entry(r, i);
	if (r->nfree == 0)
		unlink_entry(r, r->oldest);
	i = r->free_e[r->nfree - 1];
	e = &r->e[i];
	if (n > e->cap) {
		struct nlicmp_retired_count *grown =
			realloc(e->v, n * sizeof(*grown));

		if (grown == NULL)
			return -ENOMEM;
		e->v = grown;
		e->cap = n;
	}
	r->nfree--;
	r->n++;
	e->net = *net;
	e->bytes = bytes;
	e->n = n;
	if (n > 0)
		memcpy(e->v, v, n * sizeof(*v));
	b = bucket_of(r, net);
	e->hash_next = r->bucket[b];
	r->bucket[b] = i;
	e->newer = NONE;
	e->older = r->newest;
	if (r->newest != NONE)
		r->e[r->newest].newer = i;
	else
		r->oldest = i;
	r->newest = i;
	return 0;
}

const struct nlicmp_retired_entry *
nlicmp_retired_take(struct nlicmp_retired *r, const struct nlicmp_net *net)
{
	uint32_t i;

	if (r->capacity == 0)
		return NULL;
	i = lookup(r, net);
	if (i == NONE)
		return NULL;
	unlink_entry(r, i);
	return &r->e[i];
}
