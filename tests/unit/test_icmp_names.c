// SPDX-License-Identifier: GPL-2.0
/* Unit tests of plugin/icmp_names.c, the one ICMP/ICMPv6 name table. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "check_main.h"
#include "icmp_names.h"

/* The same meaning, the same name, in both families. */
static const struct {
	const char *name;
	int v4;		/* -1: no such type in ICMP */
	int v6;		/* -1: no such type in ICMPv6 */
} shared[] = {
	{ "echo_request", 8, 128 },
	{ "echo_reply", 0, 129 },
	{ "dest_unreach", 3, 1 },
	{ "time_exceeded", 11, 3 },
	{ "param_problem", 12, 4 },
	{ "redirect", 5, 137 },
	{ "router_solicit", 10, 133 },
	{ "router_advert", 9, 134 },
	{ "ext_echo_request", 42, 160 },
	{ "ext_echo_reply", 43, 161 },
	{ "packet_too_big", -1, 2 },
	{ "neighbor_solicit", -1, 135 },
	{ "neighbor_advert", -1, 136 },
	{ "mld_query", -1, 130 },
	{ "mld_report", -1, 131 },
	{ "mld_done", -1, 132 },
	{ "mldv2_report", -1, 143 },
	{ "source_quench", 4, -1 },
	{ "timestamp", 13, -1 },
	{ "timestamp_reply", 14, -1 },
};

START_TEST(type_names_both_ways)
{
	for (unsigned int i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		if (shared[i].v4 >= 0) {
			ck_assert_str_eq(icmp_type_name(AF_INET, shared[i].v4),
					 shared[i].name);
			ck_assert_int_eq(icmp_type_from_name(AF_INET,
							     shared[i].name),
					 shared[i].v4);
		} else {
			ck_assert_int_eq(icmp_type_from_name(AF_INET,
							     shared[i].name),
					 -1);
		}
		if (shared[i].v6 >= 0) {
			ck_assert_str_eq(icmp_type_name(AF_INET6, shared[i].v6),
					 shared[i].name);
			ck_assert_int_eq(icmp_type_from_name(AF_INET6,
							     shared[i].name),
					 shared[i].v6);
		} else {
			ck_assert_int_eq(icmp_type_from_name(AF_INET6,
							     shared[i].name),
					 -1);
		}
	}
}
END_TEST

/* Every name is a safe collectd type instance, unique in its family, and
 * the reverse lookup finds the type it came from.
 */
START_TEST(names_are_consistent)
{
	static const int families[] = { AF_INET, AF_INET6 };

	for (unsigned int f = 0; f < 2; f++) {
		int fam = families[f];

		for (int t = 0; t < 256; t++) {
			const char *n = icmp_type_name(fam, (uint8_t)t);
			char buf[ICMP_NAME_MAX];

			icmp_format(buf, sizeof(buf), fam, (uint8_t)t, 0, 0);
			ck_assert_int_eq(icmp_type_from_name(fam, buf), t);
			if (!n) {
				char want[16];

				snprintf(want, sizeof(want), "type_%d", t);
				ck_assert_str_eq(buf, want);
				continue;
			}
			ck_assert_str_eq(buf, n);
			for (const char *p = n; *p; p++)
				ck_assert(islower((unsigned char)*p) ||
					  isdigit((unsigned char)*p) ||
					  *p == '_');
			for (int u = 0; u < 256; u++) {
				const char *o = icmp_type_name(fam, (uint8_t)u);

				if (u != t && o)
					ck_assert_str_ne(n, o);
			}
			for (int c = 0; c < 256; c++) {
				const char *cn = icmp_code_name(fam, (uint8_t)t,
								(uint8_t)c);

				if (!cn)
					continue;
				ck_assert_int_eq(icmp_code_from_name(
						fam, (uint8_t)t, cn), c);
				ck_assert_ptr_null(strchr(cn, '-'));
			}
		}
	}
}
END_TEST

START_TEST(code_names)
{
	ck_assert_str_eq(icmp_code_name(AF_INET, 3, 0), "net_unreach");
	ck_assert_str_eq(icmp_code_name(AF_INET, 3, 1), "host_unreach");
	ck_assert_str_eq(icmp_code_name(AF_INET, 3, 2), "proto_unreach");
	ck_assert_str_eq(icmp_code_name(AF_INET, 3, 3), "port_unreach");
	ck_assert_str_eq(icmp_code_name(AF_INET, 3, 4), "frag_needed");
	ck_assert_str_eq(icmp_code_name(AF_INET, 3, 13), "admin_prohibited");
	ck_assert_str_eq(icmp_code_name(AF_INET6, 1, 0), "no_route");
	ck_assert_str_eq(icmp_code_name(AF_INET6, 1, 1), "admin_prohibited");
	ck_assert_str_eq(icmp_code_name(AF_INET6, 1, 3), "addr_unreach");
	ck_assert_str_eq(icmp_code_name(AF_INET6, 1, 4), "port_unreach");
	/* time_exceeded reads the same in both families. */
	ck_assert_str_eq(icmp_code_name(AF_INET, 11, 0), "ttl_exceeded");
	ck_assert_str_eq(icmp_code_name(AF_INET6, 3, 0), "ttl_exceeded");
	ck_assert_str_eq(icmp_code_name(AF_INET, 11, 1), "frag_reassembly");
	ck_assert_str_eq(icmp_code_name(AF_INET6, 3, 1), "frag_reassembly");
	/* No names for echo codes, or for codes out of the table. */
	ck_assert_ptr_null(icmp_code_name(AF_INET, 8, 0));
	ck_assert_ptr_null(icmp_code_name(AF_INET, 3, 200));
	ck_assert_ptr_null(icmp_code_name(AF_INET, 77, 0));
}
END_TEST

START_TEST(format)
{
	char buf[ICMP_NAME_MAX];

	ck_assert_int_eq(icmp_format(buf, sizeof(buf), AF_INET, 8, 0, 0), 12);
	ck_assert_str_eq(buf, "echo_request");
	icmp_format(buf, sizeof(buf), AF_INET6, 128, 0, 0);
	ck_assert_str_eq(buf, "echo_request");
	icmp_format(buf, sizeof(buf), AF_INET, 8, 0, 1);
	ck_assert_str_eq(buf, "echo_request-code_0");
	icmp_format(buf, sizeof(buf), AF_INET, 3, 3, 1);
	ck_assert_str_eq(buf, "dest_unreach-port_unreach");
	icmp_format(buf, sizeof(buf), AF_INET6, 1, 4, 1);
	ck_assert_str_eq(buf, "dest_unreach-port_unreach");
	icmp_format(buf, sizeof(buf), AF_INET, 200, 7, 1);
	ck_assert_str_eq(buf, "type_200-code_7");
	icmp_format(buf, sizeof(buf), AF_INET6, 255, 255, 0);
	ck_assert_str_eq(buf, "type_255");
	/* An unknown family has no names at all. */
	icmp_format(buf, sizeof(buf), AF_UNIX, 8, 0, 0);
	ck_assert_str_eq(buf, "type_8");
	/* A short buffer is cut, terminated, and says how much it wanted. */
	ck_assert_int_eq(icmp_format(buf, 5, AF_INET, 3, 3, 1), 25);
	ck_assert_str_eq(buf, "dest");
}
END_TEST

START_TEST(reverse_lookup)
{
	ck_assert_int_eq(icmp_type_from_name(AF_INET, "ECHO_REQUEST"), 8);
	ck_assert_int_eq(icmp_type_from_name(AF_INET6, "Echo_Request"), 128);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, "type_77"), 77);
	ck_assert_int_eq(icmp_type_from_name(AF_INET6, "200"), 200);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, "type_256"), -1);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, "type_"), -1);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, "type_-1"), -1);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, "type_8x"), -1);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, ""), -1);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, "echo"), -1);
	ck_assert_int_eq(icmp_type_from_name(AF_INET, NULL), -1);
	ck_assert_int_eq(icmp_type_from_name(AF_UNIX, "echo_request"), -1);
	ck_assert_int_eq(icmp_code_from_name(AF_INET, 3, "port_unreach"), 3);
	ck_assert_int_eq(icmp_code_from_name(AF_INET6, 1, "port_unreach"), 4);
	ck_assert_int_eq(icmp_code_from_name(AF_INET, 8, "code_0"), 0);
	ck_assert_int_eq(icmp_code_from_name(AF_INET, 8, "port_unreach"), -1);
}
END_TEST

/* The set a Type matches, as "4:3/4 6:2/any" (family:type/code). */
static const char *match_text(const char *type)
{
	static char out[256];
	struct icmp_match m;
	const char *why = NULL;
	size_t i, len = 0;

	if (icmp_match_parse(type, &m, &why) != 0) {
		snprintf(out, sizeof(out), "error: %s", why);
		return out;
	}
	out[0] = '\0';
	if (m.any)
		return "any";
	for (i = 0; i < m.n; i++) {
		char code[8];

		snprintf(code, sizeof(code), "%d", m.e[i].code);
		len += (size_t)snprintf(out + len, sizeof(out) - len,
					"%s%d:%u/%s", i ? " " : "",
					m.e[i].family == AF_INET ? 4 : 6,
					m.e[i].type,
					m.e[i].code < 0 ? "any" : code);
	}
	return out;
}

START_TEST(type_matches)
{
	ck_assert_str_eq(match_text(""), "any");
	ck_assert_str_eq(match_text("echo_request"), "4:8/any 6:128/any");
	ck_assert_str_eq(match_text("Packet_Too_Big"), "6:2/any");
	ck_assert_str_eq(match_text("type_200"), "4:200/any 6:200/any");
	ck_assert_str_eq(match_text("dest_unreach-port_unreach"),
			 "4:3/3 6:1/4");
	ck_assert_str_eq(match_text("dest_unreach-frag_needed"), "4:3/4");
	ck_assert_str_eq(match_text("dest_unreach-code_99"),
			 "4:3/99 6:1/99");
	ck_assert_str_eq(match_text("ipv6:echo_request"), "6:128/any");
	ck_assert_str_eq(match_text("ipv6:type_8"), "6:8/any");
	ck_assert_str_eq(match_text("ipv4:type_8"), "4:8/any");
	/* Classes. */
	ck_assert_str_eq(match_text("pmtu"), "4:3/4 6:2/any");
	ck_assert_str_eq(match_text("errors"),
			 "4:3/any 4:11/any 4:12/any 6:1/any 6:2/any 6:3/any 6:4/any");
	ck_assert_str_eq(match_text("neighbor"),
			 "4:5/any 4:9/any 4:10/any 6:133/any 6:134/any 6:135/any 6:136/any "
			 "6:137/any");
	ck_assert_str_eq(match_text("ECHO"), "4:0/any 4:8/any 6:128/any 6:129/any");
	ck_assert_str_eq(match_text("ipv4:pmtu"), "4:3/4");
	/* Never matching, or meaning something else than it says. */
	ck_assert_str_eq(match_text("type_8"),
			 "error: that type has a name in one family: write the "
			 "name, or \"ipv4:type_<n>\" / \"ipv6:type_<n>\" for "
			 "one family");
	ck_assert_str_eq(match_text("type_08"),
			 "error: type_<n> takes 0 to 255 without leading zeros");
	ck_assert_str_eq(match_text("type_256"),
			 "error: type_<n> takes 0 to 255 without leading zeros");
	ck_assert_str_eq(match_text("dest_unreach-code_04"),
			 "error: code_<n> takes 0 to 255 without leading zeros");
	ck_assert_str_ne(match_text("8"), "");
	ck_assert_ptr_nonnull(strstr(match_text("8"), "error"));
	ck_assert_ptr_nonnull(strstr(match_text("echo_request-net"), "error"));
	ck_assert_ptr_nonnull(strstr(match_text("ipv4:packet_too_big"),
				     "error"));
	ck_assert_ptr_nonnull(strstr(match_text("ipv6:"), "error"));
	ck_assert_ptr_nonnull(strstr(match_text("ipx:echo"), "error"));
}
END_TEST

START_TEST(match_test_and_restrict)
{
	struct icmp_match m;
	const char *why;

	ck_assert_int_eq(icmp_match_parse("pmtu", &m, &why), 0);
	ck_assert(m.needs_codes);
	ck_assert(icmp_match_test(&m, AF_INET, 3, 4));
	ck_assert(!icmp_match_test(&m, AF_INET, 3, 3));
	/* An unknown code matches only "any code". */
	ck_assert(!icmp_match_test(&m, AF_INET, 3, -1));
	ck_assert(icmp_match_test(&m, AF_INET6, 2, -1));
	ck_assert(!icmp_match_test(&m, AF_INET, 2, 0));
	ck_assert(icmp_match_restrict(&m, AF_INET6));
	ck_assert(!m.needs_codes);
	ck_assert(!icmp_match_test(&m, AF_INET, 3, 4));
	ck_assert_int_eq(icmp_match_parse("packet_too_big", &m, &why), 0);
	ck_assert(!m.needs_codes);
	ck_assert(!icmp_match_restrict(&m, AF_INET));
	ck_assert_int_eq(icmp_match_parse("", &m, &why), 0);
	ck_assert(icmp_match_test(&m, AF_INET6, 200, 7));
	ck_assert(icmp_match_restrict(&m, AF_INET));
	/* Every class names its RFCs and has members in both families. */
	for (size_t i = 0; icmp_classes[i].name; i++) {
		ck_assert_ptr_nonnull(strstr(icmp_classes[i].rfc, "RFC "));
		ck_assert_int_eq(icmp_match_parse(icmp_classes[i].name, &m,
						  &why), 0);
		ck_assert(icmp_match_restrict(&m, AF_INET));
		ck_assert_int_eq(icmp_match_parse(icmp_classes[i].name, &m,
						  &why), 0);
		ck_assert(icmp_match_restrict(&m, AF_INET6));
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("icmp_names");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, type_names_both_ways);
	tcase_add_test(tc, names_are_consistent);
	tcase_add_test(tc, code_names);
	tcase_add_test(tc, format);
	tcase_add_test(tc, reverse_lookup);
	tcase_add_test(tc, type_matches);
	tcase_add_test(tc, match_test_and_restrict);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
