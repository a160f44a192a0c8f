// SPDX-License-Identifier: GPL-2.0
/* Unit tests: nlicmp_alerts (rule checks and the state machine). */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "nlicmp_alerts.h"

static struct nlicmp_alert_rule rule(double warning, double failure,
				     double hysteresis, unsigned int persist)
{
	struct nlicmp_alert_rule r;

	nlicmp_alert_rule_init(&r);
	r.warning = warning;
	r.failure = failure;
	r.hysteresis = hysteresis;
	r.persist = persist;
	return r;
}

/* Feed rates; return the levels that changed, as a string: "W", "F",
 * "O" per notification, "." for an interval without one.
 */
static const char *feed(const struct nlicmp_alert_rule *r,
			struct nlicmp_alert_state *st, const double *rates,
			size_t n)
{
	static char out[64];
	size_t i;

	for (i = 0; i < n && i + 1 < sizeof(out); i++) {
		int level = nlicmp_alert_step(r, st, rates[i], NULL);

		out[i] = level < 0 ? '.' :
			 level == NLICMP_LEVEL_FAILURE ? 'F' :
			 level == NLICMP_LEVEL_WARNING ? 'W' : 'O';
	}
	out[i] = '\0';
	return out;
}

#define FEED(r, st, ...) \
	feed(r, st, (const double[]){ __VA_ARGS__ }, \
	     sizeof((const double[]){ __VA_ARGS__ }) / sizeof(double))

START_TEST(defaults)
{
	struct nlicmp_alert_rule r;

	nlicmp_alert_rule_init(&r);
	ck_assert_str_eq(r.type, "");
	ck_assert_int_eq(r.scope, NLICMP_SCOPE_EACH);
	ck_assert(r.warning == 100 && r.failure == 1000);
	ck_assert(r.hysteresis == 20);
	ck_assert_uint_eq(r.persist, 1);
	ck_assert_str_eq(nlicmp_alert_rule_check(&r), "");
}
END_TEST

START_TEST(check_rejects)
{
	struct nlicmp_alert_rule r = rule(2000, 1000, 20, 1);

	ck_assert_str_eq(nlicmp_alert_rule_check(&r),
			 "WarningRate is above FailureRate");
	r = rule(100, 100, 20, 1);	/* equal is fine */
	ck_assert_str_eq(nlicmp_alert_rule_check(&r), "");
	r = rule(0, 100, 20, 1);
	ck_assert_str_ne(nlicmp_alert_rule_check(&r), "");
	r = rule(10, 100, 100, 1);
	ck_assert_str_ne(nlicmp_alert_rule_check(&r), "");
	r = rule(10, 100, -1, 1);
	ck_assert_str_ne(nlicmp_alert_rule_check(&r), "");
	r = rule(10, 100, 0, 0);
	ck_assert_str_ne(nlicmp_alert_rule_check(&r), "");
}
END_TEST

START_TEST(one_notification_per_change)
{
	struct nlicmp_alert_rule r = rule(100, 1000, 20, 1);
	struct nlicmp_alert_state st = { 0 };

	ck_assert_str_eq(FEED(&r, &st, 0, 50, 150, 150, 150, 1500, 1500, 2000,
			      500, 500, 10, 10),
			 "..W..F..W.O.");
}
END_TEST

START_TEST(persist)
{
	struct nlicmp_alert_rule r = rule(100, 1000, 20, 3);
	struct nlicmp_alert_state st = { 0 };

	/* Two intervals above, one below: the count starts again. */
	ck_assert_str_eq(FEED(&r, &st, 150, 150, 50, 150, 150, 150, 150),
			 ".....W.");
	/* Failure needs three intervals at the failure rate too. */
	ck_assert_str_eq(FEED(&r, &st, 1500, 1500, 1500, 1500), "..F.");
	/* Clearing does not wait. */
	ck_assert_str_eq(FEED(&r, &st, 0), "O");
}
END_TEST

START_TEST(hysteresis)
{
	struct nlicmp_alert_rule r = rule(100, 1000, 20, 1);
	struct nlicmp_alert_state st = { 0 };
	double threshold = 0;

	/* Warning held down to 80 (100 - 20 %), cleared below it. */
	ck_assert_str_eq(FEED(&r, &st, 100, 99, 80, 79.9), "W..O");
	/* Failure held down to 800, then warning, then okay. */
	ck_assert_str_eq(FEED(&r, &st, 1000, 900, 800, 799, 85, 70),
			 "F..W.O");
	/* Straight from failure to okay when the rate collapses. */
	ck_assert_str_eq(FEED(&r, &st, 5000, 0), "FO");
	ck_assert_int_eq(nlicmp_alert_step(&r, &st, 1000, &threshold),
			 NLICMP_LEVEL_FAILURE);
	ck_assert(threshold == 1000);
	ck_assert_int_eq(nlicmp_alert_step(&r, &st, 0, &threshold),
			 NLICMP_LEVEL_OKAY);
	ck_assert(threshold == 100);
}
END_TEST

START_TEST(zero_hysteresis)
{
	struct nlicmp_alert_rule r = rule(100, 1000, 0, 1);
	struct nlicmp_alert_state st = { 0 };

	ck_assert_str_eq(FEED(&r, &st, 100, 99.99, 100), "WOW");
}
END_TEST

START_TEST(watches)
{
	struct nlicmp_alert_rule r = rule(1, 2, 0, 1);
	struct nlicmp_net in, out;

	ck_assert_int_eq(nlicmp_net_parse("198.51.100.7", &in), 0);
	ck_assert_int_eq(nlicmp_net_parse("203.0.113.7", &out), 0);
	ck_assert(nlicmp_alert_watches(&r, &in));
	ck_assert(nlicmp_alert_watches(&r, &out));
	r.scope = NLICMP_SCOPE_NET;
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.0/24", &r.net), 0);
	ck_assert(nlicmp_alert_watches(&r, &in));
	ck_assert(!nlicmp_alert_watches(&r, &out));
	r.scope = NLICMP_SCOPE_ALL;
	ck_assert(!nlicmp_alert_watches(&r, &in));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nlicmp_alerts");
	TCase *tc = tcase_create("alerts");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, check_rejects);
	tcase_add_test(tc, one_notification_per_change);
	tcase_add_test(tc, persist);
	tcase_add_test(tc, hysteresis);
	tcase_add_test(tc, zero_hysteresis);
	tcase_add_test(tc, watches);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
