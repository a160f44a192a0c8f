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
