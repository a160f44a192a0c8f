// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_prefix: parse, mask, compare and format IPv4/IPv6 networks.
 */
#include "nlicmp_prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

unsigned int nlicmp_family_bits(int family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

static void net_mask(struct nlicmp_net *net)
{
	unsigned int bytes = nlicmp_family_bits(net->family) / 8;
	unsigned int i;

	for (i = 0; i < sizeof(net->addr); i++) {
		unsigned int first = i * 8;

		if (i >= bytes || first >= net->len)
			net->addr[i] = 0;
		else if (net->len - first < 8)
			net->addr[i] &= (uint8_t)(0xff00u >> (net->len - first));
	}
}

void nlicmp_net_from_bytes(struct nlicmp_net *net, int family,
			   const uint8_t *bytes, unsigned int len)
{
	unsigned int bits = nlicmp_family_bits(family);
	uint8_t copy[16] = { 0 };

	memcpy(copy, bytes, bits / 8);	/* bytes may point into net */
	memset(net, 0, sizeof(*net));
	net->family = (uint8_t)family;
	net->len = (uint8_t)(len < bits ? len : bits);
	memcpy(net->addr, copy, sizeof(copy));
	net_mask(net);
}

int nlicmp_net_parse(const char *text, struct nlicmp_net *net)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash;
	unsigned long len;
	size_t hostlen;
	uint8_t bytes[16];
	int family;
	unsigned int bits;

	if (text == NULL)
		return -EINVAL;
	slash = strchr(text, '/');
	hostlen = slash ? (size_t)(slash - text) : strlen(text);
	if (hostlen == 0 || hostlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hostlen);
	host[hostlen] = '\0';

	if (inet_pton(AF_INET, host, bytes) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, host, bytes) == 1)
		family = AF_INET6;
	else
		return -EINVAL;
	bits = nlicmp_family_bits(family);

	len = bits;
	if (slash) {
		const char *p = slash + 1;

		/* Digits only: strtoul would take "+8", " 8" or "0x8". */
		if (*p == '\0' || strlen(p) > 3)
			return -EINVAL;
		len = 0;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			len = len * 10 + (unsigned long)(*p - '0');
		}
		if (len > bits)
			return -EINVAL;
	}
	nlicmp_net_from_bytes(net, family, bytes, (unsigned int)len);
	return 0;
}

bool nlicmp_net_contains(const struct nlicmp_net *net,
			 const struct nlicmp_net *addr)
{
	struct nlicmp_net masked;

	if (net->family != addr->family || addr->len < net->len)
		return false;
	masked = *addr;
	masked.len = net->len;
	net_mask(&masked);
	return memcmp(masked.addr, net->addr, sizeof(net->addr)) == 0;
}

bool nlicmp_net_equal(const struct nlicmp_net *a, const struct nlicmp_net *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/*
 * RFC 5952: lower-case hex without leading zeros, "::" for the longest
 * run of two or more zero groups (the first such run on a tie), never for
 * a single group; dotted quad for IPv4-mapped addresses (section 5).
 */
static int format_ipv6(const uint8_t *a, char *buf, size_t size)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned int g[8];
	int best = -1, bestlen = 0, run = -1, i;
	size_t off = 0;
	int n;

	for (i = 0; i < 8; i++)
		g[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i <= 8; i++) {
		if (i < 8 && g[i] == 0) {
			if (run < 0)
				run = i;
			continue;
		}
		if (run >= 0 && i - run > bestlen && i - run >= 2) {
			best = run;
			bestlen = i - run;
		}
		run = -1;
	}

	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		n = snprintf(buf, size, "::ffff:%u.%u.%u.%u", a[12], a[13],
			     a[14], a[15]);
		return n < 0 || (size_t)n >= size ? -ENOSPC : n;
	}

	for (i = 0; i < 8; i++) {
		if (i == best) {
			n = snprintf(buf + off, size - off, "::");
			i += bestlen - 1;
		} else {
			n = snprintf(buf + off, size - off, "%s%x",
				     off > 0 && buf[off - 1] != ':' ? ":" : "",
				     g[i]);
		}
		if (n < 0 || (size_t)n >= size - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return (int)off;
}

int nlicmp_net_format(const struct nlicmp_net *net, char *buf, size_t size)
{
	unsigned int bits = nlicmp_family_bits(net->family);
	int n, m;

	if (size == 0)
		return -ENOSPC;
	if (net->family == AF_INET) {
		n = snprintf(buf, size, "%u.%u.%u.%u", net->addr[0],
			     net->addr[1], net->addr[2], net->addr[3]);
		if (n < 0 || (size_t)n >= size)
			return -ENOSPC;
	} else if (net->family == AF_INET6) {
		n = format_ipv6(net->addr, buf, size);
		if (n < 0)
			return n;
	} else {
		return -EINVAL;
	}
	if (net->len >= bits)
		return n;
	m = snprintf(buf + n, size - (size_t)n, "_%u", net->len);
	if (m < 0 || (size_t)m >= size - (size_t)n)
		return -ENOSPC;
	return n + m;
}
