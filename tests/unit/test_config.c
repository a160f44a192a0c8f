// SPDX-License-Identifier: GPL-2.0
/* Unit tests: nlicmp_config (every key, every kind of bad value; errors
 * name the key and the value).
 */
#include <check.h>
#include <sys/socket.h>

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
	REJECTS(PLUGIN(fake_ci_num("MaxSources", 1e9)), "MaxSources", "1e+09");
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

int main(void)
{
	Suite *s = suite_create("nlicmp_config");
	TCase *tc = tcase_create("config");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, bad_alerts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fake_reset();
	return failed ? 1 : 0;
}
