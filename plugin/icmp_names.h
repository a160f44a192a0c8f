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

#endif /* ICMP_NAMES_H */
