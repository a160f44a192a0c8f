// SPDX-License-Identifier: GPL-2.0
/* Unit tests: nlicmp_config (every key, every kind of bad value; errors
 * name the key and the value).
 */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <sys/socket.h>

#include "check_main.h"
#include "fake_collectd.h"
#include "nlicmp_config.h"

static struct nlicmp_config conf;

static int parse(oconfig_item_t *block)
{
	int err;

	fake_reset();
	nlicmp_config_init(&conf);
	err = nlicmp_config_read(&conf, block);
	fake_ci_free(block);
	return err;
}

#define PLUGIN(...) fake_ci_block("Plugin", __VA_ARGS__, NULL)
#define ALERT(...) fake_ci_block("Alert", __VA_ARGS__, NULL)

/* The block is rejected and the log names every given fragment. */
#define REJECTS(block, ...)                                                  \
	do {                                                                 \
		const char *want[] = { __VA_ARGS__ };                        \
		size_t w;                                                    \
		ck_assert_int_eq(parse(block), -1);                          \
		for (w = 0; w < sizeof(want) / sizeof(want[0]); w++)         \
			ck_assert_msg(strstr(fake_log, want[w]) != NULL,     \
				      "log lacks '%s': %s", want[w],         \
				      fake_log);                             \
		ck_assert_ptr_nonnull(strstr(fake_log, "netlink_icmp plugin: ")); \
		nlicmp_config_free(&conf);                                   \
	} while (0)

START_TEST(defaults)
{
	ck_assert_int_eq(parse(fake_ci_block("Plugin", NULL)), 0);
	ck_assert_int_eq(conf.family, AF_UNSPEC);
	ck_assert_int_eq(conf.max_sources, 1000);
	ck_assert(conf.source_timeout == 300);
	ck_assert_int_eq(conf.v4_prefix, 32);
	ck_assert_int_eq(conf.v6_prefix, 64);
	ck_assert(!conf.report_codes);
	ck_assert_uint_eq(conf.nignore, 0);
	ck_assert_uint_eq(conf.nalert, 0);
	ck_assert_str_eq(fake_log, "");
	nlicmp_config_free(&conf);
}
END_TEST

START_TEST(every_key)
{
	struct nlicmp_net n;

	ck_assert_int_eq(
		parse(PLUGIN(fake_ci_str("Family", "IPv6"),
			     fake_ci_num("maxsources", 5),
			     fake_ci_num("SourceTimeout", 2.5),
			     fake_ci_num("IPv4Prefix", 24),
			     fake_ci_num("IPV6PREFIX", 48),
			     fake_ci_str("IgnoreSource", "127.0.0.0/8"),
			     fake_ci_str("IgnoreSource", "2001:db8:9::/48"),
			     fake_ci_bool("ReportCodes", 1),
			     ALERT(fake_ci_str("Type", "Echo_Request"),
				   fake_ci_str("Source", "2001:db8::/32"),
				   fake_ci_num("WarningRate", 10),
				   fake_ci_num("FailureRate", 50),
				   fake_ci_num("Hysteresis", 0),
				   fake_ci_num("Persist", 3)),
			     ALERT(fake_ci_str("source", "all")),
			     ALERT(fake_ci_str("Type", "packet_too_big")))),
		0);
	ck_assert_str_eq(fake_log, "");
	ck_assert_int_eq(conf.family, AF_INET6);
	ck_assert_int_eq(conf.max_sources, 5);
	ck_assert(conf.source_timeout == 2.5);
	ck_assert_int_eq(conf.v4_prefix, 24);
	ck_assert_int_eq(conf.v6_prefix, 48);
	ck_assert(conf.report_codes);
	ck_assert_uint_eq(conf.nignore, 2);
	ck_assert_int_eq(nlicmp_net_parse("2001:db8:9::/48", &n), 0);
	ck_assert(nlicmp_net_equal(&conf.ignore[1], &n));
	ck_assert_uint_eq(conf.nalert, 3);
	ck_assert_str_eq(conf.alert[0].type, "echo_request");
	ck_assert_int_eq(conf.alert[0].scope, NLICMP_SCOPE_NET);
	ck_assert_int_eq(nlicmp_net_parse("2001:db8::/32", &n), 0);
	ck_assert(nlicmp_net_equal(&conf.alert[0].net, &n));
	ck_assert(conf.alert[0].warning == 10 && conf.alert[0].failure == 50);
	ck_assert(conf.alert[0].hysteresis == 0);
	ck_assert_uint_eq(conf.alert[0].persist, 3);
	/* An <Alert> with nothing but a source takes the defaults. */
	ck_assert_int_eq(conf.alert[1].scope, NLICMP_SCOPE_ALL);
	ck_assert_str_eq(conf.alert[1].type, "");
	ck_assert(conf.alert[1].warning == 100);
	ck_assert(conf.alert[1].failure == 1000);
	ck_assert(conf.alert[1].hysteresis == 20);
	ck_assert_uint_eq(conf.alert[1].persist, 1);
	ck_assert_int_eq(conf.alert[2].scope, NLICMP_SCOPE_EACH);
	nlicmp_config_free(&conf);

	ck_assert_int_eq(parse(PLUGIN(fake_ci_str("Family", "ipv4"),
				      fake_ci_str("ReportCodes", "no"),
				      fake_ci_num("MaxSources", 0))), 0);
	ck_assert_int_eq(conf.family, AF_INET);
	ck_assert(!conf.report_codes);
	ck_assert_int_eq(conf.max_sources, 0);
	nlicmp_config_free(&conf);
	ck_assert_int_eq(parse(PLUGIN(fake_ci_str("Family", "any"))), 0);
	ck_assert_int_eq(conf.family, AF_UNSPEC);
	nlicmp_config_free(&conf);
}
END_TEST

START_TEST(bad_values)
{
	REJECTS(PLUGIN(fake_ci_str("Foo", "bar")), "Foo", "\"bar\"");
	REJECTS(PLUGIN(fake_ci_num("MaxSources", -1)), "MaxSources", "-1");
	REJECTS(PLUGIN(fake_ci_num("MaxSources", 1.5)), "MaxSources", "1.5");
	REJECTS(PLUGIN(fake_ci_num("MaxSources", 1e9)), "MaxSources", "1000000000");
	REJECTS(PLUGIN(fake_ci_str("MaxSources", "ten")), "MaxSources",
		"\"ten\"");
	REJECTS(PLUGIN(fake_ci_num("IPv4Prefix", 40)), "IPv4Prefix", "40");
	REJECTS(PLUGIN(fake_ci_num("IPv6Prefix", 129)), "IPv6Prefix", "129");
	REJECTS(PLUGIN(fake_ci_num("IPv6Prefix", -1)), "IPv6Prefix", "-1");
	REJECTS(PLUGIN(fake_ci_str("Family", "ipx")), "Family", "\"ipx\"");
	REJECTS(PLUGIN(fake_ci_num("SourceTimeout", 0)), "SourceTimeout",
		"0");
	REJECTS(PLUGIN(fake_ci_num("SourceTimeout", -5)), "SourceTimeout",
		"-5");
	REJECTS(PLUGIN(fake_ci_str("IgnoreSource", "not-a-net")),
		"IgnoreSource", "\"not-a-net\"");
	REJECTS(PLUGIN(fake_ci_str("IgnoreSource", "198.51.100.0/33")),
		"IgnoreSource", "\"198.51.100.0/33\"");
	REJECTS(PLUGIN(fake_ci_str("ReportCodes", "maybe")), "ReportCodes",
		"\"maybe\"");
	REJECTS(PLUGIN(fake_ci_num("ReportCodes", 1)), "ReportCodes", "1");
}
END_TEST

/* Issue 8's keys, and the range of every duration. */
START_TEST(selection_keys)
{
	ck_assert_int_eq(parse(fake_ci_block("Plugin", NULL)), 0);
	ck_assert_int_eq(conf.min_reads, 2);
	ck_assert(conf.min_rate == 0);
	nlicmp_config_free(&conf);
	ck_assert_int_eq(parse(PLUGIN(fake_ci_num("MinReads", 1),
				      fake_ci_num("minrate", 12.5),
				      fake_ci_num("SourceTimeout", 31536000))),
			 0);
	ck_assert_str_eq(fake_log, "");
	ck_assert_int_eq(conf.min_reads, 1);
	ck_assert(conf.min_rate == 12.5);
	ck_assert(conf.source_timeout == 31536000);
	nlicmp_config_free(&conf);

	REJECTS(PLUGIN(fake_ci_num("SourceTimeout", 1e300)), "SourceTimeout",
		"1e+300", "31536000");
	REJECTS(PLUGIN(fake_ci_num("SourceTimeout", 31536001)),
		"SourceTimeout", "31536001");
	REJECTS(PLUGIN(fake_ci_num("SourceTimeout", 0.0001)), "SourceTimeout",
		"0.0001");
	REJECTS(PLUGIN(fake_ci_num("SourceTimeout", NAN)), "SourceTimeout",
		"nan");
	REJECTS(PLUGIN(fake_ci_num("MinReads", 0)), "MinReads", "0");
	REJECTS(PLUGIN(fake_ci_num("MinReads", 1.5)), "MinReads", "1.5");
	REJECTS(PLUGIN(fake_ci_num("MinReads", 1001)), "MinReads", "1001");
	REJECTS(PLUGIN(fake_ci_num("MinRate", -1)), "MinRate", "-1");
	REJECTS(PLUGIN(fake_ci_num("MinRate", INFINITY)), "MinRate", "inf");
	REJECTS(PLUGIN(fake_ci_str("MinRate", "fast")), "MinRate",
		"\"fast\"");
}
END_TEST

START_TEST(bad_alerts)
{
	REJECTS(PLUGIN(ALERT(fake_ci_str("Source", "not-a-net"))), "Source",
		"\"not-a-net\"");
	REJECTS(PLUGIN(ALERT(fake_ci_str("Type", "echo_requets"))), "Type",
		"\"echo_requets\"");
	/* A number means different types in ICMP and ICMPv6. */
	REJECTS(PLUGIN(ALERT(fake_ci_str("Type", "8"))), "Type", "\"8\"");
	REJECTS(PLUGIN(ALERT(fake_ci_num("WarningRate", 2000),
			     fake_ci_num("FailureRate", 1000))),
		"WarningRate 2000", "FailureRate 1000", "above");
	/* Warning above the default failure (1000) is the same error. */
	REJECTS(PLUGIN(ALERT(fake_ci_num("WarningRate", 5000))),
		"WarningRate 5000", "FailureRate 1000");
	REJECTS(PLUGIN(ALERT(fake_ci_num("WarningRate", 0))), "WarningRate",
		"0");
	REJECTS(PLUGIN(ALERT(fake_ci_str("FailureRate", "x"))), "FailureRate",
		"\"x\"");
	REJECTS(PLUGIN(ALERT(fake_ci_num("Hysteresis", 100))), "Hysteresis",
		"100");
	REJECTS(PLUGIN(ALERT(fake_ci_num("Persist", 0))), "Persist", "0");
	REJECTS(PLUGIN(ALERT(fake_ci_num("Persist", 2.5))), "Persist", "2.5");
	REJECTS(PLUGIN(ALERT(fake_ci_num("Rate", 5))), "Rate", "5");
	/* Every error is reported, not only the first. */
	REJECTS(PLUGIN(fake_ci_num("IPv4Prefix", 40),
		       fake_ci_num("MaxSources", -1)),
		"IPv4Prefix", "40", "MaxSources", "-1");
}
END_TEST

START_TEST(alert_new_keys)
{
	struct nlicmp_net n;

	ck_assert_int_eq(
		parse(PLUGIN(ALERT(fake_ci_str("Type", "pmtu"),
				   fake_ci_bool("Baseline", 1),
				   fake_ci_num("LearnFor", 600),
				   fake_ci_num("Deviations", 3),
				   fake_ci_num("FailureDeviations", 6),
				   fake_ci_num("MinRate", 0)),
			     ALERT(fake_ci_str("Source", "198.51.100.0/24"),
				   fake_ci_bool("Aggregate", 1),
				   fake_ci_num("WarningRate", 50)),
			     ALERT(fake_ci_str("Type", "ipv6:type_8"),
				   fake_ci_bool("Baseline", 1),
				   fake_ci_num("FailureRate", 500)),
			     ALERT(fake_ci_str("Type",
					       "Dest_Unreach-Frag_Needed")))),
		0);
	ck_assert_str_eq(fake_log, "");
	ck_assert_uint_eq(conf.nalert, 4);
	ck_assert_str_eq(conf.alert[0].type, "pmtu");
	ck_assert(conf.alert[0].match.needs_codes);
	ck_assert(conf.alert[0].baseline);
	ck_assert(conf.alert[0].learn_for == 600);
	ck_assert(conf.alert[0].deviations == 3);
	ck_assert(conf.alert[0].failure_deviations == 6);
	ck_assert(conf.alert[0].min_rate == 0);
	/* Learning only: no fixed rate. */
	ck_assert(isinf(conf.alert[0].warning) && isinf(conf.alert[0].failure));
	ck_assert(conf.alert[1].aggregate);
	ck_assert(!conf.alert[1].baseline);
	ck_assert(conf.alert[1].warning == 50 && conf.alert[1].failure == 1000);
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.0/24", &n), 0);
	ck_assert(nlicmp_net_equal(&conf.alert[1].net, &n));
	/* A learned warning, a fixed failure. */
	ck_assert(isinf(conf.alert[2].warning));
	ck_assert(conf.alert[2].failure == 500);
	ck_assert_uint_eq(conf.alert[2].match.n, 1);
	ck_assert_str_eq(conf.alert[3].type, "dest_unreach-frag_needed");
	ck_assert_uint_eq(conf.alert[3].match.n, 1);
	nlicmp_config_free(&conf);

	ck_assert_int_eq(parse(PLUGIN(fake_ci_str("StateFile", "/var/lib/x"))),
			 0);
	ck_assert_str_eq(conf.state_file, "/var/lib/x");
	nlicmp_config_free(&conf);
	ck_assert_ptr_null(conf.state_file);
	REJECTS(PLUGIN(fake_ci_str("StateFile", "")), "StateFile", "\"\"");
	REJECTS(PLUGIN(fake_ci_num("StateFile", 3)), "StateFile", "3");
	{
		/* "<name>.new" would not fit in PATH_MAX: another file. */
		char longname[PATH_MAX];

		memset(longname, 'a', sizeof(longname) - 4);
		longname[0] = '/';
		longname[sizeof(longname) - 4] = '\0';
		REJECTS(PLUGIN(fake_ci_str("StateFile", longname)),
			"StateFile", "\"/aaa", "a file name of 1 to 4091 bytes");
		longname[sizeof(longname) - 5] = '\0';
		ck_assert_int_eq(parse(PLUGIN(fake_ci_str("StateFile",
							  longname))), 0);
		nlicmp_config_free(&conf);
	}

	/* Defaults of a baseline rule. */
	ck_assert_int_eq(parse(PLUGIN(ALERT(fake_ci_bool("Baseline", 1)))), 0);
	ck_assert(conf.alert[0].learn_for == 3600);
	ck_assert(conf.alert[0].deviations == 5);
	ck_assert(conf.alert[0].failure_deviations == 10);
	ck_assert(conf.alert[0].min_rate == 10);
	ck_assert(!conf.alert[0].aggregate);
	nlicmp_config_free(&conf);

	/* Family restricts a Type to the family reported. */
	ck_assert_int_eq(parse(PLUGIN(fake_ci_str("Family", "ipv4"),
				      ALERT(fake_ci_str("Type", "pmtu")))), 0);
	ck_assert_uint_eq(conf.alert[0].match.n, 1);
	nlicmp_config_free(&conf);
	/* A /32 aggregate with sources grouped by /24 is fine. */
	ck_assert_int_eq(parse(PLUGIN(fake_ci_num("IPv4Prefix", 24),
				      ALERT(fake_ci_str("Source",
							"198.51.100.7"),
					    fake_ci_bool("Aggregate", 1)))),
			 0);
	nlicmp_config_free(&conf);
}
END_TEST

START_TEST(alerts_that_never_match)
{
	/* Issue 8: each rejected at init, key and value named. */
	REJECTS(PLUGIN(fake_ci_num("IPv4Prefix", 24),
		       ALERT(fake_ci_str("Source", "198.51.100.7"))),
		"invalid value for Source: \"198.51.100.7\"",
		"narrower than IPv4Prefix 24");
	/* The prefix may come after the <Alert>. */
	REJECTS(PLUGIN(ALERT(fake_ci_str("Source", "2001:db8:1:2::/96")),
		       fake_ci_num("IPv6Prefix", 64)),
		"invalid value for Source: \"2001:db8:1:2::/96\"",
		"narrower than IPv6Prefix 64");
	REJECTS(PLUGIN(ALERT(fake_ci_str("Type", "type_08"))),
		"invalid value for Type: \"type_08\"", "leading zeros");
	REJECTS(PLUGIN(ALERT(fake_ci_str("Type", "type_8"))),
		"invalid value for Type: \"type_8\"", "ipv6:type_<n>");
	REJECTS(PLUGIN(fake_ci_str("Family", "ipv6"),
		       ALERT(fake_ci_str("Source", "198.51.100.0/24"))),
		"invalid value for Source: \"198.51.100.0/24\"",
		"Family \"ipv6\" excludes it");
	REJECTS(PLUGIN(ALERT(fake_ci_str("Source", "2001:db8::/32")),
		       fake_ci_str("Family", "ipv4")),
		"invalid value for Source: \"2001:db8::/32\"",
		"Family \"ipv4\"");
	REJECTS(PLUGIN(fake_ci_str("Family", "ipv4"),
		       ALERT(fake_ci_str("Type", "packet_too_big"))),
		"invalid value for Type: \"packet_too_big\"",
		"Family \"ipv4\"");
	/* New keys' bad values. */
	REJECTS(PLUGIN(ALERT(fake_ci_str("Type", "pmtus"))),
		"invalid value for Type: \"pmtus\"", "errors, pmtu");
	REJECTS(PLUGIN(ALERT(fake_ci_str("Type", "dest_unreach-code_04"))),
		"Type", "\"dest_unreach-code_04\"");
	REJECTS(PLUGIN(ALERT(fake_ci_str("Baseline", "maybe"))), "Baseline",
		"\"maybe\"");
	REJECTS(PLUGIN(ALERT(fake_ci_num("Aggregate", 1))), "Aggregate", "1");
	REJECTS(PLUGIN(ALERT(fake_ci_num("LearnFor", 0))), "LearnFor", "0");
	/* A duration like the others: SourceTimeout's range. */
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
			     fake_ci_num("LearnFor", 1e300))),
		"invalid value for LearnFor: 1e+300",
		"a number from 0.001 to 31536000");
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
			     fake_ci_num("LearnFor", 0.0005))),
		"invalid value for LearnFor: 0.0005");
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
			     fake_ci_num("LearnFor", 31536001))),
		"invalid value for LearnFor: 31536001");
	ck_assert_int_eq(parse(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
					    fake_ci_num("LearnFor",
							31536000)))), 0);
	ck_assert(conf.alert[0].learn_for == 31536000);
	nlicmp_config_free(&conf);
	ck_assert_int_eq(parse(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
					    fake_ci_num("LearnFor",
							0.001)))), 0);
	nlicmp_config_free(&conf);
	REJECTS(PLUGIN(ALERT(fake_ci_num("Deviations", -2))), "Deviations",
		"-2");
	REJECTS(PLUGIN(ALERT(fake_ci_str("FailureDeviations", "ten"))),
		"FailureDeviations", "\"ten\"");
	REJECTS(PLUGIN(ALERT(fake_ci_num("MinRate", -1))), "MinRate", "-1");
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
			     fake_ci_num("Deviations", 20))),
		"Deviations 20", "FailureDeviations 10",
		"Deviations is above FailureDeviations");
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Aggregate", 1))),
		"Aggregate needs Source");
	/* A baseline's keys without Baseline true would do nothing. */
	REJECTS(PLUGIN(ALERT(fake_ci_num("LearnFor", 600))),
		"invalid value for LearnFor: 600", "Baseline true");
	REJECTS(PLUGIN(ALERT(fake_ci_num("Deviations", 3))),
		"invalid value for Deviations: 3", "Baseline true");
	REJECTS(PLUGIN(ALERT(fake_ci_num("FailureDeviations", 20))),
		"invalid value for FailureDeviations: 20", "Baseline true");
	REJECTS(PLUGIN(ALERT(fake_ci_num("MinRate", 5))),
		"invalid value for MinRate: 5", "Baseline true");
	/* Every one named; Baseline false said, or said last, is the same. */
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
			     fake_ci_num("LearnFor", 60),
			     fake_ci_num("Deviations", 3),
			     fake_ci_bool("Baseline", 0))),
		"invalid value for LearnFor: 60",
		"invalid value for Deviations: 3", "Baseline true");
	/* Baseline true may come after them. */
	ck_assert_int_eq(parse(PLUGIN(ALERT(fake_ci_num("LearnFor", 60),
					    fake_ci_num("MinRate", 1),
					    fake_ci_bool("Baseline", 1)))), 0);
	ck_assert(conf.alert[0].baseline && conf.alert[0].learn_for == 60);
	nlicmp_config_free(&conf);
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Aggregate", 1),
			     fake_ci_str("Source", "all"))),
		"Aggregate needs Source");
}
END_TEST

/* An <Alert>'s rates and multiples have a range, like every other key:
 * rates up to NLICMP_RATE_MAX as the plugin-level MinRate, Deviations
 * and FailureDeviations from 0.1 to 1000 spreads.
 */
START_TEST(alert_ranges)
{
	static const char *const rates[] = { "WarningRate", "FailureRate",
					     "MinRate" };
	static const char *const devs[] = { "Deviations",
					    "FailureDeviations" };
	size_t i;

	for (i = 0; i < 3; i++) {
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(rates[i], 1e300))),
			"invalid value for ", rates[i], ": 1e+300 (expected a "
			"number ", "to 1000000000)");
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(rates[i], 1000000001))),
			rates[i], ": 1000000001 (expected");
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(rates[i], INFINITY))),
			rates[i], ": inf (expected");
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(rates[i], NAN))),
			rates[i], ": nan (expected");
	}
	REJECTS(PLUGIN(ALERT(fake_ci_num("WarningRate", 0))),
		"invalid value for WarningRate: 0 (expected a number above 0 "
		"up to 1000000000)");
	REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
			     fake_ci_num("MinRate", -1))),
		"invalid value for MinRate: -1 (expected a number from 0 to "
		"1000000000)");
	for (i = 0; i < 2; i++) {
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(devs[i], 1e300))),
			"invalid value for ", devs[i], ": 1e+300 (expected a "
			"number from 0.1 to 1000)");
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(devs[i], 1001))),
			devs[i], ": 1001 (expected");
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(devs[i], 0.05))),
			devs[i], ": 0.05 (expected");
		REJECTS(PLUGIN(ALERT(fake_ci_bool("Baseline", 1),
				     fake_ci_num(devs[i], NAN))),
			devs[i], ": nan (expected");
	}
	/* The bounds themselves are fine. */
	ck_assert_int_eq(parse(PLUGIN(ALERT(fake_ci_num("WarningRate", 1e9),
					    fake_ci_num("FailureRate", 1e9)),
				      ALERT(fake_ci_bool("Baseline", 1),
					    fake_ci_num("WarningRate", 1e-9),
					    fake_ci_num("MinRate", 1e9),
					    fake_ci_num("Deviations", 0.1),
					    fake_ci_num("FailureDeviations",
							1000)),
				      ALERT(fake_ci_bool("Baseline", 1),
					    fake_ci_num("MinRate", 0),
					    fake_ci_num("Deviations", 1000),
					    fake_ci_num("FailureDeviations",
							1000)))),
			 0);
	ck_assert_str_eq(fake_log, "");
	ck_assert_uint_eq(conf.nalert, 3);
	ck_assert(conf.alert[0].warning == 1e9 && conf.alert[0].failure == 1e9);
	ck_assert(conf.alert[1].min_rate == 1e9);
	ck_assert(conf.alert[1].deviations == 0.1);
	ck_assert(conf.alert[1].failure_deviations == 1000);
	ck_assert(conf.alert[2].min_rate == 0);
	ck_assert(conf.alert[2].deviations == 1000);
	nlicmp_config_free(&conf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nlicmp_config");
	TCase *tc = tcase_create("config");
	int rc;

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, bad_alerts);
	tcase_add_test(tc, selection_keys);
	tcase_add_test(tc, alert_new_keys);
	tcase_add_test(tc, alert_ranges);
	tcase_add_test(tc, alerts_that_never_match);
	suite_add_tcase(s, tc);
	rc = run_suite(s);
	fake_reset();
	return rc;
}
