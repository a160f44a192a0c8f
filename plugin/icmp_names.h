/* SPDX-License-Identifier: GPL-2.0 */
/*
 * icmp_names: the one table of ICMP (AF_INET) and ICMPv6 (AF_INET6) type
 * and code names, shared by nlicmpctl and the collectd plugin.
 *
 * The same meaning has the same name in both families (echo_request is
 * type 8 in ICMP and 128 in ICMPv6), so metrics and alerts read the same
 * whatever the family. Names are lower case, [a-z0-9_] only, safe as a
 * collectd type instance. A type without a name is "type_<n>", a code
 * without one "code_<n>".
 */
#ifndef ICMP_NAMES_H
#define ICMP_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest string icmp_format() writes, with its NUL. */
#define ICMP_NAME_MAX	64

/* The type's name, or NULL when it has none (or family is unknown). */
const char *icmp_type_name(int family, uint8_t type);

/* The code's name for that type, or NULL when it has none. */
const char *icmp_code_name(int family, uint8_t type, uint8_t code);

/*
 * Write "<type>" (with_code == 0) or "<type>-<code>" into buf, using
 * type_<n> / code_<n> where there is no name. Returns what snprintf
 * returns: the length wanted, so >= len means it was cut.
 */
int icmp_format(char *buf, size_t len, int family, uint8_t type,
		uint8_t code, int with_code);

/*
 * Reverse lookups: a name as produced above (case-insensitive), or
 * "type_<n>" / "code_<n>", or a plain number 0..255. Return the value, or
 * -1 when the name means nothing in that family.
 */
int icmp_type_from_name(int family, const char *name);
int icmp_code_from_name(int family, uint8_t type, const char *name);

/*
 * What an alert's Type matches: a set of (family, type, code) built from
 *   ""                           any ICMP
 *   "echo_request"               a type name, in each family that has it
 *   "type_<n>"                   a type without a name in either family
 *   "dest_unreach-port_unreach"  a type and code, as ReportCodes names them
 *   "errors", "pmtu", "neighbor", "echo"  a class (icmp_classes below)
 * each optionally prefixed "ipv4:" or "ipv6:" for one family only. A
 * number alone, a zero-padded number ("type_08") and a "type_<n>" that one
 * family names ("type_8" is ICMP's echo_request: it would match ICMPv6
 * type 8 only) are rejected; "ipv6:type_8" says that explicitly.
 */
#define ICMP_MATCH_MAX	16

struct icmp_match_entry {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t type;
	int16_t code;		/* -1: any code */
};

struct icmp_match {
	bool any;		/* "": everything */
	bool needs_codes;	/* some entry names a code */
	size_t n;
	struct icmp_match_entry e[ICMP_MATCH_MAX];
};

/* 0, or -1 with *why set to what is wrong (a static string). */
int icmp_match_parse(const char *text, struct icmp_match *m,
		     const char **why);

/* code < 0: the packet's code is unknown (matches only "any code"). */
bool icmp_match_test(const struct icmp_match *m, int family, uint8_t type,
		     int code);

/* Keep only the entries of family (AF_UNSPEC: keep all); false when
 * nothing is left of a match that was not "any".
 */
bool icmp_match_restrict(struct icmp_match *m, int family);

/* The named classes, for documentation and tests: name, RFCs, members. */
struct icmp_class {
	const char *name;
	const char *rfc;
	const struct icmp_match_entry *e;	/* ended by family 0 */
};

extern const struct icmp_class icmp_classes[];

#endif /* ICMP_NAMES_H */
