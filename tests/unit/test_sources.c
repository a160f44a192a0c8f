// SPDX-License-Identifier: GPL-2.0
/* Unit tests: nlicmp_sources (grouping, ignore list, accounting, the
 * Space-Saving table under floods, timeouts).
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check_main.h"
#include "nlicmp_sources.h"

#define V4(t) NLICMP_KEY(0, t, 0)
#define V6(t) NLICMP_KEY(1, t, 0)

static struct nlicmp_record rec(const char *src, int type, int code,
				uint64_t packets)
{
	struct nlicmp_record r = { .packets = packets, .bytes = packets * 84 };

	if (src == NULL) {
		r.family = AF_INET;
	} else if (strchr(src, ':')) {
		r.family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, src, r.src), 1);
		r.has_src = true;
	} else {
		r.family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, src, r.src), 1);
		r.has_src = true;
	}
	if (type >= 0) {
		r.has_type = true;
		r.type = (uint8_t)type;
	}
	if (code >= 0) {
		r.has_code = true;
		r.code = (uint8_t)code;
	}
	return r;
}

/* A v4 source 10.x.y.z-like spread over the documentation prefixes. */
static struct nlicmp_record rec_n(uint32_t n, int type, uint64_t packets)
{
	struct nlicmp_record r = { .family = AF_INET6, .has_src = true,
				   .has_type = true, .type = (uint8_t)type,
				   .packets = packets, .bytes = packets * 100 };

	inet_pton(AF_INET6, "2001:db8::", r.src);
	r.src[12] = (uint8_t)(n >> 24);
	r.src[13] = (uint8_t)(n >> 16);
	r.src[14] = (uint8_t)(n >> 8);
	r.src[15] = (uint8_t)n;
	return r;
}

static struct nlicmp_sources_conf conf_default(void)
{
	return (struct nlicmp_sources_conf){
		.max_sources = 1000, .v4_prefix = 32, .v6_prefix = 128,
		.family = AF_UNSPEC, .timeout = 0,
	};
}

static const struct nlicmp_snap_source *find(const struct nlicmp_snapshot *s,
					     const char *name)
{
	size_t i;

	for (i = 0; i < s->nsrc; i++) {
		char buf[NLICMP_NET_STRLEN];

		nlicmp_net_format(&s->src[i].net, buf, sizeof(buf));
		if (strcmp(buf, name) == 0)
			return &s->src[i];
	}
	return NULL;
}

static uint64_t get(const struct nlicmp_snapshot *s,
		    const struct nlicmp_snap_source *src, uint32_t key)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (s->count[src->first + i].key == key)
			return s->count[src->first + i].packets;
	return 0;
}

static uint64_t delta(const struct nlicmp_snapshot *s,
		      const struct nlicmp_snap_source *src, uint32_t key)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (s->count[src->first + i].key == key)
			return s->count[src->first + i].delta;
	return 0;
}

/*
 * What a time-series store makes of the snapshots, as the plugin sends
 * them: one series per named source (a source named again continues its
 * series); a series that ends keeps its last values. A fresh series gets
 * only a zero: its values (the fresh interval's too) come at the next
 * snapshot, if the source is still there. The sum of every series' latest
 * values grows by the named sources' deltas. Checks, at every snapshot,
 * that every packet of all is in exactly one series, or waits in a fresh
 * one: all = the series' sum + other + the fresh series' counts.
 */
#define KEYS (1u << 18)
struct pending {		/* a fresh series' counts, not sent yet */
	uint32_t slot, gen;
	uint32_t n;
	uint32_t key[NLICMP_SOURCE_MAX_KEYS];
	uint64_t packets[NLICMP_SOURCE_MAX_KEYS];
	uint64_t bytes;
};

struct store {
	uint64_t *series;	/* by counter key: sum over every series */
	uint64_t series_bytes;
	struct pending *pend;
	size_t npend;
};

static void store_check(struct store *st, const struct nlicmp_snapshot *s)
{
	uint64_t bytes, *waiting = calloc(KEYS, sizeof(*waiting));
	uint64_t waiting_bytes = 0;
	struct pending *next = calloc(s->nsrc + 1, sizeof(*next));
	size_t i, j, k, nnext = 0;

	if (st->series == NULL)
		st->series = calloc(KEYS, sizeof(*st->series));
	for (i = 0; i < s->nsrc; i++) {
		const struct nlicmp_snap_source *p = &s->src[i];

		if (!p->named)
			continue;
		if (p->fresh) {
			struct pending *q = &next[nnext++];

			q->slot = p->slot;
			q->gen = p->gen;
			q->n = (uint32_t)p->n;
			for (j = 0; j < p->n; j++) {
				q->key[j] = s->count[p->first + j].key;
				q->packets[j] = s->count[p->first + j].delta;
				waiting[q->key[j]] += q->packets[j];
			}
			q->bytes = p->bytes_delta;
			waiting_bytes += q->bytes;
			continue;
		}
		for (j = 0; j < p->n; j++)
			st->series[s->count[p->first + j].key] +=
				s->count[p->first + j].delta;
		st->series_bytes += p->bytes_delta;
		/* Its values sent at last: the fresh interval's too. */
		for (k = 0; k < st->npend; k++) {
			struct pending *q = &st->pend[k];

			if (q->slot != p->slot || q->gen != p->gen)
				continue;
			for (j = 0; j < q->n; j++)
				st->series[q->key[j]] += q->packets[j];
			st->series_bytes += q->bytes;
		}
	}
	/* Fresh series whose source left: never sent but their zero. */
	free(st->pend);
	st->pend = next;
	st->npend = nnext;
	for (i = 0; i < s->all.n; i++) {
		uint32_t key = s->count[s->all.first + i].key;

		ck_assert_uint_eq(get(s, &s->other, key) + st->series[key] +
				  waiting[key],
				  s->count[s->all.first + i].packets);
	}
	bytes = s->other.bytes + st->series_bytes + waiting_bytes;
	ck_assert_uint_eq(bytes, s->all.bytes);
	free(waiting);
}

static void store_free(struct store *st)
{
	free(st->series);
	free(st->pend);
	memset(st, 0, sizeof(*st));
}

/* A snapshot with no source ever gone: all = tracked + other. */
static void assert_all_is_sum(const struct nlicmp_snapshot *s)
{
	struct store st = { 0 };

	store_check(&st, s);
	store_free(&st);
}

static uint64_t sum_all(const struct nlicmp_snapshot *s)
{
	uint64_t sum = s->malformed;
	size_t i;

	for (i = 0; i < s->all.n; i++)
		sum += s->count[s->all.first + i].packets;
	return sum;
}

static uint32_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return rng_state >> 8;
}

START_TEST(exact_per_source)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t = nlicmp_sources_new(&c);
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;
	const struct nlicmp_snap_source *a;

	r = rec("198.51.100.10", 8, 0, 3);
	nlicmp_sources_add(t, &r, 1);
	r = rec("198.51.100.10", 8, 0, 2);
	nlicmp_sources_add(t, &r, 2);
	r = rec("198.51.100.10", 3, 1, 1);
	nlicmp_sources_add(t, &r, 2);
	r = rec("198.51.100.20", 0, 0, 7);
	nlicmp_sources_add(t, &r, 2);
	r = rec("2001:db8:1::10", 128, 0, 4);
	nlicmp_sources_add(t, &r, 2);
	ck_assert_uint_eq(nlicmp_sources_count(t), 3);
	ck_assert_int_eq(nlicmp_sources_snapshot(t, &s, 3), 0);

	ck_assert_uint_eq(s.nsrc, 3);
	a = find(&s, "198.51.100.10");
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(get(&s, a, V4(8)), 5);
	ck_assert_uint_eq(get(&s, a, V4(3)), 1);
	ck_assert_uint_eq(a->n, 2);
	ck_assert_uint_eq(a->bytes, 6 * 84);
	a = find(&s, "198.51.100.20");
	ck_assert_uint_eq(get(&s, a, V4(0)), 7);
	a = find(&s, "2001:db8:1::10");
	ck_assert_uint_eq(get(&s, a, V6(128)), 4);
	ck_assert_uint_eq(get(&s, &s.all, V4(8)), 5);
	ck_assert_uint_eq(get(&s, &s.all, V6(128)), 4);
	ck_assert_uint_eq(s.other.n, 0);
	ck_assert_uint_eq(sum_all(&s), 17);
	assert_all_is_sum(&s);

	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(deltas_between_snapshots)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t = nlicmp_sources_new(&c);
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r = rec("198.51.100.10", 8, 0, 10);

	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);
	ck_assert_uint_eq(delta(&s, find(&s, "198.51.100.10"), V4(8)), 10);
	r.packets = 4;
	nlicmp_sources_add(t, &r, 2);
	nlicmp_sources_snapshot(t, &s, 2);
	ck_assert_uint_eq(get(&s, find(&s, "198.51.100.10"), V4(8)), 14);
	ck_assert_uint_eq(delta(&s, find(&s, "198.51.100.10"), V4(8)), 4);
	ck_assert_uint_eq(delta(&s, &s.all, V4(8)), 4);
	nlicmp_sources_snapshot(t, &s, 3);
	ck_assert_uint_eq(delta(&s, find(&s, "198.51.100.10"), V4(8)), 0);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(grouping)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;

	c.v4_prefix = 24;
	c.v6_prefix = 64;
	t = nlicmp_sources_new(&c);
	r = rec("198.51.100.10", 8, 0, 1);
	nlicmp_sources_add(t, &r, 1);
	r = rec("198.51.100.20", 8, 0, 2);
	nlicmp_sources_add(t, &r, 1);
	r = rec("2001:db8:1::10", 128, 0, 3);
	nlicmp_sources_add(t, &r, 1);
	r = rec("2001:db8:1::20", 128, 0, 4);
	nlicmp_sources_add(t, &r, 1);
	r = rec("2001:db8:2::20", 128, 0, 5);
	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);
	ck_assert_uint_eq(s.nsrc, 3);
	ck_assert_uint_eq(get(&s, find(&s, "198.51.100.0_24"), V4(8)), 3);
	ck_assert_uint_eq(get(&s, find(&s, "2001:db8:1::_64"), V6(128)), 7);
	ck_assert_uint_eq(get(&s, find(&s, "2001:db8:2::_64"), V6(128)), 5);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(ignore_list)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_net ign[2];
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;

	ck_assert_int_eq(nlicmp_net_parse("127.0.0.0/8", &ign[0]), 0);
	ck_assert_int_eq(nlicmp_net_parse("2001:db8:9::/48", &ign[1]), 0);
	c.ignore = ign;
	c.nignore = 2;
	/* The ignore list applies to the address, before grouping. */
	c.v4_prefix = 0;
	t = nlicmp_sources_new(&c);
	memset(ign, 0, sizeof(ign));	/* the table keeps its own copy */
	r = rec("127.0.0.1", 8, 0, 5);
	nlicmp_sources_add(t, &r, 1);
	r = rec("2001:db8:9:1::1", 128, 0, 6);
	nlicmp_sources_add(t, &r, 1);
	r = rec("198.51.100.1", 8, 0, 1);
	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);
	ck_assert_uint_eq(s.nsrc, 1);
	ck_assert_uint_eq(get(&s, find(&s, "0.0.0.0_0"), V4(8)), 1);
	ck_assert_uint_eq(get(&s, &s.all, V4(8)), 6);
	ck_assert_uint_eq(get(&s, &s.all, V6(128)), 6);
	ck_assert_uint_eq(s.other.n, 0);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(family_filter)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;

	c.family = AF_INET6;
	t = nlicmp_sources_new(&c);
	r = rec("198.51.100.1", 8, 0, 5);
	nlicmp_sources_add(t, &r, 1);
	r = rec(NULL, 8, -1, 5);
	nlicmp_sources_add(t, &r, 1);
	r = rec("2001:db8::1", 128, 0, 2);
	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);
	ck_assert_uint_eq(s.nsrc, 1);
	ck_assert_uint_eq(sum_all(&s), 2);
	ck_assert_uint_eq(s.other.n, 0);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(unattributed_and_malformed)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t = nlicmp_sources_new(&c);
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;

	r = rec(NULL, 8, -1, 9);		/* no room in the module */
	nlicmp_sources_add(t, &r, 1);
	r = rec(NULL, -1, -1, 2);		/* truncated ICMP header */
	nlicmp_sources_add(t, &r, 1);
	r = rec("198.51.100.1", 8, 0, 1);
	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);
	ck_assert_uint_eq(get(&s, &s.other, V4(8)), 9);
	ck_assert_uint_eq(get(&s, &s.all, V4(8)), 10);
	ck_assert_uint_eq(s.malformed, 2);
	ck_assert_uint_eq(s.all.bytes, 12 * 84);
	ck_assert_uint_eq(sum_all(&s), 12);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(report_codes)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;
	int with;

	for (with = 0; with <= 1; with++) {
		c.report_codes = with;
		t = nlicmp_sources_new(&c);
		r = rec("198.51.100.1", 3, 1, 1);
		nlicmp_sources_add(t, &r, 1);
		r = rec("198.51.100.1", 3, 3, 2);
		nlicmp_sources_add(t, &r, 1);
		nlicmp_sources_snapshot(t, &s, 1);
		if (with) {
			ck_assert_uint_eq(s.src[0].n, 2);
			ck_assert_uint_eq(get(&s, &s.src[0],
					      NLICMP_KEY(0, 3, 3)), 2);
		} else {
			ck_assert_uint_eq(s.src[0].n, 1);
			ck_assert_uint_eq(get(&s, &s.src[0], V4(3)), 3);
		}
		nlicmp_sources_free(t);
	}
	nlicmp_snapshot_free(&s);
}
END_TEST

START_TEST(key_limit_per_source)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t = nlicmp_sources_new(&c);
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;
	int type;

	for (type = 0; type < NLICMP_SOURCE_MAX_KEYS + 6; type++) {
		r = rec("198.51.100.1", type, 0, 1);
		nlicmp_sources_add(t, &r, 1);
	}
	nlicmp_sources_snapshot(t, &s, 1);
	ck_assert_uint_eq(s.src[0].n, NLICMP_SOURCE_MAX_KEYS);
	ck_assert_uint_eq(s.other.n, 6);
	assert_all_is_sum(&s);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(totals_only)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r = rec("198.51.100.1", 8, 0, 4);

	c.max_sources = 0;
	t = nlicmp_sources_new(&c);
	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);
	ck_assert_uint_eq(s.nsrc, 0);
	ck_assert_uint_eq(get(&s, &s.other, V4(8)), 4);
	assert_all_is_sum(&s);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/* Many sources of random weights through a small table, several
 * intervals: all stays exact and equal to the sum, at every snapshot.
 */
START_TEST(exact_under_eviction)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	uint64_t fed = 0;
	int interval, i;

	c.max_sources = 16;
	c.timeout = 3;
	t = nlicmp_sources_new(&c);
	rng_state = 42;
	for (interval = 1; interval <= 20; interval++) {
		for (i = 0; i < 500; i++) {
			uint32_t n = rnd() % 300;
			struct nlicmp_record r =
				rec_n(n, rnd() % 2 ? 128 : 1, 1 + rnd() % 20);

			nlicmp_sources_add(t, &r, (uint64_t)interval);
			fed += r.packets;
		}
		ck_assert_int_eq(nlicmp_sources_snapshot(t, &s,
							 (uint64_t)interval), 0);
		ck_assert_uint_le(s.nsrc, 16);
		ck_assert_uint_eq(sum_all(&s), fed);
		store_check(&st, &s);
	}
	/* Silence: every source times out; their series end where they were
	 * (only what no series showed goes to other: the counts of those
	 * named at the last snapshot, whose series got only a zero), all
	 * unchanged.
	 */
	uint64_t other = get(&s, &s.other, V6(128));

	for (i = 0; i < (int)s.nsrc; i++)
		if (s.src[i].fresh)
			other += delta(&s, &s.src[i], V6(128));

	ck_assert_int_eq(nlicmp_sources_snapshot(t, &s, 100), 0);
	ck_assert_uint_eq(s.nsrc, 0);
	ck_assert_uint_eq(nlicmp_sources_count(t), 0);
	ck_assert_uint_eq(sum_all(&s), fed);
	ck_assert_uint_eq(get(&s, &s.other, V6(128)), other);
	store_check(&st, &s);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/*
 * A spoofed flood of far more sources than MaxSources, with one source
 * sending 10x the typical flooding source: reported by name within two
 * intervals, wherever its record falls in the batch. Flood: nflood
 * distinct sources per interval, fresh each interval (spoofed) or the same
 * ones (steady), each sending `each` packets.
 */
static void heavy_hitter(uint32_t max, uint32_t nflood, uint64_t each,
			 bool spoofed, uint32_t position)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	uint64_t fed = 0;
	const uint32_t heavy = 0xffffff;
	int interval;
	bool named = false;

	c.max_sources = max;
	t = nlicmp_sources_new(&c);
	for (interval = 0; interval < 2; interval++) {
		uint32_t i, base = spoofed ? (uint32_t)interval * nflood : 0;

		for (i = 0; i <= nflood; i++) {
			struct nlicmp_record r;

			if (i == position)
				r = rec_n(heavy, 128, 10 * each);
			else
				r = rec_n(base + i - (i > position), 128, each);
			nlicmp_sources_add(t, &r, (uint64_t)interval);
			fed += r.packets;
		}
		nlicmp_sources_snapshot(t, &s, (uint64_t)interval);
		ck_assert_uint_eq(sum_all(&s), fed);
		store_check(&st, &s);
		ck_assert_uint_eq(s.nsrc, max);
		named = find(&s, "2001:db8::ff:ffff") != NULL;
	}
	ck_assert_msg(named, "heavy source not named: max %u flood %u "
		      "each %lu spoofed %d position %u", max, nflood,
		      (unsigned long)each, spoofed, position);
	/* Once named, its count is exact from then on. */
	ck_assert_uint_ge(get(&s, find(&s, "2001:db8::ff:ffff"),
			      V6(128)), 10 * each);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}

START_TEST(heavy_hitter_spoofed_flood)
{
	uint32_t pos[] = { 0, 1, 5000, 19999, 20000 };
	size_t i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		heavy_hitter(100, 20000, 1, true, pos[i]);
		heavy_hitter(100, 20000, 3, true, pos[i]);
	}
}
END_TEST

START_TEST(heavy_hitter_steady_flood)
{
	uint32_t pos[] = { 0, 9999, 20000 };
	size_t i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++)
		heavy_hitter(1000, 20000, 2, false, pos[i]);
}
END_TEST

/* A flood does not push out an established busy source either. */
START_TEST(busy_source_survives_flood)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;
	uint32_t i;
	int interval;

	c.max_sources = 50;
	t = nlicmp_sources_new(&c);
	for (interval = 0; interval < 5; interval++) {
		r = rec("198.51.100.20", 8, 0, 50);
		nlicmp_sources_add(t, &r, (uint64_t)interval);
		for (i = 0; i < 5000; i++) {
			r = rec_n((uint32_t)interval * 5000 + i, 128, 1);
			nlicmp_sources_add(t, &r, (uint64_t)interval);
		}
		nlicmp_sources_snapshot(t, &s, (uint64_t)interval);
		ck_assert_ptr_nonnull(find(&s, "198.51.100.20"));
		ck_assert_uint_eq(get(&s, find(&s, "198.51.100.20"), V4(8)),
				  50 * (uint64_t)(interval + 1));
	}
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

START_TEST(slot_generation)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;
	uint32_t slot, gen;

	c.max_sources = 1;
	t = nlicmp_sources_new(&c);
	r = rec("198.51.100.1", 8, 0, 1);
	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);
	slot = s.src[0].slot;
	gen = s.src[0].gen;
	r = rec("198.51.100.2", 8, 0, 5);	/* 5 > the decayed 0.5 */
	nlicmp_sources_add(t, &r, 2);
	nlicmp_sources_snapshot(t, &s, 2);
	ck_assert_ptr_nonnull(find(&s, "198.51.100.2"));
	ck_assert_uint_eq(s.src[0].slot, slot);
	ck_assert_uint_ne(s.src[0].gen, gen);
	/* Named at the first snapshot, its series got a zero only (the
	 * plugin sends a new series' values from the next read on): its
	 * one packet, in no series, goes to other.
	 */
	ck_assert_uint_eq(get(&s, &s.other, V4(8)), 1);
	ck_assert_uint_eq(get(&s, &s.all, V4(8)), 6);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/* Evicted before any snapshot showed it: all of it goes to other. */
START_TEST(unshown_counts_go_to_other)
{
	struct nlicmp_sources_conf c = conf_default();
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	struct nlicmp_record r;

	c.max_sources = 1;
	t = nlicmp_sources_new(&c);
	r = rec("198.51.100.1", 8, 0, 2);
	nlicmp_sources_add(t, &r, 1);
	nlicmp_sources_snapshot(t, &s, 1);	/* new series: a zero */
	store_check(&st, &s);
	r = rec("198.51.100.1", 8, 0, 1);
	nlicmp_sources_add(t, &r, 2);
	nlicmp_sources_snapshot(t, &s, 2);	/* shows 3 */
	store_check(&st, &s);
	r = rec("198.51.100.1", 8, 0, 3);	/* 3 more, score 4 */
	nlicmp_sources_add(t, &r, 3);
	r = rec("198.51.100.2", 8, 0, 9);	/* evicts it */
	nlicmp_sources_add(t, &r, 3);
	r = rec("198.51.100.3", 8, 0, 1);	/* no room: other */
	nlicmp_sources_add(t, &r, 3);
	nlicmp_sources_snapshot(t, &s, 3);
	ck_assert_uint_eq(get(&s, &s.other, V4(8)), 3 + 1);
	ck_assert_uint_eq(get(&s, find(&s, "198.51.100.2"), V4(8)), 9);
	ck_assert_uint_eq(s.other.bytes, 4 * 84);
	store_check(&st, &s);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/* ---- the adversarial traffic model (issue 8) ---- */

/* A source id to a record: 2001:db8::<id>, one packet per record unless
 * told, type echo_request (128) unless told.
 */
static struct nlicmp_record rec_id(uint32_t id, int type, uint64_t packets)
{
	return rec_n(id, type, packets);
}

static const struct nlicmp_snap_source *find_id(const struct nlicmp_snapshot *s,
						uint32_t id)
{
	struct nlicmp_record r = rec_id(id, 128, 1);
	struct nlicmp_net n;
	size_t i;

	nlicmp_net_from_bytes(&n, AF_INET6, r.src, 128);
	for (i = 0; i < s->nsrc; i++)
		if (nlicmp_net_equal(&s->src[i].net, &n))
			return &s->src[i];
	return NULL;
}

static uint64_t total_packets(const struct nlicmp_snapshot *s,
			      const struct nlicmp_snap_source *src)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < src->n; i++)
		sum += s->count[src->first + i].packets;
	return sum;
}

static struct nlicmp_sources_conf conf_model(uint32_t max)
{
	struct nlicmp_sources_conf c = conf_default();

	c.max_sources = max;
	c.min_reads = 2;
	return c;
}

/* A table of the model's configuration, as most model tests use it. */
static struct nlicmp_sources *model_table(uint32_t max)
{
	struct nlicmp_sources_conf c = conf_model(max);

	return nlicmp_sources_new(&c);
}

/* A deterministic permutation step: the order records arrive in. */
static uint32_t order(uint32_t i, uint32_t n, uint32_t round)
{
	return (uint32_t)(((uint64_t)i * 7919 + round * 104729) % n);
}

/*
 * nsteady sources at 1 packet per flush, and from read `start` on one
 * source at k packets per flush; flushes flushes per read. The busy
 * source is tracked at the second read after it starts at the latest
 * (first read with 1 flush), named min_reads reads after it is tracked,
 * stays, and its series is exact from then on.
 */
static void steady_plus_busy(uint32_t nsteady, uint32_t k, uint32_t flushes)
{
	struct nlicmp_sources *t = model_table(100);
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	const uint32_t busy = 0xb000000, start = 4;
	int tracked_at = -1, named_at = -1;
	uint64_t shown = 0, sent_since_named = 0;
	uint32_t read, f, i;

	for (read = 1; read <= start + 12; read++) {
		for (f = 0; f < flushes; f++)
			for (i = 0; i <= nsteady; i++) {
				uint32_t j = order(i, nsteady + 1, read * 31 + f);
				struct nlicmp_record r;

				if (j == nsteady && read < start)
					continue;
				r = j == nsteady ? rec_id(busy, 128, k) :
						   rec_id(j, 128, 1);
				nlicmp_sources_add(t, &r, read);
				if (j == nsteady && named_at > 0)
					sent_since_named += k;
			}
		ck_assert_int_eq(nlicmp_sources_snapshot(t, &s, read), 0);
		store_check(&st, &s);
		if (read < start)
			continue;
		if (find_id(&s, busy) != NULL && tracked_at < 0)
			tracked_at = (int)(read - start + 1);
		if (tracked_at > 0)
			ck_assert_msg(find_id(&s, busy) != NULL,
				      "k %u flushes %u: busy source lost at "
				      "read %u", k, flushes, read);
		if (named_at < 0 && find_id(&s, busy) &&
		    find_id(&s, busy)->named) {
			named_at = (int)(read - start + 1);
			shown = total_packets(&s, find_id(&s, busy));
		}
	}
	ck_assert_msg(tracked_at >= 1 && tracked_at <= 2,
		      "k %u flushes %u: tracked at read %d", k, flushes,
		      tracked_at);
	ck_assert_msg(named_at >= 1 && named_at <= tracked_at + 1,
		      "k %u flushes %u: named at read %d", k, flushes,
		      named_at);
	ck_assert_uint_eq(total_packets(&s, find_id(&s, busy)),
			  shown + sent_since_named);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}

START_TEST(model_steady_plus_busy)
{
	static const uint32_t ks[] = { 2, 3, 5, 10 }, fs[] = { 1, 5, 10 };
	size_t a, b;

	for (a = 0; a < 4; a++)
		for (b = 0; b < 3; b++)
			steady_plus_busy(200, ks[a], fs[b]);
}
END_TEST

/*
 * A scanner: 1000 destinations, 4 types, one packet each per flush (1000
 * one-packet records), among 150 steady sources at 1 packet per flush
 * over one destination. Tracked in the first read, named at the second,
 * every packet of it counted under its name from then on.
 */
START_TEST(model_scanner)
{
	struct nlicmp_sources *t = model_table(100);
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	static const int types[] = { 128, 135, 1, 3 };
	const uint32_t scanner = 0x5ca0000;
	uint64_t before = 0;
	uint32_t read, f, i;

	for (read = 1; read <= 4; read++) {
		for (f = 0; f < 10; f++) {
			for (i = 0; i < 150; i++) {
				struct nlicmp_record r = rec_id(i, 128, 1);

				nlicmp_sources_add(t, &r, read);
			}
			for (i = 0; i < 1000; i++) {
				struct nlicmp_record r =
					rec_id(scanner, types[i % 4], 1);

				r.dst[15] = (uint8_t)i;
				r.dst[14] = (uint8_t)(i >> 8);
				nlicmp_sources_add(t, &r, read);
			}
		}
		ck_assert_int_eq(nlicmp_sources_snapshot(t, &s, read), 0);
		store_check(&st, &s);
		ck_assert_ptr_nonnull(find_id(&s, scanner));
		if (read == 1)
			continue;
		ck_assert(find_id(&s, scanner)->named);
		if (read > 2)
			ck_assert_uint_eq(total_packets(&s, find_id(&s, scanner)),
					  before + 10000);
		before = total_packets(&s, find_id(&s, scanner));
	}
	ck_assert_uint_eq(find_id(&s, scanner)->n, 4);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/*
 * 10,000 sources with Zipf-distributed rates (source i sends 20000/i
 * packets per read, at least 1, in 5 flushes, in a shuffled order):
 * the tracked 100 hold at least 95 of the exact top 100.
 */
START_TEST(model_zipf_recall)
{
	struct nlicmp_sources *t = model_table(100);
	struct nlicmp_snapshot s = { 0 };
	const uint32_t n = 10000;
	uint32_t read, f, i, hits = 0;

	for (read = 1; read <= 4; read++)
		for (f = 0; f < 5; f++) {
			for (i = 0; i < n; i++) {
				uint32_t id = order(i, n, read * 5 + f) + 1;
				uint64_t per = 20000 / id, p;

				/* per/5 per flush, the remainder in the
				 * first flushes; a 1-packet source in one.
				 */
				p = per / 5 + (f < per % 5);
				if (p > 0) {
					struct nlicmp_record r =
						rec_id(id, 128, p);

					nlicmp_sources_add(t, &r, read);
				}
			}
			if (f == 4)
				ck_assert_int_eq(nlicmp_sources_snapshot(t, &s,
									 read),
						 0);
		}
	for (i = 1; i <= 100; i++)
		hits += find_id(&s, i) != NULL;
	ck_assert_msg(hits >= 95, "top-100 recall %u%%", hits);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

static uint64_t splitmix_state;
static uint64_t splitmix(void)
{
	uint64_t z = (splitmix_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Distinct names of the named sources seen so far (linear: small). */
struct names {
	struct nlicmp_net *v;
	size_t n, cap;
};

static void names_add(struct names *ns, const struct nlicmp_snapshot *s)
{
	size_t i, j;

	for (i = 0; i < s->nsrc; i++) {
		if (!s->src[i].named)
			continue;
		for (j = 0; j < ns->n; j++)
			if (nlicmp_net_equal(&ns->v[j], &s->src[i].net))
				break;
		if (j < ns->n)
			continue;
		if (ns->n == ns->cap) {
			ns->cap = ns->cap ? 2 * ns->cap : 64;
			ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v));
		}
		ns->v[ns->n++] = s->src[i].net;
	}
}

/*
 * 100 reads of a random spoofed flood (20,000 one-packet records of
 * random IPv4 sources per read, in 10 flushes) over 20 real sources at 5
 * packets per flush, MaxSources 100: every real source named, and the
 * distinct per-source series dispatched stay within MaxSources (the
 * documented extra term is the flood's chance repeats of an address in
 * consecutive reads, about 20000^2/2^32 ~ 0.1 per read... of which none
 * here, the generator being seeded).
 */
START_TEST(model_spoofed_flood_series_bound)
{
	struct nlicmp_sources *t = model_table(100);
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	struct names ns = { 0 };
	uint32_t read, f, i;

	splitmix_state = 8;
	for (read = 1; read <= 100; read++) {
		for (f = 0; f < 10; f++) {
			for (i = 0; i < 2000; i++) {
				struct nlicmp_record r = { .family = AF_INET,
					.has_src = true, .has_type = true,
					.type = 8, .packets = 1, .bytes = 84 };
				uint32_t a = (uint32_t)splitmix();

				memcpy(r.src, &a, 4);
				nlicmp_sources_add(t, &r, read);
				if (i % 100 == 0) {
					struct nlicmp_record real =
						rec_id(i / 100, 128, 5);

					nlicmp_sources_add(t, &real, read);
				}
			}
		}
		ck_assert_int_eq(nlicmp_sources_snapshot(t, &s, read), 0);
		store_check(&st, &s);
		names_add(&ns, &s);
	}
	for (i = 0; i < 20; i++)
		ck_assert(find_id(&s, i) && find_id(&s, i)->named);
	ck_assert_msg(ns.n <= 100, "%zu distinct series", ns.n);
	free(ns.v);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/*
 * Equally busy sources, more of them than MaxSources 100, each 1 packet
 * per flush, 10 flushes per read and one more that the read cuts in two
 * (the rest of its records count in the next interval), the order of
 * the records changing at every flush. Their weights differ by a flush or two only: sources must
 * not take turns, each turn a new series, and past the retired memory a
 * counter reset (fresh again). 100 reads: at most MaxSources series
 * (and a few more, rarely), each named once.
 */
static void equal_sources(uint32_t n)
{
	struct nlicmp_sources *t = model_table(100);
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	struct names ns = { 0 };
	uint32_t read, f, i, fresh = 0;

	splitmix_state = n;
	for (read = 1; read <= 100; read++) {
		uint32_t cut = (uint32_t)(splitmix() % n);

		for (f = 0; f <= 10; f++) {
			uint32_t start = (uint32_t)(splitmix() % n);

			for (i = 0; i < n; i++) {
				struct nlicmp_record r =
					rec_id(order(i, n, start), 128, 1);

				if (f == 10 && i == cut) {
					ck_assert_int_eq(
					    nlicmp_sources_snapshot(t, &s,
								    read), 0);
					store_check(&st, &s);
					names_add(&ns, &s);
				}
				nlicmp_sources_add(t, &r, read);
			}
		}
		for (i = 0; i < s.nsrc; i++)
			fresh += s.src[i].fresh;
	}
	/* The small term: the sketch's rare overestimates (its seed, and
	 * so its collisions, differ at every run).
	 */
	ck_assert_msg(ns.n <= 105, "%zu distinct series", ns.n);
	ck_assert_uint_eq(fresh, ns.n);
	free(ns.v);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}

START_TEST(model_equal_sources_do_not_take_turns)
{
	equal_sources(150);
	equal_sources(1000);
}
END_TEST

/*
 * Evicted and tracked again within the retired memory: the series
 * continues from its cumulative value, named at once, and the interval
 * of its return is in it (nothing lost to a reset or to probation).
 * Beyond the memory: probation, then a new series (fresh).
 */
START_TEST(model_evict_and_readmit)
{
	struct nlicmp_sources *t = model_table(2);
	struct nlicmp_snapshot s = { 0 };
	struct store st = { 0 };
	struct nlicmp_record r;
	uint32_t read = 0, i;

	/* A (id 1) and B (id 2) named after two reads, their values sent
	 * from the third.
	 */
	for (i = 0; i < 3; i++) {
		read++;
		r = rec_id(1, 128, 10);
		nlicmp_sources_add(t, &r, read);
		r = rec_id(2, 128, 20);
		nlicmp_sources_add(t, &r, read);
		nlicmp_sources_snapshot(t, &s, read);
		store_check(&st, &s);
	}
	ck_assert(find_id(&s, 1)->named && find_id(&s, 2)->named);
	ck_assert_uint_eq(total_packets(&s, find_id(&s, 1)), 20);
	/* C, far busier, takes A's place. */
	read++;
	r = rec_id(3, 128, 500);
	nlicmp_sources_add(t, &r, read);
	r = rec_id(2, 128, 20);
	nlicmp_sources_add(t, &r, read);
	nlicmp_sources_snapshot(t, &s, read);
	store_check(&st, &s);
	ck_assert_ptr_null(find_id(&s, 1));
	/* A comes back, far busier than B: its series goes on from 20. */
	read++;
	r = rec_id(3, 128, 500);
	nlicmp_sources_add(t, &r, read);
	r = rec_id(1, 128, 3000);
	nlicmp_sources_add(t, &r, read);
	nlicmp_sources_snapshot(t, &s, read);
	store_check(&st, &s);
	ck_assert_ptr_nonnull(find_id(&s, 1));
	ck_assert(find_id(&s, 1)->named);
	ck_assert(!find_id(&s, 1)->fresh);
	ck_assert_uint_eq(total_packets(&s, find_id(&s, 1)), 20 + 3000);
	ck_assert_uint_eq(delta(&s, find_id(&s, 1), V6(128)), 3000);

	/* More than 4 x 2 = 8 other named sources retire after A: A is
	 * forgotten.
	 */
	for (i = 0; i < 6; i++) {
		uint32_t id = 100 + i, round;

		for (round = 0; round < 2; round++) {
			/* x4 a read: each pair outweighs the one before
			 * (twice its previous interval, and more).
			 */
			uint64_t n = 1ull << (4 + 2 * (2 * i + round));

			read++;
			r = rec_id(id, 128, n);
			nlicmp_sources_add(t, &r, read);
			r = rec_id(id + 1000, 128, n);
			nlicmp_sources_add(t, &r, read);
			nlicmp_sources_snapshot(t, &s, read);
			store_check(&st, &s);
		}
	}
	read++;
	r = rec_id(1, 128, 1ull << 30);
	nlicmp_sources_add(t, &r, read);
	nlicmp_sources_snapshot(t, &s, read);
	ck_assert_ptr_nonnull(find_id(&s, 1));
	ck_assert(!find_id(&s, 1)->named);	/* probation again */
	read++;
	nlicmp_sources_add(t, &r, read);
	nlicmp_sources_snapshot(t, &s, read);
	ck_assert(find_id(&s, 1)->fresh);
	ck_assert_uint_eq(total_packets(&s, find_id(&s, 1)), 1ull << 30);
	store_check(&st, &s);
	store_free(&st);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/*
 * The timestamp race of issue 8, made deterministic: a batch stamped at
 * 20 takes the table before a read stamped at 19 (the read's clock was
 * read first). The source was just heard: it stays, its series too.
 */
START_TEST(model_timestamp_race)
{
	struct nlicmp_sources_conf c = conf_model(10);
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r = rec("198.51.100.7", 8, 0, 5);
	uint64_t now;

	c.timeout = 5;
	c.min_reads = 1;
	t = nlicmp_sources_new(&c);
	for (now = 10; now < 20; now++) {
		nlicmp_sources_add(t, &r, now + 1);
		ck_assert_int_eq(nlicmp_sources_snapshot(t, &s, now), 0);
		ck_assert_ptr_nonnull(find(&s, "198.51.100.7"));
		ck_assert(!find(&s, "198.51.100.7")->fresh || now == 10);
	}
	/* Silence past the timeout still drops it. */
	ck_assert_int_eq(nlicmp_sources_snapshot(t, &s, 26), 0);
	ck_assert_ptr_null(find(&s, "198.51.100.7"));
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

/* MinRate names a busy source at its first read; a slow one waits. */
START_TEST(min_rate_names_at_once)
{
	struct nlicmp_sources_conf c = conf_model(10);
	struct nlicmp_sources *t;
	struct nlicmp_snapshot s = { 0 };
	struct nlicmp_record r;

	c.min_reads = 3;
	c.min_rate = 10;	/* packets per unit of now */
	t = nlicmp_sources_new(&c);
	nlicmp_sources_snapshot(t, &s, 100);
	r = rec("198.51.100.1", 8, 0, 10 * 10);
	nlicmp_sources_add(t, &r, 105);
	r = rec("198.51.100.2", 8, 0, 10 * 10 - 1);
	nlicmp_sources_add(t, &r, 105);
	nlicmp_sources_snapshot(t, &s, 110);
	ck_assert(find(&s, "198.51.100.1")->named);
	ck_assert(find(&s, "198.51.100.1")->fresh);
	ck_assert(!find(&s, "198.51.100.2")->named);
	/* In probation its packets are in other, where they stay. */
	ck_assert_uint_eq(get(&s, &s.other, V4(8)), 99);
	nlicmp_snapshot_free(&s);
	nlicmp_sources_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nlicmp_sources");
	TCase *tc = tcase_create("sources");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, exact_per_source);
	tcase_add_test(tc, deltas_between_snapshots);
	tcase_add_test(tc, grouping);
	tcase_add_test(tc, ignore_list);
	tcase_add_test(tc, family_filter);
	tcase_add_test(tc, unattributed_and_malformed);
	tcase_add_test(tc, report_codes);
	tcase_add_test(tc, key_limit_per_source);
	tcase_add_test(tc, totals_only);
	tcase_add_test(tc, exact_under_eviction);
	tcase_add_test(tc, heavy_hitter_spoofed_flood);
	tcase_add_test(tc, heavy_hitter_steady_flood);
	tcase_add_test(tc, busy_source_survives_flood);
	tcase_add_test(tc, slot_generation);
	tcase_add_test(tc, unshown_counts_go_to_other);
	tcase_add_test(tc, model_steady_plus_busy);
	tcase_add_test(tc, model_scanner);
	tcase_add_test(tc, model_zipf_recall);
	tcase_add_test(tc, model_spoofed_flood_series_bound);
	tcase_add_test(tc, model_evict_and_readmit);
	tcase_add_test(tc, model_equal_sources_do_not_take_turns);
	tcase_add_test(tc, model_timestamp_race);
	tcase_add_test(tc, min_rate_names_at_once);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
