// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_sources: per-source aggregation in a bounded table of the
 * heaviest sources.
 * See nlicmp_sources.h for the algorithm and the accounting it keeps.
 */
#include "nlicmp_sources.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "nlicmp_hash.h"
#include "nlicmp_retired.h"
#include "nlicmp_sketch.h"

#define NO_SLOT UINT32_MAX

struct count {
	uint32_t key;
	uint64_t packets;
	uint64_t last;		/* packets at the previous snapshot */
};

/* Counters sorted by key: binary search keeps the cost down when
 * report_codes makes many keys.
 */
struct counts {
	struct count *v;
	uint32_t n, cap;
	uint64_t bytes;
	uint64_t bytes_last;	/* bytes at the previous snapshot */
};

struct source {
	struct nlicmp_net net;
	char name[NLICMP_NET_STRLEN];	/* formatted once, on admission */
	/* Named: cumulative, as its series shows them. In probation: since
	 * the previous snapshot (which handed them to other).
	 */
	struct counts c;
	uint64_t hash;		/* net_hash64, the sketch's key */
	uint64_t cur, prev;	/* weight in this and the previous interval */
	uint64_t got;		/* packets counted since the last snapshot */
	uint64_t last_seen;
	uint32_t reads;		/* snapshots with packets, while in probation */
	uint32_t gen;
	uint32_t heap_pos;
	uint32_t hash_next;
	bool used;
	bool named;		/* has a series of its own */
	bool zeroed;		/* fresh at the last snapshot: its series
				 * shows 0 until the next one */
};

struct nlicmp_sources {
	struct nlicmp_sources_conf conf;
	struct nlicmp_net *ignore;
	struct counts all, other;
	uint64_t malformed;
	uint64_t lost;
	struct source *slot;	/* max_sources of them */
	uint32_t *heap;		/* slot numbers, min-heap by score */
	bool heap_stale;	/* scores changed wholesale since it was built */
	uint32_t nused;
	uint32_t *free_slot;	/* stack of unused slots */
	uint32_t nfree;
	uint32_t *bucket;	/* hash chains of slot numbers */
	uint32_t nbucket;	/* power of two */
	uint64_t seed;
	/* Untracked sources' weight in this and the previous interval. */
	struct nlicmp_sketch *sk_cur, *sk_prev;
	struct nlicmp_retired *retired;
	uint64_t last_snapshot;	/* `now` of the previous snapshot, 0: none */
};

/* ---- counters ---- */

static struct count *counts_find(struct counts *c, uint32_t key, uint32_t *at)
{
	uint32_t lo = 0, hi = c->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->v[mid].key == key)
			return &c->v[mid];
		if (c->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return NULL;
}

/* Add packets under key; -ENOMEM, or -ENOSPC beyond max keys. */
static int counts_add(struct counts *c, uint32_t key, uint64_t packets,
		      uint32_t max)
{
	uint32_t at = 0;
	struct count *e = counts_find(c, key, &at);

	if (e == NULL) {
		if (c->n >= max)
			return -ENOSPC;
		if (c->n == c->cap) {
			uint32_t cap = c->cap ? c->cap * 2 : 4;
			struct count *v = realloc(c->v, cap * sizeof(*v));

			if (v == NULL)
				return -ENOMEM;
			c->v = v;
			c->cap = cap;
		}
		memmove(&c->v[at + 1], &c->v[at], (c->n - at) * sizeof(*e));
		c->n++;
		e = &c->v[at];
		e->key = key;
		e->packets = 0;
		e->last = 0;
	}
	e->packets += packets;
	return 0;
}

/*
 * A source leaves: what it got since the previous snapshot, which no
 * snapshot has shown under its name, goes to dst (other); src ends empty
 * (its array kept). What snapshots did show stays in that source's own
 * series, so every packet is in exactly one series' increments.
 */
static int counts_hand_over(struct counts *dst, struct counts *src)
{
	int err = 0;
	uint32_t i;

	for (i = 0; i < src->n; i++)
		if (src->v[i].packets > src->v[i].last &&
		    counts_add(dst, src->v[i].key,
			       src->v[i].packets - src->v[i].last,
			       UINT32_MAX) < 0)
			err = -ENOMEM;
	dst->bytes += src->bytes - src->bytes_last;
	src->n = 0;
	src->bytes = 0;
	src->bytes_last = 0;
	return err;
}

/* ---- hash of grouped sources ---- */

static uint32_t bucket_of(const struct nlicmp_sources *t, uint64_t h)
{
	return (uint32_t)h & (t->nbucket - 1);
}

static uint32_t hash_lookup(const struct nlicmp_sources *t,
			    const struct nlicmp_net *n, uint64_t h)
{
	uint32_t s;

	for (s = t->bucket[bucket_of(t, h)]; s != NO_SLOT;
	     s = t->slot[s].hash_next)
		if (nlicmp_net_equal(&t->slot[s].net, n))
			return s;
	return NO_SLOT;
}

static void hash_remove(struct nlicmp_sources *t, uint32_t s)
{
	uint32_t *p = &t->bucket[bucket_of(t, t->slot[s].hash)];

	while (*p != s)
		p = &t->slot[*p].hash_next;
	*p = t->slot[s].hash_next;
}

/* ---- min-heap of slots by score ---- */

/* Weight over the last two intervals: the one under way and the one
 * before, so that a source is never judged on a fraction of an interval
 * only (at the start of one, every score would be near 0).
 */
static uint64_t score(const struct nlicmp_sources *t, uint32_t s)
{
	return t->slot[s].cur + t->slot[s].prev;
}

static void heap_set(struct nlicmp_sources *t, uint32_t pos, uint32_t s)
{
	t->heap[pos] = s;
	t->slot[s].heap_pos = pos;
}

static void heap_up(struct nlicmp_sources *t, uint32_t pos)
{
	uint32_t s = t->heap[pos];

	while (pos > 0) {
		uint32_t parent = (pos - 1) / 2;

		if (score(t, t->heap[parent]) <= score(t, s))
			break;
		heap_set(t, pos, t->heap[parent]);
		pos = parent;
	}
	heap_set(t, pos, s);
}

static void heap_down(struct nlicmp_sources *t, uint32_t pos)
{
	uint32_t s = t->heap[pos];

	for (;;) {
		uint32_t child = 2 * pos + 1;

		if (child >= t->nused)
			break;
		if (child + 1 < t->nused &&
		    score(t, t->heap[child + 1]) < score(t, t->heap[child]))
			child++;
		if (score(t, s) <= score(t, t->heap[child]))
			break;
		heap_set(t, pos, t->heap[child]);
		pos = child;
	}
	heap_set(t, pos, s);
}

/*
 * A new interval changes every score at once: the heap is rebuilt only
 * when it is next needed (an eviction), not at every read; until then
 * records of tracked sources do not maintain it either.
 */
static void heap_fix(struct nlicmp_sources *t)
{
	uint32_t i;

	if (!t->heap_stale)
		return;
	for (i = t->nused / 2; i-- > 0;)
		heap_down(t, i);
	t->heap_stale = false;
}

/* ---- table ---- */

/* The sketch's width: a few counters per tracked source keeps an
 * untracked source's overestimate well under the lowest tracked weight.
 */
static uint32_t sketch_width(uint32_t max)
{
	uint64_t w = 2 * (uint64_t)max;

	if (w < NLICMP_SKETCH_MIN_WIDTH)
		w = NLICMP_SKETCH_MIN_WIDTH;
	return w > NLICMP_SKETCH_MAX_WIDTH ? NLICMP_SKETCH_MAX_WIDTH :
					     (uint32_t)w;
}

struct nlicmp_sources *nlicmp_sources_new(const struct nlicmp_sources_conf *conf)
{
	struct nlicmp_sources *t = calloc(1, sizeof(*t));
	uint32_t i, max = conf->max_sources;
	uint64_t retired = (uint64_t)NLICMP_RETIRED_FACTOR * max;

	if (t == NULL)
		return NULL;
	t->conf = *conf;
	if (t->conf.min_reads == 0)
		t->conf.min_reads = 1;
	t->nbucket = 1;
	while (t->nbucket < 2 * (uint64_t)max && t->nbucket < (1u << 31))
		t->nbucket <<= 1;
	if (conf->nignore > 0) {
		t->ignore = calloc(conf->nignore, sizeof(*t->ignore));
		if (t->ignore == NULL)
			goto fail;
		memcpy(t->ignore, conf->ignore,
		       conf->nignore * sizeof(*t->ignore));
	}
	t->conf.ignore = t->ignore;
	/* A per-table secret, so a spoofer cannot aim at one hash chain or
	 * at one sketch cell.
	 */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    sizeof(t->seed))
		t->seed = (uint64_t)time(NULL) ^ (uintptr_t)t;
	/* max may be 0 (totals only): allocate at least one element. */
	t->slot = calloc(max ? max : 1, sizeof(*t->slot));
	t->heap = calloc(max ? max : 1, sizeof(*t->heap));
	t->free_slot = calloc(max ? max : 1, sizeof(*t->free_slot));
	t->bucket = malloc(t->nbucket * sizeof(*t->bucket));
	t->sk_cur = nlicmp_sketch_new(sketch_width(max), t->seed);
	t->sk_prev = nlicmp_sketch_new(sketch_width(max), t->seed);
	t->retired = nlicmp_retired_new(retired > UINT32_MAX / 2 ?
					UINT32_MAX / 2 : (uint32_t)retired,
					t->seed);
	if (!t->slot || !t->heap || !t->free_slot || !t->bucket ||
	    !t->sk_cur || !t->sk_prev || !t->retired)
		goto fail;
	for (i = 0; i < t->nbucket; i++)
		t->bucket[i] = NO_SLOT;
	for (i = 0; i < max; i++)
		t->free_slot[i] = max - 1 - i;
	t->nfree = max;
	return t;
fail:
	nlicmp_sources_free(t);
	return NULL;
}

void nlicmp_sources_free(struct nlicmp_sources *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	if (t->slot)
		for (i = 0; i < t->conf.max_sources; i++)
			free(t->slot[i].c.v);
	free(t->slot);
	free(t->heap);
	free(t->free_slot);
	free(t->bucket);
	nlicmp_sketch_free(t->sk_cur);
	nlicmp_sketch_free(t->sk_prev);
	nlicmp_retired_free(t->retired);
	free(t->ignore);
	free(t->all.v);
	free(t->other.v);
	free(t);
}

size_t nlicmp_sources_count(const struct nlicmp_sources *t)
{
	return t->nused;
}

/* A named source's series as the last snapshot showed it, remembered so
 * that it continues if the source comes back.
 */
static void retire(struct nlicmp_sources *t, struct source *e)
{
	struct nlicmp_retired_count v[NLICMP_SOURCE_MAX_KEYS];
	uint32_t i, n = 0;

	for (i = 0; i < e->c.n; i++)
		if (e->c.v[i].last > 0)
			v[n++] = (struct nlicmp_retired_count){
				.key = e->c.v[i].key,
				.packets = e->c.v[i].last,
			};
	if (nlicmp_retired_put(t->retired, &e->net, v, n, e->c.bytes_last) < 0)
		t->lost++;
}

/*
 * The slot leaves the table: its counters go to other, its weight back to
 * the sketches (an evicted source competes again with what it had).
 */
static void source_drop(struct nlicmp_sources *t, uint32_t s)
{
	struct source *e = &t->slot[s];
	uint32_t pos, i;

	heap_fix(t);
	pos = e->heap_pos;
	/* Named at the last snapshot, its series got only a zero (the
	 * plugin sends a new series' values from the next read on): none of
	 * its counts were shown.
	 */
	if (e->zeroed) {
		for (i = 0; i < e->c.n; i++)
			e->c.v[i].last = 0;
		e->c.bytes_last = 0;
	}
	if (e->named)
		retire(t, e);
	if (counts_hand_over(&t->other, &e->c) < 0)
		t->lost++;
	nlicmp_sketch_raise(t->sk_cur, e->hash, e->cur);
	nlicmp_sketch_raise(t->sk_prev, e->hash, e->prev);
	hash_remove(t, s);
	t->nused--;
	if (pos != t->nused) {
		uint32_t moved = t->heap[t->nused];

		heap_set(t, pos, moved);
		heap_down(t, pos);
		heap_up(t, t->slot[moved].heap_pos);
	}
	e->used = false;
	t->free_slot[t->nfree++] = s;
}

/* A series remembered from an earlier stay continues where it was. */
static int source_restore(struct nlicmp_sources *t, struct source *e)
{
	const struct nlicmp_retired_entry *r =
		nlicmp_retired_take(t->retired, &e->net);
	uint32_t i;

	if (r == NULL)
		return 0;
	for (i = 0; i < r->n; i++) {
		if (counts_add(&e->c, r->v[i].key, r->v[i].packets,
			       NLICMP_SOURCE_MAX_KEYS) < 0)
			return -ENOMEM;
	}
	for (i = 0; i < e->c.n; i++)
		e->c.v[i].last = e->c.v[i].packets;
	e->c.bytes = e->c.bytes_last = r->bytes;
	e->named = true;
	return 0;
}

static uint32_t source_take(struct nlicmp_sources *t,
			    const struct nlicmp_net *net, uint64_t hash,
			    uint64_t cur, uint64_t prev, uint64_t now)
{
	uint32_t s = t->free_slot[--t->nfree];
	struct source *e = &t->slot[s];
	uint32_t b = bucket_of(t, hash);

	e->net = *net;
	e->hash = hash;
	nlicmp_net_format(net, e->name, sizeof(e->name));
	e->c.n = 0;
	e->c.bytes = 0;
	e->c.bytes_last = 0;
	e->cur = cur;
	e->prev = prev;
	e->got = 0;
	e->reads = 0;
	e->named = false;
	e->zeroed = false;
	e->last_seen = now;
	e->gen++;
	e->used = true;
	if (source_restore(t, e) < 0) {
		e->c.n = 0;
		e->c.bytes = e->c.bytes_last = 0;
		e->named = false;
		t->lost++;
	}
	e->hash_next = t->bucket[b];
	t->bucket[b] = s;
	heap_set(t, t->nused++, s);
	if (!t->heap_stale)
		heap_up(t, t->nused - 1);
	return s;
}

static bool ignored(const struct nlicmp_sources *t,
		    const struct nlicmp_net *src)
{
	size_t i;

	for (i = 0; i < t->conf.nignore; i++)
		if (nlicmp_net_contains(&t->ignore[i], src))
			return true;
	return false;
}

static void to_other(struct nlicmp_sources *t, uint32_t key,
		     const struct nlicmp_record *rec)
{
	if (counts_add(&t->other, key, rec->packets, UINT32_MAX) < 0)
		t->lost++;
	t->other.bytes += rec->bytes;
}

/*
 * What a newcomer must outweigh to take a tracked source's place: its
 * weight, and at least twice its previous (whole) interval. Early in an
 * interval the incumbent's part of it may simply not have arrived yet
 * (its record of the flush under way comes after the newcomer's, or a
 * read cut a flush in two): equally busy sources then took turns, each
 * turn a new series. The heap stays ordered by score: the lowest score
 * is what leaves.
 */
static uint64_t defended(const struct nlicmp_sources *t, uint32_t s)
{
	uint64_t w = score(t, s), whole = 2 * t->slot[s].prev;

	return whole > w ? whole : w;
}

/*
 * An untracked source's record: count it in the sketch, then admit the
 * source when its estimated weight beats the lowest tracked one's by
 * NLICMP_ADMIT_MARGIN (so sources of equal weight do not take turns).
 * Returns its slot, or NO_SLOT.
 */
static uint32_t admit(struct nlicmp_sources *t, const struct nlicmp_net *src,
		      uint64_t hash, uint64_t packets, uint64_t now)
{
	uint64_t cur = nlicmp_sketch_add(t->sk_cur, hash, packets);
	uint64_t prev = nlicmp_sketch_get(t->sk_prev, hash);

	if (t->nfree == 0) {
		uint32_t min = t->nused ? t->heap[0] : NO_SLOT;
		uint64_t low;

		if (min == NO_SLOT)
			return NO_SLOT;
		heap_fix(t);
		min = t->heap[0];
		low = defended(t, min);
		if (cur + prev <= low + low / NLICMP_ADMIT_MARGIN)
			return NO_SLOT;
		source_drop(t, min);
	}
	/* The record is counted below, as for any tracked source (a
	 * saturated estimate may be below it).
	 */
	return source_take(t, src, hash, cur > packets ? cur - packets : 0,
			   prev, now);
}

void nlicmp_sources_add(struct nlicmp_sources *t,
			const struct nlicmp_record *rec, uint64_t now)
{
	struct nlicmp_net src;
	uint32_t key, s;
	uint64_t hash;
	struct source *e;
	int fam = rec->family;

	if (fam != AF_INET && fam != AF_INET6)
		return;
	if (t->conf.family != AF_UNSPEC && fam != t->conf.family)
		return;

	t->all.bytes += rec->bytes;
	if (!rec->has_type) {
		t->malformed += rec->packets;
		return;
	}
	key = NLICMP_KEY(fam == AF_INET6, rec->type,
			 t->conf.report_codes && rec->has_code ? rec->code : 0);
	if (t->conf.report_codes && !rec->has_code)
		key |= NLICMP_KEY_NOCODE;
	if (counts_add(&t->all, key, rec->packets, UINT32_MAX) < 0)
		t->lost++;

	if (!rec->has_src) {
		to_other(t, key, rec);
		return;
	}
	nlicmp_net_from_bytes(&src, fam, rec->src, 128);
	if (ignored(t, &src))
		return;
	nlicmp_net_from_bytes(&src, fam, rec->src,
			      fam == AF_INET ? t->conf.v4_prefix :
					       t->conf.v6_prefix);

	hash = nlicmp_net_hash(t->seed, &src);
	s = hash_lookup(t, &src, hash);
	if (s == NO_SLOT)
		s = admit(t, &src, hash, rec->packets, now);
	if (s == NO_SLOT) {
		to_other(t, key, rec);
		return;
	}
	e = &t->slot[s];
	e->cur += rec->packets;
	e->got += rec->packets;
	e->last_seen = now;
	if (!t->heap_stale)
		heap_down(t, e->heap_pos);
	if (counts_add(&e->c, key, rec->packets, NLICMP_SOURCE_MAX_KEYS) < 0) {
		to_other(t, key, rec);
		return;
	}
	e->c.bytes += rec->bytes;
}

/* ---- snapshot ---- */

static int snap_grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*v, n * size);
	if (p == NULL)
		return -ENOMEM;
	*v = p;
	*cap = n;
	return 0;
}

static int snap_counts(struct nlicmp_snapshot *snap, struct counts *c,
		       struct nlicmp_snap_source *out)
{
	uint32_t i;

	if (snap_grow((void **)&snap->count, &snap->countcap,
		      snap->ncount + c->n, sizeof(*snap->count)) < 0)
		return -ENOMEM;
	out->bytes = c->bytes;
	out->bytes_delta = c->bytes - c->bytes_last;
	c->bytes_last = c->bytes;
	out->first = snap->ncount;
	out->n = c->n;
	for (i = 0; i < c->n; i++) {
		struct nlicmp_snap_count *o = &snap->count[snap->ncount++];

		o->key = c->v[i].key;
		o->packets = c->v[i].packets;
		o->delta = c->v[i].packets - c->v[i].last;
		c->v[i].last = c->v[i].packets;
	}
	return 0;
}

/* A source in probation: what it got in the interval goes to other, where
 * its packets stay until it has a series of its own.
 */
static int counts_give_all(struct counts *dst, struct counts *src)
{
	int err = 0;
	uint32_t i;

	for (i = 0; i < src->n; i++)
		if (counts_add(dst, src->v[i].key, src->v[i].packets,
			       UINT32_MAX) < 0)
			err = -ENOMEM;
	dst->bytes += src->bytes;
	src->n = 0;
	src->bytes = 0;
	src->bytes_last = 0;
	return err;
}

/* Whether a source in probation gets its series at this snapshot. */
static bool graduates(const struct nlicmp_sources *t, struct source *e,
		      uint64_t now)
{
	if (e->got > 0)
		e->reads++;
	if (e->reads >= t->conf.min_reads)
		return true;
	return t->conf.min_rate > 0 && t->last_snapshot > 0 &&
	       now > t->last_snapshot &&
	       (double)e->got / (double)(now - t->last_snapshot) >=
	       t->conf.min_rate;
}

/* A new interval: the untracked weights move one interval back. */
static void rotate_sketches(struct nlicmp_sources *t)
{
	struct nlicmp_sketch *sk = t->sk_prev;

	t->sk_prev = t->sk_cur;
	t->sk_cur = sk;
	nlicmp_sketch_clear(sk);
}

int nlicmp_sources_snapshot(struct nlicmp_sources *t,
			    struct nlicmp_snapshot *snap, uint64_t now)
{
	uint32_t s;
	int err = 0;

	/* now may precede a record's time when the caller's clock steps
	 * back: such a source was just heard, not silent for ages.
	 */
	if (t->conf.timeout > 0)
		for (s = 0; s < t->conf.max_sources; s++)
			if (t->slot[s].used && now > t->slot[s].last_seen &&
			    now - t->slot[s].last_seen > t->conf.timeout)
				source_drop(t, s);

	snap->nsrc = 0;
	snap->ncount = 0;
	if (snap_grow((void **)&snap->src, &snap->srccap, t->nused,
		      sizeof(*snap->src)) < 0)
		return -ENOMEM;
	for (s = 0; s < t->conf.max_sources; s++) {
		struct source *e = &t->slot[s];
		struct nlicmp_snap_source *o;

		if (!e->used)
			continue;
		o = &snap->src[snap->nsrc++];
		o->net = e->net;
		memcpy(o->name, e->name, sizeof(o->name));
		o->slot = s;
		o->gen = e->gen;
		o->fresh = !e->named && graduates(t, e, now);
		if (o->fresh)
			e->named = true;
		e->zeroed = o->fresh;
		o->named = e->named;
		if (snap_counts(snap, &e->c, o) < 0)
			err = -ENOMEM;
		if (!e->named && counts_give_all(&t->other, &e->c) < 0)
			err = -ENOMEM;
		/* A new interval: the weight moves one interval back. */
		e->prev = e->cur;
		e->cur = 0;
		e->got = 0;
	}
	t->heap_stale = true;
	rotate_sketches(t);
	t->last_snapshot = now;
	/* After the sources: drops and probation moved counts into other. */
	if (snap_counts(snap, &t->all, &snap->all) < 0 ||
	    snap_counts(snap, &t->other, &snap->other) < 0)
		err = -ENOMEM;
	snap->malformed = t->malformed;
	snap->lost = t->lost;
	return err;
}

void nlicmp_snapshot_free(struct nlicmp_snapshot *snap)
{
	free(snap->src);
	free(snap->count);
	memset(snap, 0, sizeof(*snap));
}
