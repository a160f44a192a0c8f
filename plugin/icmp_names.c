// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP (RFC 792, 950, 1256, 8335) and ICMPv6 (RFC 4443, 4861, 2710, 3810,
 * 2894, 4620, 8335) type and code names; see icmp_names.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "icmp_names.h"

struct icmp_code {
	uint8_t code;
	const char *name;
};

struct icmp_type {
	uint8_t type;
	const char *name;
	const struct icmp_code *codes;	/* terminated by a NULL name */
};

#define CODES(...) ((const struct icmp_code[]){ __VA_ARGS__, { 0, NULL } })

static const struct icmp_type icmp4_types[] = {
	{ 0, "echo_reply", NULL },
	{ 3, "dest_unreach", CODES(
		{ 0, "net_unreach" },
		{ 1, "host_unreach" },
		{ 2, "proto_unreach" },
		{ 3, "port_unreach" },
		{ 4, "frag_needed" },
		{ 5, "source_route_failed" },
		{ 6, "net_unknown" },
		{ 7, "host_unknown" },
		{ 8, "host_isolated" },
		{ 9, "net_prohibited" },
		{ 10, "host_prohibited" },
		{ 11, "net_tos_unreach" },
		{ 12, "host_tos_unreach" },
		{ 13, "admin_prohibited" },
		{ 14, "precedence_violation" },
		{ 15, "precedence_cutoff" }) },
	{ 4, "source_quench", NULL },
	{ 5, "redirect", CODES(
		{ 0, "net" },
		{ 1, "host" },
		{ 2, "tos_net" },
		{ 3, "tos_host" }) },
	{ 8, "echo_request", NULL },
	{ 9, "router_advert", NULL },
	{ 10, "router_solicit", NULL },
	{ 11, "time_exceeded", CODES(
		{ 0, "ttl_exceeded" },
		{ 1, "frag_reassembly" }) },
	{ 12, "param_problem", CODES(
		{ 0, "bad_header" },
		{ 1, "missing_option" },
		{ 2, "bad_length" }) },
	{ 13, "timestamp", NULL },
	{ 14, "timestamp_reply", NULL },
	{ 15, "info_request", NULL },
	{ 16, "info_reply", NULL },
	{ 17, "addr_mask_request", NULL },
	{ 18, "addr_mask_reply", NULL },
	{ 42, "ext_echo_request", NULL },
	{ 43, "ext_echo_reply", NULL },
};

static const struct icmp_type icmp6_types[] = {
	{ 1, "dest_unreach", CODES(
		{ 0, "no_route" },
		{ 1, "admin_prohibited" },
		{ 2, "beyond_scope" },
		{ 3, "addr_unreach" },
		{ 4, "port_unreach" },
		{ 5, "source_policy_failed" },
		{ 6, "reject_route" },
		{ 7, "source_route_error" }) },
	{ 2, "packet_too_big", NULL },
	{ 3, "time_exceeded", CODES(
		{ 0, "ttl_exceeded" },
		{ 1, "frag_reassembly" }) },
	{ 4, "param_problem", CODES(
		{ 0, "bad_header" },
		{ 1, "unknown_next_header" },
		{ 2, "unknown_option" }) },
	{ 128, "echo_request", NULL },
	{ 129, "echo_reply", NULL },
	{ 130, "mld_query", NULL },
	{ 131, "mld_report", NULL },
	{ 132, "mld_done", NULL },
	{ 133, "router_solicit", NULL },
	{ 134, "router_advert", NULL },
	{ 135, "neighbor_solicit", NULL },
	{ 136, "neighbor_advert", NULL },
	{ 137, "redirect", NULL },
	{ 138, "router_renumbering", NULL },
	{ 139, "node_info_query", NULL },
	{ 140, "node_info_reply", NULL },
	{ 141, "inv_neighbor_solicit", NULL },
	{ 142, "inv_neighbor_advert", NULL },
	{ 143, "mldv2_report", NULL },
	{ 160, "ext_echo_request", NULL },
	{ 161, "ext_echo_reply", NULL },
};

static const struct icmp_type *find_type(int family, uint8_t type)
{
	const struct icmp_type *t;
	size_t i, n;

	if (family == AF_INET) {
		t = icmp4_types;
		n = sizeof(icmp4_types) / sizeof(icmp4_types[0]);
	} else if (family == AF_INET6) {
		t = icmp6_types;
		n = sizeof(icmp6_types) / sizeof(icmp6_types[0]);
	} else {
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

const char *icmp_type_name(int family, uint8_t type)
{
	const struct icmp_type *t = find_type(family, type);

	return t ? t->name : NULL;
}

const char *icmp_code_name(int family, uint8_t type, uint8_t code)
{
	const struct icmp_type *t = find_type(family, type);
	const struct icmp_code *c;

	if (!t || !t->codes)
		return NULL;
	for (c = t->codes; c->name; c++)
		if (c->code == code)
			return c->name;
	return NULL;
}

int icmp_format(char *buf, size_t len, int family, uint8_t type,
		uint8_t code, int with_code)
{
	const char *tn = icmp_type_name(family, type);
	const char *cn;
	char tbuf[16], cbuf[16];

	if (!tn) {
		snprintf(tbuf, sizeof(tbuf), "type_%u", type);
		tn = tbuf;
	}
	if (!with_code)
		return snprintf(buf, len, "%s", tn);
	cn = icmp_code_name(family, type, code);
	if (!cn) {
		snprintf(cbuf, sizeof(cbuf), "code_%u", code);
		cn = cbuf;
	}
	return snprintf(buf, len, "%s-%s", tn, cn);
}

/* "<prefix><n>" or "<n>" with n in 0..255; -1 otherwise. */
static int parse_number(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);
	unsigned long v;
	char *end;

	if (strncasecmp(name, prefix, plen) == 0)
		name += plen;
	if (*name < '0' || *name > '9')
		return -1;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno || *end || v > 255)
		return -1;
	return (int)v;
}

int icmp_type_from_name(int family, const char *name)
{
	const struct icmp_type *t;
	size_t i, n;

	if (family == AF_INET) {
		t = icmp4_types;
		n = sizeof(icmp4_types) / sizeof(icmp4_types[0]);
	} else if (family == AF_INET6) {
		t = icmp6_types;
		n = sizeof(icmp6_types) / sizeof(icmp6_types[0]);
	} else {
		return -1;
	}
	if (!name)
		return -1;
	for (i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)
			return t[i].type;
	return parse_number(name, "type_");
}

int icmp_code_from_name(int family, uint8_t type, const char *name)
{
	const struct icmp_type *t = find_type(family, type);
	const struct icmp_code *c;

	if (!name || (family != AF_INET && family != AF_INET6))
		return -1;
	if (t && t->codes)
		for (c = t->codes; c->name; c++)
			if (strcasecmp(c->name, name) == 0)
				return c->code;
	return parse_number(name, "code_");
}

/* ---- alert type matches ---- */

#define V4(t, c) { AF_INET, (t), (c) }
#define V6(t, c) { AF_INET6, (t), (c) }
#define END { 0, 0, 0 }

/*
 * errors: RFC 792 destination unreachable, time exceeded, parameter
 * problem; RFC 4443 the same plus packet too big (source quench is
 * deprecated by RFC 6633 and left out).
 * pmtu: RFC 1191 fragmentation needed (3/4), RFC 8201 packet too big.
 * neighbor: RFC 4861 router/neighbor solicitation and advertisement and
 * redirect; RFC 1256 router discovery and RFC 792 redirect for IPv4.
 * echo: RFC 792 and RFC 4443 echo request and reply.
 */
const struct icmp_class icmp_classes[] = {
	{ "errors", "RFC 792, RFC 4443", (const struct icmp_match_entry[]){
		V4(3, -1), V4(11, -1), V4(12, -1),
		V6(1, -1), V6(2, -1), V6(3, -1), V6(4, -1), END } },
	{ "pmtu", "RFC 1191, RFC 8201", (const struct icmp_match_entry[]){
		V4(3, 4), V6(2, -1), END } },
	{ "neighbor", "RFC 4861, RFC 1256, RFC 792",
	  (const struct icmp_match_entry[]){
		V4(5, -1), V4(9, -1), V4(10, -1),
		V6(133, -1), V6(134, -1), V6(135, -1), V6(136, -1),
		V6(137, -1), END } },
	{ "echo", "RFC 792, RFC 4443", (const struct icmp_match_entry[]){
		V4(0, -1), V4(8, -1), V6(128, -1), V6(129, -1), END } },
	{ NULL, NULL, NULL },
};

/* "<prefix><n>" with n 0..255 written without leading zeros; -1 else. */
static int canonical_number(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (strncasecmp(s, prefix, plen) != 0)
		return -1;
	s += plen;
	if (s[0] == '0' && s[1] != '\0')
		return -1;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 3)
		return -1;
	return parse_number(s, "");
}

/* A name from the table only (no numbers); -1 when there is none. */
static int type_by_name(int family, const char *name)
{
	uint8_t t = 0;

	do {
		const char *n = icmp_type_name(family, t);

		if (n && strcasecmp(n, name) == 0)
			return t;
	} while (++t != 0);
	return -1;
}

static int code_by_name(int family, uint8_t type, const char *name)
{
	const struct icmp_type *t = find_type(family, type);
	const struct icmp_code *c;

	if (t && t->codes)
		for (c = t->codes; c->name; c++)
			if (strcasecmp(c->name, name) == 0)
				return c->code;
	return -1;
}

/*
 * A type part in one family: a name, or type_<n> for a type no family
 * names (any type once the family is written out). -1: not in this
 * family; -2: never valid (*why says why).
 */
static int match_type(int family, const char *s, bool explicit_family,
		      const char **why)
{
	int n;

	if (strncasecmp(s, "type_", 5) != 0)
		return type_by_name(family, s);
	n = canonical_number(s, "type_");
	if (n < 0) {
		*why = "type_<n> takes 0 to 255 without leading zeros";
		return -2;
	}
	if (!explicit_family && (icmp_type_name(AF_INET, (uint8_t)n) ||
				 icmp_type_name(AF_INET6, (uint8_t)n))) {
		*why = "that type has a name in one family: write the name, or "
		       "\"ipv4:type_<n>\" / \"ipv6:type_<n>\" for one family";
		return -2;
	}
	return n;
}

static int match_add(struct icmp_match *m, int family, int type, int code)
{
	if (m->n == ICMP_MATCH_MAX)
		return -1;
	m->e[m->n++] = (struct icmp_match_entry){ (uint8_t)family,
						  (uint8_t)type,
						  (int16_t)code };
	if (code >= 0)
		m->needs_codes = true;
	return 0;
}

int icmp_match_parse(const char *text, struct icmp_match *m,
		     const char **why)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char buf[ICMP_NAME_MAX], *dash;
	const char *s = text;
	int only = AF_UNSPEC;
	size_t i, f;

	memset(m, 0, sizeof(*m));
	*why = "not an ICMP type name, type-code name or class";
	if (text[0] == '\0') {
		m->any = true;
		return 0;
	}
	if (strncasecmp(s, "ipv4:", 5) == 0)
		only = AF_INET;
	else if (strncasecmp(s, "ipv6:", 5) == 0)
		only = AF_INET6;
	if (only != AF_UNSPEC)
		s += 5;
	if (strlen(s) >= sizeof(buf) || s[0] == '\0')
		return -1;
	for (i = 0; icmp_classes[i].name; i++) {
		const struct icmp_match_entry *e;

		if (strcasecmp(s, icmp_classes[i].name) != 0)
			continue;
		for (e = icmp_classes[i].e; e->family; e++)
			if (only == AF_UNSPEC || e->family == only)
				match_add(m, e->family, e->type, e->code);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash++ = '\0';
	for (f = 0; f < 2; f++) {
		int type, code = -1;

		if (only != AF_UNSPEC && families[f] != only)
			continue;
		type = match_type(families[f], buf, only != AF_UNSPEC, why);
		if (type == -2)
			return -1;
		if (type < 0)
			continue;
		if (dash != NULL) {
			if (strncasecmp(dash, "code_", 5) != 0) {
				code = code_by_name(families[f], (uint8_t)type,
						    dash);
			} else if ((code = canonical_number(dash, "code_")) < 0) {
				*why = "code_<n> takes 0 to 255 without "
				       "leading zeros";
				return -1;
			}
			if (code < 0)
				continue;
		}
		match_add(m, families[f], type, code);
	}
	return m->n > 0 ? 0 : -1;
}

bool icmp_match_test(const struct icmp_match *m, int family, uint8_t type,
		     int code)
{
	size_t i;

	if (m->any)
		return true;
	for (i = 0; i < m->n; i++)
		if (m->e[i].family == family && m->e[i].type == type &&
		    (m->e[i].code < 0 || m->e[i].code == code))
			return true;
	return false;
}

bool icmp_match_restrict(struct icmp_match *m, int family)
{
	size_t i, n = 0;

	if (m->any || family == AF_UNSPEC)
		return true;
	for (i = 0; i < m->n; i++)
		if (m->e[i].family == family)
			m->e[n++] = m->e[i];
	m->n = n;
	m->needs_codes = false;
	for (i = 0; i < n; i++)
		if (m->e[i].code >= 0)
			m->needs_codes = true;
	return n > 0;
}
