// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: nlicmp_alert_engine and nlicmp_baseline on synthetic
 * traffic. Records go through the real source table (nlicmp_sources) and
 * the real engine, as the plugin's receiver thread and read callback pass
 * them; only time is synthetic (10 s intervals, collectd's default).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "check_main.h"
#include "icmp_names.h"
#include "nlicmp_alert_engine.h"
#include "nlicmp_baseline.h"
#include "nlicmp_sources.h"

#define INTERVAL 10.0	/* seconds */
#define NS 1000000000ULL

struct rig {
	struct nlicmp_alert_rule rule[4];
	size_t nrule;
	struct nlicmp_sources *table;
	struct nlicmp_alert_engine *engine;
	struct nlicmp_snapshot snap;
	uint64_t now;
	const struct nlicmp_alert_event *ev;
	size_t nev;
};

static struct nlicmp_alert_rule baseline_rule(unsigned int persist)
{
	struct nlicmp_alert_rule r;

	nlicmp_alert_rule_init(&r);
	r.baseline = true;
	r.warning = INFINITY;
	r.failure = INFINITY;
	r.persist = persist;
	r.scope = NLICMP_SCOPE_ALL;
	return r;
}

static void rig_start(struct rig *g, uint32_t max_sources, bool codes)
{
	struct nlicmp_sources_conf sc = {
		.max_sources = max_sources,
		.v4_prefix = 32,
		.v6_prefix = 64,
		.report_codes = codes,
		.family = AF_UNSPEC,
	};
	struct nlicmp_alert_engine_conf ac = {
		.rule = g->rule,
		.nrule = g->nrule,
		.max_sources = max_sources,
		.codes = codes,
	};

	g->table = nlicmp_sources_new(&sc);
	g->engine = nlicmp_alert_engine_new(&ac);
	ck_assert_ptr_nonnull(g->table);
	ck_assert_ptr_nonnull(g->engine);
	memset(&g->snap, 0, sizeof(g->snap));
	g->now = 0;
}

static void rig_stop(struct rig *g)
{
	nlicmp_sources_free(g->table);
	nlicmp_alert_engine_free(g->engine);
	nlicmp_snapshot_free(&g->snap);
}

/* What the receiver thread does with one record. */
static void send_rec(struct rig *g, int family, const uint8_t *src, int type,
		     int code, uint64_t packets)
{
	struct nlicmp_record r = {
		.family = family, .has_src = src != NULL, .has_type = true,
		.has_code = src != NULL, .type = (uint8_t)type,
		.code = (uint8_t)code, .packets = packets,
		.bytes = packets * 84,
	};

	if (src)
		memcpy(r.src, src, family == AF_INET ? 4 : 16);
	nlicmp_sources_add(g->table, &r, g->now);
	nlicmp_alert_engine_record(g->engine, &r);
}

/* count echo requests from 198.51.100.<host> in this interval */
static void echo_from(struct rig *g, unsigned int host, uint64_t count)
{
	uint8_t a[4] = { 198, 51, 100, (uint8_t)host };

	if (count > 0)
		send_rec(g, AF_INET, a, 8, 0, count);
}

/* End an interval: what the read callback does. */
static size_t tick(struct rig *g)
{
	g->now += (uint64_t)(INTERVAL * NS);
	ck_assert_int_eq(nlicmp_sources_snapshot(g->table, &g->snap, g->now),
			 0);
	g->nev = nlicmp_alert_engine_run(g->engine, &g->snap, INTERVAL,
					 &g->ev);
	return g->nev;
}

static int level_of(const struct rig *g, const char *instance)
{
	size_t i;

	for (i = 0; i < g->nev; i++)
		if (strcmp(g->ev[i].instance, instance) == 0)
			return g->ev[i].level;
	return -1;
}

/* An hour at a steady 100 packets/s from one source. */
static void learn_hour(struct rig *g, double rate)
{
	int i;

	for (i = 0; i < 360; i++) {
		echo_from(g, 7, (uint64_t)(rate * INTERVAL));
		tick(g);
		ck_assert_uint_eq(g->nev, 0);
	}
}

START_TEST(step_fires_within_persist_plus_one)
{
	static const unsigned int persists[] = { 1, 2, 3 };
	size_t p;

	for (p = 0; p < 3; p++) {
		struct rig g = { .nrule = 1 };
		int i, fired = -1;

		g.rule[0] = baseline_rule(persists[p]);
		rig_start(&g, 10, false);
		learn_hour(&g, 100);
		for (i = 1; i <= 10 && fired < 0; i++) {
			echo_from(&g, 7, 1000 * 10);
			if (tick(&g) > 0)
				fired = i;
		}
		ck_assert_int_ge(fired, 1);
		ck_assert_int_le(fired, (int)persists[p] + 1);
		/* 10x is beyond FailureDeviations (10) too. */
		ck_assert_int_eq(level_of(&g, "all"), NLICMP_LEVEL_FAILURE);
		ck_assert(g.ev[0].learned);
		ck_assert(fabs(g.ev[0].baseline - 100) < 1);
		ck_assert(fabs(g.ev[0].rate - 1000) < 1e-9);
		/* Learned spread is 0: the floor, 10 % of the mean (the
		 * pending intervals of Persist are learned at a tenth).
		 */
		ck_assert(fabs(g.ev[0].threshold - 200) < 1);
		ck_assert_msg(strncmp(g.ev[0].message,
				      "ICMP from all: 1000 packets/s, above "
				      "failure threshold 20", 55) == 0 &&
			      strstr(g.ev[0].message, " (baseline 100.") &&
			      strstr(g.ev[0].message, "; top: 198.51.100.7 "
						      "1000/s"),
			      "%s", g.ev[0].message);
		/* Back to normal: OKAY at once. */
		echo_from(&g, 7, 1000);
		ck_assert_uint_eq(tick(&g), 1);
		ck_assert_int_eq(g.ev[0].level, NLICMP_LEVEL_OKAY);
		rig_stop(&g);
	}
}
END_TEST

START_TEST(gradual_doubling_does_not_fire)
{
	struct rig g = { .nrule = 1 };
	int i;
	size_t fired = 0;

	g.rule[0] = baseline_rule(1);
	rig_start(&g, 10, false);
	learn_hour(&g, 100);
	/* 100 -> 200 packets/s over an hour, then an hour at 200. */
	for (i = 1; i <= 720; i++) {
		double rate = 100 * pow(2, fmin(i, 360) / 360.0);

		echo_from(&g, 7, (uint64_t)llround(rate * INTERVAL));
		fired += tick(&g);
	}
	ck_assert_uint_eq(fired, 0);
	rig_stop(&g);
}
END_TEST

START_TEST(noisy_day_at_most_one_false_warning)
{
	struct rig g = { .nrule = 1 };
	size_t warnings = 0, i, n;
	unsigned int seed;

	for (seed = 1; seed <= 3; seed++) {
		g.rule[0] = baseline_rule(1);
		rig_start(&g, 10, false);
		srandom(seed);
		warnings = 0;
		/* A day at 100 packets/s +- 30 %, uniform. */
		for (i = 0; i < 8640; i++) {
			double noise = (double)random() / RAND_MAX * 0.6 - 0.3;

			echo_from(&g, 7, (uint64_t)llround(100 * (1 + noise) *
							  INTERVAL));
			tick(&g);
			for (n = 0; n < g.nev; n++)
				if (g.ev[n].level != NLICMP_LEVEL_OKAY)
					warnings++;
		}
		ck_assert_uint_le(warnings, 1);
		rig_stop(&g);
	}
}
END_TEST

START_TEST(learning_period_respected)
{
	struct rig g = { .nrule = 1 };
	int i;

	g.rule[0] = baseline_rule(1);
	g.rule[0].learn_for = 600;
	rig_start(&g, 10, false);
	/* Spikes during the 600 s of learning never fire... */
	for (i = 1; i <= 60; i++) {
		echo_from(&g, 7, (uint64_t)(i % 10 == 0 ? 100000 : 1000));
		tick(&g);
		ck_assert_uint_eq(g.nev, 0);
		if (i * INTERVAL >= 600)
			break;
	}
	/* ...the first one after it does, against what was learned (the
	 * spikes included: learning takes what it sees as normal).
	 */
	echo_from(&g, 7, 1000000);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert_msg(g.ev[0].level == NLICMP_LEVEL_FAILURE, "%s",
		      g.ev[0].message);
	ck_assert(g.ev[0].baseline > 100 && g.ev[0].baseline < 10000);
	rig_stop(&g);
}
END_TEST

START_TEST(min_rate_floor)
{
	struct rig g = { .nrule = 1 };
	int i;

	g.rule[0] = baseline_rule(1);
	g.rule[0].learn_for = 100;
	g.rule[0].min_rate = 50;
	rig_start(&g, 10, false);
	for (i = 0; i < 10; i++) {
		echo_from(&g, 7, 10);	/* 1 packet/s */
		tick(&g);
	}
	/* 40 times the baseline, but under MinRate: nothing. */
	echo_from(&g, 7, 400);
	ck_assert_uint_eq(tick(&g), 0);
	echo_from(&g, 7, 500);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert(g.ev[0].threshold == 50);
	rig_stop(&g);
}
END_TEST

/* Fixed rates besides a baseline: the lower threshold wins, and the fixed
 * one already applies while learning.
 */
START_TEST(fixed_besides_baseline)
{
	struct rig g = { .nrule = 1 };

	g.rule[0] = baseline_rule(1);
	g.rule[0].warning = 500;
	rig_start(&g, 10, false);
	echo_from(&g, 7, 6000);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert_int_eq(g.ev[0].level, NLICMP_LEVEL_WARNING);
	ck_assert(!g.ev[0].learned);
	ck_assert(g.ev[0].threshold == 500);
	rig_stop(&g);
}
END_TEST

/* Per source: each learns its own normal; a spoofed flood never grows
 * the engine beyond MaxSources x rules.
 */
START_TEST(memory_bounded_under_spoofed_flood)
{
	struct rig g = { .nrule = 2 };
	size_t mem, i, r, events = 0;

	g.rule[0] = baseline_rule(1);
	g.rule[0].scope = NLICMP_SCOPE_EACH;
	g.rule[0].learn_for = 60;
	nlicmp_alert_rule_init(&g.rule[1]);
	rig_start(&g, 100, false);
	mem = nlicmp_alert_engine_memory(g.engine);
	ck_assert_uint_le(mem, 2 * 100 * 2 * (sizeof(struct nlicmp_alert_event) +
					      128) + 4096);
	srandom(7);
	for (r = 0; r < 100; r++) {
		for (i = 0; i < 2000; i++) {
			uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
			uint32_t x = (uint32_t)random();

			memcpy(a + 4, &x, 4);
			send_rec(&g, AF_INET6, a, 128, 0, 1 + x % 3);
		}
		tick(&g);
		events += g.nev;
		ck_assert_uint_le(g.nev, 2 * 100 * 2 + 2);
		ck_assert_uint_eq(nlicmp_alert_engine_memory(g.engine), mem);
	}
	/* Light spoofed sources never reach the default 100 packets/s. */
	ck_assert_uint_eq(events, 0);
	rig_stop(&g);
}
END_TEST

/* 50 sources, each at a tenth of the threshold, most of them never
 * tracked (MaxSources 10): the network's sum fires, no source does.
 */
START_TEST(aggregate_catches_distributed_flood)
{
	struct rig g = { .nrule = 2 };
	const struct nlicmp_alert_event *ev = NULL;
	size_t i;
	int r;

	nlicmp_alert_rule_init(&g.rule[0]);
	g.rule[0].scope = NLICMP_SCOPE_NET;
	g.rule[0].aggregate = true;
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.0/24", &g.rule[0].net),
			 0);
	nlicmp_alert_rule_init(&g.rule[1]);
	g.rule[1].scope = NLICMP_SCOPE_NET;
	g.rule[1].net = g.rule[0].net;
	rig_start(&g, 10, false);
	for (r = 0; r < 2 && ev == NULL; r++) {
		for (i = 1; i <= 50; i++)
			echo_from(&g, (unsigned int)i, 10 * 10); /* 10/s */
		/* Outside the network: not in its sum. */
		send_rec(&g, AF_INET, (const uint8_t[]){ 203, 0, 113, 9 }, 8,
			 0, 5000);
		tick(&g);
		for (i = 0; i < g.nev; i++) {
			ck_assert_str_eq(g.ev[i].instance, "198.51.100.0_24");
			ev = &g.ev[i];
		}
	}
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->level, NLICMP_LEVEL_WARNING);
	ck_assert(fabs(ev->rate - 500) < 1e-9);
	ck_assert_str_eq(ev->source, "198.51.100.0/24");
	ck_assert_str_eq(ev->scope, "network");
	ck_assert_uint_eq(ev->ntop, 3);
	ck_assert(ev->top[0].rate == 10);
	ck_assert_ptr_nonnull(strstr(ev->message,
				     "ICMP from 198.51.100.0/24 (sum): 500 "
				     "packets/s, above warning threshold 100; "
				     "top: 198.51.100."));
	rig_stop(&g);
}
END_TEST

/* "all" names its three busiest sources, busiest first. */
START_TEST(all_names_top_three)
{
	struct rig g = { .nrule = 1 };

	nlicmp_alert_rule_init(&g.rule[0]);
	g.rule[0].scope = NLICMP_SCOPE_ALL;
	rig_start(&g, 10, false);
	echo_from(&g, 1, 100);
	echo_from(&g, 2, 800);
	echo_from(&g, 3, 300);
	echo_from(&g, 4, 200);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert_uint_eq(g.ev[0].ntop, 3);
	ck_assert_str_eq(g.ev[0].top[0].name, "198.51.100.2");
	ck_assert(g.ev[0].top[0].rate == 80);
	ck_assert_str_eq(g.ev[0].top[1].name, "198.51.100.3");
	ck_assert_str_eq(g.ev[0].top[2].name, "198.51.100.4");
	ck_assert_str_eq(g.ev[0].message,
			 "ICMP from all: 140 packets/s, above warning threshold "
			 "100; top: 198.51.100.2 80/s, 198.51.100.3 30/s, "
			 "198.51.100.4 20/s");
	rig_stop(&g);
}
END_TEST

/* pmtu: IPv4 fragmentation needed and IPv6 packet too big, whatever the
 * metrics' ReportCodes (the table keeps codes for the engine).
 */
START_TEST(pmtu_class)
{
	struct rig g = { .nrule = 1 };
	const char *why;
	uint8_t v6[16];

	nlicmp_alert_rule_init(&g.rule[0]);
	ck_assert_int_eq(icmp_match_parse("pmtu", &g.rule[0].match, &why), 0);
	snprintf(g.rule[0].type, sizeof(g.rule[0].type), "pmtu");
	g.rule[0].warning = 2;
	ck_assert(nlicmp_alert_needs_codes(&g.rule[0]));
	rig_start(&g, 10, true);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::9", v6), 1);
	/* Port unreachable is not PMTU: nothing. */
	send_rec(&g, AF_INET, (const uint8_t[]){ 198, 51, 100, 9 }, 3, 3,
		 1000);
	ck_assert_uint_eq(tick(&g), 0);
	send_rec(&g, AF_INET, (const uint8_t[]){ 198, 51, 100, 9 }, 3, 4, 30);
	send_rec(&g, AF_INET6, v6, 2, 0, 30);
	ck_assert_uint_eq(tick(&g), 2);
	ck_assert_str_eq(g.ev[0].instance, "198.51.100.9");
	ck_assert_str_eq(g.ev[1].instance, "2001:db8::_64");
	ck_assert_str_eq(g.ev[0].message, "ICMP pmtu from 198.51.100.9: 3 "
			 "packets/s, above warning threshold 2");
	rig_stop(&g);
}
END_TEST

/* Learned baselines survive a restart through the state file: the next
 * engine fires at once on a step, without learning again.
 */
START_TEST(baselines_saved_and_loaded)
{
	struct rig g = { .nrule = 2 }, h = { .nrule = 2 };
	char *text = NULL;
	struct nlicmp_alert_load_stats st;
	size_t len = 0;
	FILE *f;
	int i;

	g.rule[0] = baseline_rule(1);
	g.rule[1] = baseline_rule(1);
	g.rule[1].scope = NLICMP_SCOPE_EACH;
	snprintf(g.rule[1].type, sizeof(g.rule[1].type), "echo_request");
	g.rule[1].match.any = false;
	g.rule[1].match.n = 1;
	g.rule[1].match.e[0] = (struct icmp_match_entry){ AF_INET, 8, -1 };
	rig_start(&g, 10, false);
	learn_hour(&g, 100);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(nlicmp_alert_engine_save(g.engine, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "netlink_icmp-baselines 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "type=any,scope=all,net=-,"
					   "aggregate=0 total 100 0 3600\n"));
	ck_assert_ptr_nonnull(strstr(text, "type=echo_request,scope=each,"
					   "net=-,aggregate=0 198.51.100.7 "
					   "100 0 3600\n"));
	rig_stop(&g);

	memcpy(h.rule, g.rule, sizeof(h.rule));
	rig_start(&h, 10, false);
	/* Plus a line of a rule no longer configured, and garbage. */
	text = realloc(text, len + 128);
	strcat(text, "type=pmtu,scope=all,net=-,aggregate=0 total 5 1 3600\n"
		     "not a baseline\n");
	f = fmemopen(text, strlen(text), "r");
	ck_assert_uint_eq(nlicmp_alert_engine_load(h.engine, f, &st), 2);
	ck_assert_uint_eq(st.skipped, 2);
	/* The changed rule's line is no error; the garbage is. */
	ck_assert_uint_eq(st.invalid, 1);
	ck_assert_uint_eq(st.first_invalid, 5);
	fclose(f);
	free(text);
	/* The source is tracked again and steps at once: both fire. */
	echo_from(&h, 7, 10000);
	ck_assert_uint_eq(tick(&h), 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(h.ev[i].level, NLICMP_LEVEL_FAILURE);
		ck_assert(h.ev[i].learned && h.ev[i].baseline == 100);
	}
	rig_stop(&h);

	/* A corrupt file: an overlong line is skipped whole, the valid
	 * line at its end too.
	 */
	rig_start(&h, 10, false);
	text = calloc(1, 1024);
	strcpy(text, "netlink_icmp-baselines 1\n");
	memset(text + strlen(text), 'x', 511);	/* fgets' buffer, less 1 */
	strcat(text, "type=any,scope=all,net=-,aggregate=0 total 5 1 3600\n");
	f = fmemopen(text, strlen(text), "r");
	ck_assert_uint_eq(nlicmp_alert_engine_load(h.engine, f, &st), 0);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_uint_eq(st.invalid, 1);
	ck_assert_uint_eq(st.first_invalid, 2);
	fclose(f);
	free(text);
	rig_stop(&h);

	/* Not a state file: nothing taken. */
	rig_start(&h, 10, false);
	f = fmemopen("hello\n", 6, "r");
	ck_assert_uint_eq(nlicmp_alert_engine_load(h.engine, f, &st), 0);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_uint_eq(st.invalid, 1);
	ck_assert_uint_eq(st.first_invalid, 1);
	fclose(f);
	rig_stop(&h);
}
END_TEST

/* Load a state file's text into a fresh engine of g's rules. */
static size_t load_text(struct rig *g, const char *text,
			struct nlicmp_alert_load_stats *st)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	rig_start(g, 10, false);
	n = nlicmp_alert_engine_load(g->engine, f, st);
	fclose(f);
	return n;
}

#define TOTAL_KEY "type=any,scope=all,net=-,aggregate=0 total "
#define EACH_KEY "type=any,scope=each,net=-,aggregate=0 198.51.100.7 "
#define EACH8_KEY "type=any,scope=each,net=-,aggregate=0 198.51.100.8 "

/* A saved value no rate can reach (or no number at all) would silence
 * its subject: mean + k spread = 1e300 is never crossed. Such lines are
 * refused, counted and the rest of the file taken.
 */
START_TEST(state_file_values_capped)
{
	static const char *const bad[] = {
		"1e300 0 3600", "100 1e300 3600", "100 0 1e300",
		"inf 0 3600", "100 inf 3600", "100 0 inf",
		"nan 0 3600", "100 nan 3600", "100 0 nan",
		"-1 0 3600", "100 -1 3600", "100 0 -1", "100 0 0",
		"1000000001 0 3600", "100 1000000001 3600",
		"100 0 31536001", "100 0 3600 7", "100 0 3600x",
		"0x1p100 0 3600",
	};
	struct rig g = { .nrule = 2 };
	struct nlicmp_alert_load_stats st;
	char text[4096];
	size_t i, len;

	g.rule[0] = baseline_rule(1);
	g.rule[1] = baseline_rule(1);
	g.rule[1].scope = NLICMP_SCOPE_EACH;
	g.rule[1].learn_for = NLICMP_DURATION_MAX;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "netlink_icmp-baselines 1\n"
			 TOTAL_KEY "%s\n" EACH_KEY "%s\n", bad[i], bad[i]);
		ck_assert_msg(load_text(&g, text, &st) == 0, "took %s", bad[i]);
		ck_assert_uint_eq(st.skipped, 2);
		ck_assert_uint_eq(st.invalid, 2);
		ck_assert_uint_eq(st.first_invalid, 2);
		rig_stop(&g);
	}
	/* The bounds themselves are fine. */
	ck_assert_uint_eq(load_text(&g, "netlink_icmp-baselines 1\n"
				    TOTAL_KEY "1e9 1e9 3600\n"
				    EACH_KEY "0 0 31536000\n", &st), 2);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_uint_eq(st.invalid, 0);
	ck_assert_uint_eq(st.first_invalid, 0);
	rig_stop(&g);

	/* Bad lines among good ones: the good ones are taken and used. */
	len = (size_t)snprintf(text, sizeof(text),
			       "netlink_icmp-baselines 1\n"
			       EACH_KEY "1e300 0 3600\n"
			       TOTAL_KEY "100 0 3600\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					EACH_KEY "%s\n", bad[i]);
	ck_assert_uint_lt(len, sizeof(text));
	g.rule[1].learn_for = 3600;
	ck_assert_uint_eq(load_text(&g, text, &st), 1);
	ck_assert_uint_eq(st.invalid, 1 + sizeof(bad) / sizeof(bad[0]));
	ck_assert_uint_eq(st.skipped, st.invalid);
	ck_assert_uint_eq(st.first_invalid, 2);
	/* The total fires on a step at once; the source, whose saved mean
	 * was 1e300, learns afresh instead of being silenced.
	 */
	echo_from(&g, 7, 10000);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert_str_eq(g.ev[0].instance, "all");
	ck_assert_int_eq(g.ev[0].level, NLICMP_LEVEL_FAILURE);
	ck_assert(g.ev[0].learned && g.ev[0].baseline == 100);
	for (i = 0; i < 359; i++) {
		echo_from(&g, 7, 1000);
		tick(&g);
	}
	echo_from(&g, 7, 100000);
	ck_assert_uint_eq(tick(&g), 2);
	ck_assert_int_eq(level_of(&g, "198.51.100.7"), NLICMP_LEVEL_FAILURE);
	rig_stop(&g);
}
END_TEST

/* A subject's line repeated (a hand-edited or concatenated file): the
 * last one is taken, the earlier ones are skipped and counted (not as
 * invalid), for a source as for a total.
 */
START_TEST(state_file_repeated_lines)
{
	struct rig g = { .nrule = 2 };
	struct nlicmp_alert_load_stats st;
	int i;

	g.rule[0] = baseline_rule(1);
	g.rule[1] = baseline_rule(1);
	g.rule[1].scope = NLICMP_SCOPE_EACH;
	ck_assert_uint_eq(load_text(&g, "netlink_icmp-baselines 1\n"
				    EACH_KEY "100 0 3600\n"
				    TOTAL_KEY "50 0 3600\n"
				    EACH8_KEY "400 0 3600\n"
				    EACH_KEY "200 0 3600\n"
				    TOTAL_KEY "70 0 3600\n"
				    EACH_KEY "300 0 3600\n", &st), 3);
	ck_assert_uint_eq(st.skipped, 3);
	ck_assert_uint_eq(st.invalid, 0);
	ck_assert_uint_eq(st.first_invalid, 0);
	/* Every subject steps: each fires on its last line's mean. */
	echo_from(&g, 7, 100000);
	echo_from(&g, 8, 100000);
	ck_assert_uint_eq(tick(&g), 3);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(g.ev[i].level, NLICMP_LEVEL_FAILURE);
		ck_assert(g.ev[i].learned);
		if (strcmp(g.ev[i].instance, "all") == 0)
			ck_assert(g.ev[i].baseline == 70);
		else if (strcmp(g.ev[i].instance, "198.51.100.7") == 0)
			ck_assert(g.ev[i].baseline == 300);
		else
			ck_assert(g.ev[i].baseline == 400);
	}
	rig_stop(&g);
}
END_TEST

/* What docs/plugin.md says of trusting the StateFile: a mean just under
 * the cap is valid, and while it decays (learned at full weight, its
 * distance widening the spread) a flood is below the threshold, learned
 * as normal and never alerted: about ln(1.5 x mean / flood) + 4 x
 * LearnFor, 16 for 1e4 packets/s on a normal of 100.
 */
START_TEST(state_file_trusted_to_the_cap)
{
	static const int starts[] = { 155, 165 };	/* LearnFor / 10 */
	struct rig g = { .nrule = 1 };
	struct nlicmp_alert_load_stats st;
	size_t c, fired;
	int i;

	g.rule[0] = baseline_rule(1);
	for (c = 0; c < 2; c++) {
		ck_assert_uint_eq(load_text(&g, "netlink_icmp-baselines 1\n"
					    TOTAL_KEY "999999999 0 3600\n",
					    &st), 1);
		for (i = 0; i < 36 * starts[c]; i++) {
			echo_from(&g, 7, 100 * 10);
			ck_assert_uint_eq(tick(&g), 0);
		}
		fired = 0;
		for (i = 0; i < 360 * 10; i++) {
			echo_from(&g, 7, 10000 * 10);
			fired += tick(&g);
		}
		if (c == 0)
			ck_assert_uint_eq(fired, 0);
		else
			ck_assert_uint_gt(fired, 0);
		rig_stop(&g);
	}
}
END_TEST

/* What docs/plugin.md says of a noisy flood: a 10x flood with +-20 %
 * jitter, held, alerts without a break for 10 x LearnFor, then flaps
 * for about 1.5 x LearnFor while it is accepted: about 200
 * notifications. Persist damps escalation only (a level still drops at
 * once), so Persist 3 leaves some 25, not one.
 */
START_TEST(noisy_flood_flaps_while_accepted)
{
	static const struct {
		unsigned int persist;
		size_t min, max;
	} cases[] = { { 1, 150, 250 }, { 3, 10, 50 } };
	size_t c, n, k;
	unsigned int seed;

	for (c = 0; c < 2; c++)
		for (seed = 1; seed <= 5; seed++) {
			struct rig g = { .nrule = 1 };
			int i, first_okay = 0, last = 0;

			g.rule[0] = baseline_rule(cases[c].persist);
			rig_start(&g, 10, false);
			learn_hour(&g, 100);
			srandom(seed);
			n = 0;
			for (i = 1; i <= 360 * 14; i++) {
				double noise = (double)random() / RAND_MAX *
					       0.4 - 0.2;

				echo_from(&g, 7, (uint64_t)llround(
					1000 * (1 + noise) * INTERVAL));
				tick(&g);
				for (k = 0; k < g.nev; k++) {
					n++;
					last = i;
					if (g.ev[k].level ==
						    NLICMP_LEVEL_OKAY &&
					    first_okay == 0)
						first_okay = i;
				}
			}
			ck_assert_msg(n >= cases[c].min && n <= cases[c].max,
				      "Persist %u, seed %u: %zu notifications",
				      cases[c].persist, seed, n);
			ck_assert_int_ge(first_okay, 360 * 10);
			ck_assert_int_le(last, 360 * 12);
			rig_stop(&g);
		}
}
END_TEST

static char *save_text(const struct rig *g)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(nlicmp_alert_engine_save(g->engine, f), 0);
	fclose(f);
	return text;
}

/* Mid-flood, the StateFile round-trips what was learned, and a restarted
 * engine (levels not saved) is back at FAILURE at its first interval.
 */
static void restart_in_flood(const struct rig *g)
{
	struct rig h = { .nrule = g->nrule };
	struct nlicmp_alert_load_stats st;
	char *text = save_text(g), *again;

	memcpy(h.rule, g->rule, sizeof(h.rule));
	ck_assert_uint_eq(load_text(&h, text, &st), 1);
	again = save_text(&h);
	ck_assert_str_eq(again, text);
	echo_from(&h, 7, 1000 * 10);
	ck_assert_uint_eq(tick(&h), 1);
	ck_assert_int_eq(h.ev[0].level, NLICMP_LEVEL_FAILURE);
	free(text);
	free(again);
	rig_stop(&h);
}

/* What docs/plugin.md says of poisoning: a 10x flood held is learned at a
 * tenth of the weight while it alerts, its distance from the mean counted
 * as one spread at most, so it stays FAILURE past 5 x LearnFor (to about
 * 8.8), WARNING to about 16.9 x LearnFor (Hysteresis 20 holds it until
 * 1.2 x the mean passes the flood), and is the normal after that.
 */
START_TEST(held_flood_becomes_normal)
{
	struct rig g = { .nrule = 1 };
	int i, warning = 0, okay = 0;

	g.rule[0] = baseline_rule(1);
	rig_start(&g, 10, false);
	learn_hour(&g, 100);
	echo_from(&g, 7, 1000 * 10);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert_int_eq(g.ev[0].level, NLICMP_LEVEL_FAILURE);
	for (i = 1; i <= 360 * 20 && okay == 0; i++) {
		echo_from(&g, 7, 1000 * 10);
		if (i == 360 * 5)
			restart_in_flood(&g);
		if (tick(&g) == 0)
			continue;
		ck_assert_uint_eq(g.nev, 1);
		if (g.ev[0].level == NLICMP_LEVEL_WARNING && warning == 0)
			warning = i;
		else if (g.ev[0].level == NLICMP_LEVEL_OKAY)
			okay = i;
		else
			ck_abort_msg("%d: %s", i, g.ev[0].message);
		/* The mean well below the flood; the spread not inflated by
		 * it: the floor, 10 % of the mean.
		 */
		ck_assert_msg(g.ev[0].baseline < 900 &&
			      g.ev[0].deviation <= 0.1 * g.ev[0].baseline,
			      "%d: %s", i, g.ev[0].message);
	}
	/* In intervals of 10 s: 360 is one LearnFor. */
	ck_assert_int_ge(warning, 360 * 85 / 10);
	ck_assert_int_le(warning, 360 * 90 / 10);
	ck_assert_int_ge(okay, 360 * 165 / 10);
	ck_assert_int_le(okay, 360 * 175 / 10);
	/* Accepted: another LearnFor of it raises nothing. */
	for (i = 0; i < 360; i++) {
		echo_from(&g, 7, 1000 * 10);
		ck_assert_uint_eq(tick(&g), 0);
	}
	rig_stop(&g);
}
END_TEST

/* Whatever Hysteresis and Deviations say, a held change of level ends
 * its alert once the learned mean reaches it: held at threshold x (1 -
 * Hysteresis) and no lower, a threshold of mean x (1 + Deviations / 10)
 * would hold it for ever (Hysteresis 50; Deviations 2 at Hysteresis 20).
 * Within a spread of the mean a level is not held: OKAY within about
 * 10 ln 11 = 24 x LearnFor of a steady change, from any level.
 */
START_TEST(held_change_clears_whatever_hysteresis)
{
	static const struct {
		double hysteresis, deviations, failure_deviations;
	} cases[] = {
		{ 50, 5, 10 }, { 90, 5, 10 }, { 20, 2, 4 }, { 35, 5, 10 },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct rig g = { .nrule = 1 };
		int i, okay = 0;

		g.rule[0] = baseline_rule(1);
		g.rule[0].hysteresis = cases[c].hysteresis;
		g.rule[0].deviations = cases[c].deviations;
		g.rule[0].failure_deviations = cases[c].failure_deviations;
		rig_start(&g, 10, false);
		learn_hour(&g, 100);
		echo_from(&g, 7, 1000 * 10);
		ck_assert_uint_eq(tick(&g), 1);
		ck_assert_int_eq(g.ev[0].level, NLICMP_LEVEL_FAILURE);
		for (i = 1; i <= 360 * 26 && okay == 0; i++) {
			echo_from(&g, 7, 1000 * 10);
			if (tick(&g) > 0 &&
			    g.ev[0].level == NLICMP_LEVEL_OKAY)
				okay = i;
		}
		ck_assert_msg(okay > 0, "Hysteresis %g, Deviations %g: still "
			      "alerting after 26 x LearnFor",
			      cases[c].hysteresis, cases[c].deviations);
		/* Not cleared early: the flood is learned at a tenth. */
		ck_assert_int_ge(okay, 360 * 9);
		for (i = 0; i < 360; i++) {
			echo_from(&g, 7, 1000 * 10);
			ck_assert_uint_eq(tick(&g), 0);
		}
		rig_stop(&g);
	}
}
END_TEST

/* MinRate 0: a subject silent while it learned (mean and spread 0) has a
 * threshold above 0, not of 0, which its silence would reach: nothing
 * fires until a packet comes.
 */
START_TEST(silent_subject_min_rate_0)
{
	struct rig g = { .nrule = 1 };
	int i;

	g.rule[0] = baseline_rule(1);
	g.rule[0].min_rate = 0;
	rig_start(&g, 10, false);
	for (i = 0; i < 360 * 2; i++)
		ck_assert_msg(tick(&g) == 0, "%d: %s", i, g.ev[0].message);
	echo_from(&g, 7, 1);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert_int_eq(g.ev[0].level, NLICMP_LEVEL_FAILURE);
	ck_assert_uint_eq(tick(&g), 1);
	ck_assert_int_eq(g.ev[0].level, NLICMP_LEVEL_OKAY);
	rig_stop(&g);
}
END_TEST

START_TEST(baseline_estimator)
{
	struct nlicmp_baseline b = { 0 };

	nlicmp_baseline_update(&b, 100, 10, 60, false);
	ck_assert(b.mean == 100 && b.dev == 0);
	ck_assert(!nlicmp_baseline_ready(&b, 60));
	nlicmp_baseline_update(&b, 200, 10, 60, false);
	/* A plain average while learning. */
	ck_assert(fabs(b.mean - 150) < 1e-9);
	ck_assert(fabs(b.dev - 50) < 1e-9);
	/* Garbage is ignored. */
	nlicmp_baseline_update(&b, NAN, 10, 60, false);
	nlicmp_baseline_update(&b, -1, 10, 60, false);
	ck_assert(fabs(b.mean - 150) < 1e-9);
	ck_assert(fabs(nlicmp_baseline_threshold(&b, 2, 0) - 250) < 1e-9);
	ck_assert(nlicmp_baseline_threshold(&b, 2, 1000) == 1000);
	/* Anomalous: a tenth of the weight, the distance counted as one
	 * spread (20) at most.
	 */
	b = (struct nlicmp_baseline){ .mean = 100, .dev = 20, .seconds = 60 };
	nlicmp_baseline_update(&b, 1100, 60, 60, true);
	ck_assert(fabs(b.mean - (100 + 0.1 * (1 - exp(-1)) * 1000)) < 1e-9);
	ck_assert(fabs(b.dev - 20) < 1e-9);
	/* Under the floor (10 % of the mean), toward it. */
	b = (struct nlicmp_baseline){ .mean = 100, .dev = 0, .seconds = 60 };
	nlicmp_baseline_update(&b, 1100, 60, 60, true);
	ck_assert(fabs(b.dev - 0.1 * (1 - exp(-1)) * 10) < 1e-9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nlicmp_alert_engine");
	TCase *tc = tcase_create("engine");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, baseline_estimator);
	tcase_add_test(tc, step_fires_within_persist_plus_one);
	tcase_add_test(tc, gradual_doubling_does_not_fire);
	tcase_add_test(tc, noisy_day_at_most_one_false_warning);
	tcase_add_test(tc, learning_period_respected);
	tcase_add_test(tc, min_rate_floor);
	tcase_add_test(tc, fixed_besides_baseline);
	tcase_add_test(tc, memory_bounded_under_spoofed_flood);
	tcase_add_test(tc, aggregate_catches_distributed_flood);
	tcase_add_test(tc, all_names_top_three);
	tcase_add_test(tc, pmtu_class);
	tcase_add_test(tc, baselines_saved_and_loaded);
	tcase_add_test(tc, state_file_values_capped);
	tcase_add_test(tc, state_file_repeated_lines);
	tcase_add_test(tc, state_file_trusted_to_the_cap);
	tcase_add_test(tc, noisy_flood_flaps_while_accepted);
	tcase_add_test(tc, held_flood_becomes_normal);
	tcase_add_test(tc, held_change_clears_whatever_hysteresis);
	tcase_add_test(tc, silent_subject_min_rate_0);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
