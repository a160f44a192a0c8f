// SPDX-License-Identifier: GPL-2.0
/* Unit tests: nlicmp_prefix (parsing, grouping, RFC 5952 formatting). */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "check_main.h"
#include "nlicmp_prefix.h"

/* Parse text, group to len, format. */
static const char *fmt(const char *text, int len)
{
	static char buf[NLICMP_NET_STRLEN];
	struct nlicmp_net n;

	ck_assert_int_eq(nlicmp_net_parse(text, &n), 0);
	if (len >= 0)
		nlicmp_net_from_bytes(&n, n.family, n.addr, (unsigned int)len);
	ck_assert_int_gt(nlicmp_net_format(&n, buf, sizeof(buf)), 0);
	return buf;
}

START_TEST(parse_valid)
{
	struct nlicmp_net n;

	ck_assert_int_eq(nlicmp_net_parse("198.51.100.0/24", &n), 0);
	ck_assert_int_eq(n.family, AF_INET);
	ck_assert_int_eq(n.len, 24);
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.7", &n), 0);
	ck_assert_int_eq(n.len, 32);
	ck_assert_int_eq(nlicmp_net_parse("2001:db8::/32", &n), 0);
	ck_assert_int_eq(n.family, AF_INET6);
	ck_assert_int_eq(n.len, 32);
	ck_assert_int_eq(nlicmp_net_parse("0.0.0.0/0", &n), 0);
	ck_assert_int_eq(n.len, 0);
	/* Host bits are cleared. */
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.77/25", &n), 0);
	ck_assert_int_eq(n.addr[3], 0);
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.200/25", &n), 0);
	ck_assert_int_eq(n.addr[3], 128);
}
END_TEST

START_TEST(parse_invalid)
{
	static const char *const bad[] = {
		"", "not-a-net", "198.51.100.0/33", "2001:db8::/129",
		"198.51.100/24", "198.51.100.0/", "198.51.100.0/+8",
		"198.51.100.0/ 8", "198.51.100.0/0x8", "198.51.100.0/24/1",
		"1.2.3.4.5", "2001:db8:::1", "198.51.100.0/-1",
		"198.51.100.0/1000",
	};
	struct nlicmp_net n;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(nlicmp_net_parse(bad[i], &n) == -EINVAL,
			      "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(nlicmp_net_parse(NULL, &n), -EINVAL);
}
END_TEST

START_TEST(format_rfc5952)
{
	ck_assert_str_eq(fmt("2001:0DB8:0000:0000:0000:0000:0000:0001", -1),
			 "2001:db8::1");
	/* Longest run wins; the first on a tie. */
	ck_assert_str_eq(fmt("2001:db8:0:0:1:0:0:1", -1), "2001:db8::1:0:0:1");
	ck_assert_str_eq(fmt("2001:0:0:1:0:0:0:1", -1), "2001:0:0:1::1");
	/* A single zero group is not shortened. */
	ck_assert_str_eq(fmt("2001:db8:0:1:1:1:1:1", -1),
			 "2001:db8:0:1:1:1:1:1");
	ck_assert_str_eq(fmt("::", -1), "::");
	ck_assert_str_eq(fmt("::1", -1), "::1");
	ck_assert_str_eq(fmt("2001:db8::", -1), "2001:db8::");
	ck_assert_str_eq(fmt("fe80:0:0:0:a:0:0:0", -1), "fe80::a:0:0:0");
	ck_assert_str_eq(fmt("::ffff:198.51.100.7", -1), "::ffff:198.51.100.7");
	/* Not mixed notation outside the mapped prefix. */
	ck_assert_str_eq(fmt("::c633:6407", -1), "::c633:6407");
	ck_assert_str_eq(fmt("198.51.100.7", -1), "198.51.100.7");
}
END_TEST

START_TEST(format_grouped)
{
	ck_assert_str_eq(fmt("2001:db8:1::10", 64), "2001:db8:1::_64");
	ck_assert_str_eq(fmt("2001:db8:1:2:3:4:5:6", 48), "2001:db8:1::_48");
	ck_assert_str_eq(fmt("2001:db8:1::10", 128), "2001:db8:1::10");
	ck_assert_str_eq(fmt("198.51.100.7", 24), "198.51.100.0_24");
	ck_assert_str_eq(fmt("198.51.100.7", 32), "198.51.100.7");
	ck_assert_str_eq(fmt("198.51.100.7", 0), "0.0.0.0_0");
	ck_assert_str_eq(fmt("2001:db8::1", 0), "::_0");
}
END_TEST

START_TEST(format_small_buffer)
{
	struct nlicmp_net n;
	char buf[8];

	ck_assert_int_eq(nlicmp_net_parse("2001:db8:1::10", &n), 0);
	ck_assert_int_eq(nlicmp_net_format(&n, buf, sizeof(buf)), -ENOSPC);
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.7/24", &n), 0);
	ck_assert_int_eq(nlicmp_net_format(&n, buf, sizeof(buf)), -ENOSPC);
}
END_TEST

START_TEST(contains)
{
	struct nlicmp_net net, a;

	ck_assert_int_eq(nlicmp_net_parse("198.51.100.0/24", &net), 0);
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.7", &a), 0);
	ck_assert(nlicmp_net_contains(&net, &a));
	ck_assert_int_eq(nlicmp_net_parse("198.51.101.7", &a), 0);
	ck_assert(!nlicmp_net_contains(&net, &a));
	/* A narrower network inside, a wider one not. */
	ck_assert_int_eq(nlicmp_net_parse("198.51.100.128/25", &a), 0);
	ck_assert(nlicmp_net_contains(&net, &a));
	ck_assert_int_eq(nlicmp_net_parse("198.51.0.0/16", &a), 0);
	ck_assert(!nlicmp_net_contains(&net, &a));
	/* Families never mix, even ::ffff:0:0/96. */
	ck_assert_int_eq(nlicmp_net_parse("::ffff:198.51.100.7", &a), 0);
	ck_assert(!nlicmp_net_contains(&net, &a));
	ck_assert_int_eq(nlicmp_net_parse("2001:db8:1::/64", &net), 0);
	ck_assert_int_eq(nlicmp_net_parse("2001:db8:1::ffff", &a), 0);
	ck_assert(nlicmp_net_contains(&net, &a));
	ck_assert_int_eq(nlicmp_net_parse("2001:db8:2::1", &a), 0);
	ck_assert(!nlicmp_net_contains(&net, &a));
	ck_assert_int_eq(nlicmp_net_parse("0.0.0.0/0", &net), 0);
	ck_assert_int_eq(nlicmp_net_parse("203.0.113.9", &a), 0);
	ck_assert(nlicmp_net_contains(&net, &a));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nlicmp_prefix");
	TCase *tc = tcase_create("prefix");

	tcase_add_test(tc, parse_valid);
	tcase_add_test(tc, parse_invalid);
	tcase_add_test(tc, format_rfc5952);
	tcase_add_test(tc, format_grouped);
	tcase_add_test(tc, format_small_buffer);
	tcase_add_test(tc, contains);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
