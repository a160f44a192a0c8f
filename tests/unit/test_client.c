// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of plugin/nlicmp_client.c: the parsers fed with crafted
 * netlink bytes (built with libnl's nlmsg_alloc/nla_put, or by hand where
 * libnl would refuse to build something broken), and the receive path fed
 * by a netlink socket of the test's own that plays the module.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "check_main.h"
#include "nlicmp_client.h"

/* A family id no kernel hands out in practice (ids grow from 0x10). */
#define FAKE_FAMILY	0x7ff0

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(genlmsg_put(m, 0, 0, FAKE_FAMILY, 0, 0, cmd,
					  NLICMP_GENL_VERSION));
	return m;
}

static void put_listener(struct nl_msg *m, uint32_t portid,
			 uint64_t delivered, uint64_t undelivered)
{
	struct nlattr *n = nla_nest_start(m, NLICMP_A_LISTENER);

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(nla_put_u32(m, NLICMP_L_PORTID, portid), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_L_DELIVERED, delivered), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_L_UNDELIVERED, undelivered), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_L_QUEUE_FULL, undelivered), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_L_NOMEM, 0), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_L_MESSAGES, 7), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_L_MESSAGES_LOST, 1), 0);
	nla_nest_end(m, n);
}

static struct nl_msg *event_msg(uint32_t seq)
{
	struct nl_msg *m = new_msg(NLICMP_CMD_EVENT);

	ck_assert_int_eq(nla_put_u32(m, NLICMP_A_SEQ, seq), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_A_FLUSH, 1000 + seq), 0);
	put_listener(m, 4242, 10, 2);
	return m;
}

/* A record; src/dst NULL for an unattributed one, type < 0 for one with a
 * truncated header.
 */
static void put_record(struct nl_msg *m, int family, const char *src,
		       const char *dst, int type, int code, uint64_t packets,
		       uint64_t bytes)
{
	struct nlattr *n = nla_nest_start(m, NLICMP_A_RECORD);
	unsigned char a[16];
	int alen = family == AF_INET ? 4 : 16;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(nla_put_u8(m, NLICMP_R_FAMILY, family), 0);
	if (src) {
		ck_assert_int_eq(inet_pton(family, src, a), 1);
		ck_assert_int_eq(nla_put(m, NLICMP_R_SRC, alen, a), 0);
		ck_assert_int_eq(inet_pton(family, dst, a), 1);
		ck_assert_int_eq(nla_put(m, NLICMP_R_DST, alen, a), 0);
	}
	if (type >= 0)
		ck_assert_int_eq(nla_put_u8(m, NLICMP_R_TYPE, type), 0);
	if (code >= 0)
		ck_assert_int_eq(nla_put_u8(m, NLICMP_R_CODE, code), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_R_PACKETS, packets), 0);
	ck_assert_int_eq(nla_put_u64(m, NLICMP_R_BYTES, bytes), 0);
	nla_nest_end(m, n);
}

static struct nlmsghdr *hdr(struct nl_msg *m)
{
	return nlmsg_hdr(m);
}

static size_t mlen(struct nl_msg *m)
{
	return nlmsg_hdr(m)->nlmsg_len;
}

#define MAX_SEEN 512

struct seen {
	int messages;
	int records;
	struct nlicmp_event_info info;
	struct nlicmp_record rec[MAX_SEEN];
	int stop_after;		/* record callback fails after this many */
	uint64_t missed;	/* sum of info.missed */
};

static int seen_message(struct nlicmp_event_info *info, void *arg)
{
	struct seen *s = arg;

	s->messages++;
	s->missed += info->missed;
	s->info = *info;
	return 0;
}

static int seen_record(const struct nlicmp_event_info *info,
		       const struct nlicmp_record *rec, void *arg)
{
	struct seen *s = arg;

	(void)info;
	/* The message callback comes first. */
	ck_assert_int_gt(s->messages, 0);
	if (s->stop_after && s->records >= s->stop_after)
		return -ECANCELED;
	ck_assert_int_lt(s->records, MAX_SEEN);
	s->rec[s->records++] = *rec;
	return 0;
}

static const struct nlicmp_event_ops seen_ops = {
	.message = seen_message,
	.record = seen_record,
};

static int parse(struct nl_msg *m, struct seen *s)
{
	struct nlicmp_event_info info;

	memset(s, 0, sizeof(*s));
	return nlicmp_parse_event(hdr(m), mlen(m), FAKE_FAMILY, &seen_ops, s,
				  &info);
}

/* ---------------------------------------------------------------- */

START_TEST(event_valid)
{
	struct nl_msg *m = event_msg(3);
	struct seen s;
	unsigned char a4[4], a6[16];

	put_record(m, AF_INET, "198.51.100.2", "198.51.100.1", 8, 0, 5, 420);
	put_record(m, AF_INET6, "2001:db8::2", "2001:db8::1", 128, 0, 3, 312);
	put_record(m, AF_INET, NULL, NULL, 3, -1, 9, 900);
	put_record(m, AF_INET6, NULL, NULL, -1, -1, 1, 44);

	ck_assert_int_eq(parse(m, &s), 0);
	ck_assert_int_eq(s.messages, 1);
	ck_assert_int_eq(s.records, 4);
	ck_assert_uint_eq(s.info.seq, 3);
	ck_assert_uint_eq(s.info.flush, 1003);
	ck_assert_uint_eq(s.info.nrecords, 4);
	ck_assert_uint_eq(s.info.missed, 0);
	ck_assert(s.info.has_listener);
	ck_assert_uint_eq(s.info.listener.portid, 4242);
	ck_assert_uint_eq(s.info.listener.delivered, 10);
	ck_assert_uint_eq(s.info.listener.undelivered, 2);
	ck_assert_uint_eq(s.info.listener.messages, 7);
	ck_assert_uint_eq(s.info.listener.messages_lost, 1);

	inet_pton(AF_INET, "198.51.100.2", a4);
	ck_assert_int_eq(s.rec[0].family, AF_INET);
	ck_assert(s.rec[0].has_src && s.rec[0].has_type && s.rec[0].has_code);
	ck_assert_mem_eq(s.rec[0].src, a4, 4);
	inet_pton(AF_INET, "198.51.100.1", a4);
	ck_assert_mem_eq(s.rec[0].dst, a4, 4);
	ck_assert_uint_eq(s.rec[0].type, 8);
	ck_assert_uint_eq(s.rec[0].code, 0);
	ck_assert_uint_eq(s.rec[0].packets, 5);
	ck_assert_uint_eq(s.rec[0].bytes, 420);

	inet_pton(AF_INET6, "2001:db8::2", a6);
	ck_assert_int_eq(s.rec[1].family, AF_INET6);
	ck_assert_mem_eq(s.rec[1].src, a6, 16);
	ck_assert_uint_eq(s.rec[1].type, 128);
	ck_assert_uint_eq(s.rec[1].packets, 3);

	/* Unattributed: a type, no key. */
	ck_assert(!s.rec[2].has_src);
	ck_assert(s.rec[2].has_type);
	ck_assert_uint_eq(s.rec[2].type, 3);
	ck_assert_uint_eq(s.rec[2].packets, 9);
	ck_assert_uint_eq(s.rec[2].bytes, 900);

	/* Truncated header: neither key nor type. */
	ck_assert(!s.rec[3].has_src);
	ck_assert(!s.rec[3].has_type);
	ck_assert_int_eq(s.rec[3].family, AF_INET6);
	ck_assert_uint_eq(s.rec[3].packets, 1);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_no_records_no_listener)
{
	struct nl_msg *m = new_msg(NLICMP_CMD_EVENT);
	struct nlicmp_event_info info;

	nla_put_u32(m, NLICMP_A_SEQ, 1);
	nla_put_u64(m, NLICMP_A_FLUSH, 1);
	ck_assert_int_eq(nlicmp_parse_event(hdr(m), mlen(m), 0, NULL, NULL,
					    &info), 0);
	ck_assert(!info.has_listener);
	ck_assert_uint_eq(info.nrecords, 0);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_truncated)
{
	struct nl_msg *m = event_msg(1);
	struct nlicmp_event_info info;
	struct nlmsghdr *nlh;
	size_t full;
	struct seen s;

	put_record(m, AF_INET, "198.51.100.2", "198.51.100.1", 8, 0, 5, 420);
	put_record(m, AF_INET, "198.51.100.3", "198.51.100.1", 8, 0, 6, 504);
	nlh = hdr(m);
	full = nlh->nlmsg_len;

	/* The buffer ends before the message does. */
	ck_assert_int_eq(nlicmp_parse_event(nlh, full - 4, 0, NULL, NULL,
					    &info), -EBADMSG);
	/* The message ends inside its last attribute. */
	for (size_t cut = 1; cut < 40; cut++) {
		nlh->nlmsg_len = full - cut;
		ck_assert_msg(parse(m, &s) == -EBADMSG, "cut %zu accepted", cut);
		ck_assert_int_eq(s.records, 0);
		ck_assert_int_eq(s.messages, 0);
	}
	/* Shorter than the netlink and genetlink headers. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlh->nlmsg_len = full;
	ck_assert_int_eq(nlicmp_parse_event(nlh, 8, 0, NULL, NULL, &info),
			 -EBADMSG);
	ck_assert_int_eq(parse(m, &s), 0);
	ck_assert_int_eq(s.records, 2);
	nlmsg_free(m);
}
END_TEST

/* A nest whose own length is right but whose last member runs past it. */
START_TEST(event_truncated_inside_record)
{
	struct nl_msg *m = event_msg(1);
	struct nlattr *n, *last;
	struct seen s;

	put_record(m, AF_INET, "198.51.100.2", "198.51.100.1", 8, 0, 5, 420);
	n = (struct nlattr *)((char *)nlmsg_data(hdr(m)) + GENL_HDRLEN);
	/* Find the record nest, then its last member (R_BYTES, 12 bytes). */
	while (nla_type(n) != NLICMP_A_RECORD)
		n = (struct nlattr *)((char *)n + NLA_ALIGN(n->nla_len));
	last = (struct nlattr *)((char *)n + n->nla_len - 12);
	ck_assert_int_eq(nla_type(last), NLICMP_R_BYTES);
	last->nla_len = 16;	/* claims 4 bytes the nest does not have */
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	last->nla_len = 12;
	ck_assert_int_eq(parse(m, &s), 0);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_wrong_types)
{
	struct nl_msg *m;
	struct nlattr *n;
	struct seen s;
	unsigned char a[4] = { 198, 51, 100, 2 };

	/* A_SEQ is a u32, not a u64. */
	m = new_msg(NLICMP_CMD_EVENT);
	nla_put_u64(m, NLICMP_A_SEQ, 1);
	nla_put_u64(m, NLICMP_A_FLUSH, 1);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* A_FLUSH is a u64, not a u32. */
	m = new_msg(NLICMP_CMD_EVENT);
	nla_put_u32(m, NLICMP_A_SEQ, 1);
	nla_put_u32(m, NLICMP_A_FLUSH, 1);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* R_PACKETS as a u32. */
	m = event_msg(1);
	n = nla_nest_start(m, NLICMP_A_RECORD);
	nla_put_u8(m, NLICMP_R_FAMILY, AF_INET);
	nla_put(m, NLICMP_R_SRC, 4, a);
	nla_put(m, NLICMP_R_DST, 4, a);
	nla_put_u8(m, NLICMP_R_TYPE, 8);
	nla_put_u8(m, NLICMP_R_CODE, 0);
	nla_put_u32(m, NLICMP_R_PACKETS, 5);
	nla_put_u64(m, NLICMP_R_BYTES, 420);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* R_FAMILY as a u32. */
	m = event_msg(1);
	n = nla_nest_start(m, NLICMP_A_RECORD);
	nla_put_u32(m, NLICMP_R_FAMILY, AF_INET);
	nla_put_u64(m, NLICMP_R_PACKETS, 5);
	nla_put_u64(m, NLICMP_R_BYTES, 420);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* A listener port id as a u64. */
	m = new_msg(NLICMP_CMD_EVENT);
	nla_put_u32(m, NLICMP_A_SEQ, 1);
	nla_put_u64(m, NLICMP_A_FLUSH, 1);
	n = nla_nest_start(m, NLICMP_A_LISTENER);
	nla_put_u64(m, NLICMP_L_PORTID, 1);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_unknown_attributes_ignored)
{
	struct nl_msg *m = event_msg(2);
	struct nlattr *n;
	struct seen s;
	unsigned char a[4] = { 198, 51, 100, 2 };

	/* An attribute a newer module might add, at both levels. */
	nla_put_u32(m, NLICMP_A_MAX + 5, 77);
	n = nla_nest_start(m, NLICMP_A_RECORD);
	nla_put_u8(m, NLICMP_R_FAMILY, AF_INET);
	nla_put(m, NLICMP_R_SRC, 4, a);
	nla_put(m, NLICMP_R_DST, 4, a);
	nla_put_u8(m, NLICMP_R_TYPE, 0);
	nla_put_u8(m, NLICMP_R_CODE, 0);
	nla_put_string(m, NLICMP_R_MAX + 3, "future");
	nla_put_u64(m, NLICMP_R_PACKETS, 2);
	nla_put_u64(m, NLICMP_R_BYTES, 168);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), 0);
	ck_assert_int_eq(s.records, 1);
	ck_assert_uint_eq(s.rec[0].type, 0);
	ck_assert_uint_eq(s.rec[0].packets, 2);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_nested_flag_accepted)
{
	struct nl_msg *m = event_msg(2);
	struct nlattr *n;
	struct seen s;

	/* Newer kernels mark nests with NLA_F_NESTED. */
	n = nla_nest_start(m, NLICMP_A_RECORD | NLA_F_NESTED);
	nla_put_u8(m, NLICMP_R_FAMILY, AF_INET6);
	nla_put_u8(m, NLICMP_R_TYPE, 135);
	nla_put_u64(m, NLICMP_R_PACKETS, 4);
	nla_put_u64(m, NLICMP_R_BYTES, 288);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), 0);
	ck_assert_int_eq(s.records, 1);
	ck_assert_uint_eq(s.rec[0].type, 135);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_address_family_mismatch)
{
	static const struct {
		int family;
		int srclen;
		int dstlen;
	} cases[] = {
		{ AF_INET, 16, 16 },
		{ AF_INET6, 4, 4 },
		{ AF_INET, 4, 16 },
		{ AF_INET6, 16, 4 },
		{ AF_INET, 5, 5 },
		{ AF_INET, 3, 3 },
		{ AF_INET6, 17, 17 },
	};
	unsigned char a[20] = { 0 };

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nl_msg *m = event_msg(1);
		struct nlattr *n = nla_nest_start(m, NLICMP_A_RECORD);
		struct seen s;

		nla_put_u8(m, NLICMP_R_FAMILY, cases[i].family);
		nla_put(m, NLICMP_R_SRC, cases[i].srclen, a);
		nla_put(m, NLICMP_R_DST, cases[i].dstlen, a);
		nla_put_u8(m, NLICMP_R_TYPE, 8);
		nla_put_u8(m, NLICMP_R_CODE, 0);
		nla_put_u64(m, NLICMP_R_PACKETS, 1);
		nla_put_u64(m, NLICMP_R_BYTES, 84);
		nla_nest_end(m, n);
		ck_assert_msg(parse(m, &s) == -EBADMSG, "case %u accepted", i);
		nlmsg_free(m);
	}
}
END_TEST

START_TEST(event_missing_mandatory)
{
	unsigned char a[4] = { 198, 51, 100, 2 };
	struct nl_msg *m;
	struct nlattr *n;
	struct seen s;

	/* No A_SEQ. */
	m = new_msg(NLICMP_CMD_EVENT);
	nla_put_u64(m, NLICMP_A_FLUSH, 1);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* A record without packets. */
	m = event_msg(1);
	n = nla_nest_start(m, NLICMP_A_RECORD);
	nla_put_u8(m, NLICMP_R_FAMILY, AF_INET);
	nla_put_u8(m, NLICMP_R_TYPE, 8);
	nla_put_u64(m, NLICMP_R_BYTES, 84);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* A record without a family, and one with an unknown family. */
	m = event_msg(1);
	n = nla_nest_start(m, NLICMP_A_RECORD);
	nla_put_u64(m, NLICMP_R_PACKETS, 1);
	nla_put_u64(m, NLICMP_R_BYTES, 84);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);
	m = event_msg(1);
	put_record(m, 99, NULL, NULL, 8, -1, 1, 84);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* A source without a destination. */
	m = event_msg(1);
	n = nla_nest_start(m, NLICMP_A_RECORD);
	nla_put_u8(m, NLICMP_R_FAMILY, AF_INET);
	nla_put(m, NLICMP_R_SRC, 4, a);
	nla_put_u8(m, NLICMP_R_TYPE, 8);
	nla_put_u8(m, NLICMP_R_CODE, 0);
	nla_put_u64(m, NLICMP_R_PACKETS, 1);
	nla_put_u64(m, NLICMP_R_BYTES, 84);
	nla_nest_end(m, n);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);

	/* An attributed record must say its code. */
	m = event_msg(1);
	put_record(m, AF_INET, "198.51.100.2", "198.51.100.1", 8, -1, 1, 84);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_bad_record_drops_whole_message)
{
	struct nl_msg *m = event_msg(1);
	struct seen s;

	put_record(m, AF_INET, "198.51.100.2", "198.51.100.1", 8, 0, 5, 420);
	put_record(m, AF_INET, "198.51.100.3", "198.51.100.1", 8, -1, 5, 420);
	ck_assert_int_eq(parse(m, &s), -EBADMSG);
	ck_assert_int_eq(s.messages, 0);
	ck_assert_int_eq(s.records, 0);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_wrong_command_or_family)
{
	struct nl_msg *m = new_msg(NLICMP_CMD_ECHO);
	struct nlicmp_event_info info;

	nla_put_u32(m, NLICMP_A_SEQ, 1);
	nla_put_u64(m, NLICMP_A_FLUSH, 1);
	ck_assert_int_eq(nlicmp_parse_event(hdr(m), mlen(m), 0, NULL, NULL,
					    &info), -EBADMSG);
	nlmsg_free(m);

	m = event_msg(1);
	ck_assert_int_eq(nlicmp_parse_event(hdr(m), mlen(m), FAKE_FAMILY + 1,
					    NULL, NULL, &info), -EBADMSG);
	ck_assert_int_eq(nlicmp_parse_event(hdr(m), mlen(m), 0, NULL, NULL,
					    &info), 0);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_callback_stops)
{
	struct nl_msg *m = event_msg(1);
	struct nlicmp_event_info info;
	struct seen s;

	for (int i = 0; i < 5; i++)
		put_record(m, AF_INET, NULL, NULL, i, -1, 1, 84);
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	ck_assert_int_eq(nlicmp_parse_event(hdr(m), mlen(m), 0, &seen_ops, &s,
					    &info), -ECANCELED);
	ck_assert_int_eq(s.records, 2);
	nlmsg_free(m);
}
END_TEST

START_TEST(event_larger_than_a_page)
{
	struct nl_msg *m = event_msg(1);
	struct seen s;
	char src[32];

	for (int i = 0; i < 300; i++) {
		snprintf(src, sizeof(src), "2001:db8:%x::1", i);
		put_record(m, AF_INET6, src, "2001:db8::1", 128, 0, i, i * 104);
	}
	ck_assert_uint_gt(mlen(m), 16384);
	ck_assert_int_eq(parse(m, &s), 0);
	ck_assert_int_eq(s.records, 300);
	ck_assert_uint_eq(s.rec[299].packets, 299);
	nlmsg_free(m);
}
END_TEST

/* Byte by byte, without libnl: the layout the ABI header describes. */
START_TEST(event_hand_built)
{
	uint32_t buf[64];
	unsigned char *p = (unsigned char *)buf;
	struct nlmsghdr *nlh = (struct nlmsghdr *)p;
	struct genlmsghdr *g;
	struct nlattr *a, *rec;
	struct nlicmp_event_info info;
	struct seen s;
	size_t off;
	uint64_t v;

	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_type = FAKE_FAMILY;
	g = (struct genlmsghdr *)(p + NLMSG_HDRLEN);
	g->cmd = NLICMP_CMD_EVENT;
	g->version = 1;
	off = NLMSG_HDRLEN + GENL_HDRLEN;

#define ATTR(type_, len_) \
	(a = (struct nlattr *)(p + off), a->nla_type = (type_), \
	 a->nla_len = NLA_HDRLEN + (len_), off += NLA_ALIGN(a->nla_len), \
	 (unsigned char *)a + NLA_HDRLEN)
	*(uint32_t *)ATTR(NLICMP_A_SEQ, 4) = 9;
	v = 77;
	memcpy(ATTR(NLICMP_A_FLUSH, 8), &v, 8);
	rec = (struct nlattr *)(p + off);
	rec->nla_type = NLICMP_A_RECORD;
	off += NLA_HDRLEN;
	*ATTR(NLICMP_R_FAMILY, 1) = AF_INET;
	memcpy(ATTR(NLICMP_R_SRC, 4), "\xc6\x33\x64\x07", 4);
	memcpy(ATTR(NLICMP_R_DST, 4), "\xc6\x33\x64\x01", 4);
	*ATTR(NLICMP_R_TYPE, 1) = 3;
	*ATTR(NLICMP_R_CODE, 1) = 3;
	v = 2;
	memcpy(ATTR(NLICMP_R_PACKETS, 8), &v, 8);
	v = 1152;
	memcpy(ATTR(NLICMP_R_BYTES, 8), &v, 8);
#undef ATTR
	rec->nla_len = (uint16_t)((p + off) - (unsigned char *)rec);
	nlh->nlmsg_len = (uint32_t)off;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(nlicmp_parse_event(nlh, off, FAKE_FAMILY, &seen_ops,
					    &s, &info), 0);
	ck_assert_uint_eq(info.seq, 9);
	ck_assert_uint_eq(info.flush, 77);
	ck_assert_int_eq(s.records, 1);
	ck_assert_uint_eq(s.rec[0].src[3], 7);
	ck_assert_uint_eq(s.rec[0].type, 3);
	ck_assert_uint_eq(s.rec[0].code, 3);
	ck_assert_uint_eq(s.rec[0].bytes, 1152);

	/* Leftover bytes after the last attribute are a truncation too. */
	nlh->nlmsg_len = (uint32_t)off + 2;
	ck_assert_int_eq(nlicmp_parse_event(nlh, sizeof(buf), 0, NULL, NULL,
					    &info), -EBADMSG);
}
END_TEST

/* ---------------------------------------------------------------- */

START_TEST(stats_valid)
{
	struct nl_msg *m = new_msg(NLICMP_CMD_GET_STATS);
	struct nlicmp_stats st;
	struct nlattr *n;

	n = nla_nest_start(m, NLICMP_A_STATS);
	nla_put_u64(m, NLICMP_S_SEEN, 1234);
	nla_put_u64(m, NLICMP_S_MALFORMED, 1);
	nla_put_u64(m, NLICMP_S_UNATTRIBUTED, 2);
	nla_put_u64(m, NLICMP_S_NOMEM, 3);
	nla_put_u32(m, NLICMP_S_ENTRIES, 4);
	nla_put_u32(m, NLICMP_S_MAX_ENTRIES, 65536);
	nla_put_u32(m, NLICMP_S_LISTENERS, 2);
	nla_put_u32(m, NLICMP_S_MAX_LISTENERS, 8);
	nla_put_u64(m, NLICMP_S_FLUSHES, 99);
	nla_put_u32(m, NLICMP_S_FLUSH_MS, 1000);
	nla_nest_end(m, n);
	put_listener(m, 100, 50, 0);
	put_listener(m, 200, 40, 10);

	ck_assert_int_eq(nlicmp_parse_stats(hdr(m), mlen(m), FAKE_FAMILY, &st),
			 0);
	ck_assert_uint_eq(st.seen, 1234);
	ck_assert_uint_eq(st.malformed, 1);
	ck_assert_uint_eq(st.unattributed, 2);
	ck_assert_uint_eq(st.nomem, 3);
	ck_assert_uint_eq(st.entries, 4);
	ck_assert_uint_eq(st.max_entries, 65536);
	ck_assert_uint_eq(st.listeners, 2);
	ck_assert_uint_eq(st.max_listeners, 8);
	ck_assert_uint_eq(st.flushes, 99);
	ck_assert_uint_eq(st.flush_ms, 1000);
	for (int i = NLICMP_S_SEEN; i <= NLICMP_S_MAX; i++)
		ck_assert(st.present & (1u << i));
	ck_assert_uint_eq(st.nlisteners, 2);
	ck_assert_uint_eq(st.listener[0].portid, 100);
	ck_assert_uint_eq(st.listener[0].delivered, 50);
	ck_assert_uint_eq(st.listener[1].portid, 200);
	ck_assert_uint_eq(st.listener[1].undelivered, 10);
	nlicmp_stats_free(&st);
	ck_assert_ptr_null(st.listener);
	nlmsg_free(m);
}
END_TEST

START_TEST(stats_partial_and_bad)
{
	struct nl_msg *m;
	struct nlicmp_stats st;
	struct nlattr *n;

	/* Counters an older module does not send are marked absent. */
	m = new_msg(NLICMP_CMD_GET_STATS);
	n = nla_nest_start(m, NLICMP_A_STATS);
	nla_put_u64(m, NLICMP_S_SEEN, 5);
	nla_nest_end(m, n);
	ck_assert_int_eq(nlicmp_parse_stats(hdr(m), mlen(m), 0, &st), 0);
	ck_assert_uint_eq(st.present, 1u << NLICMP_S_SEEN);
	ck_assert_uint_eq(st.nlisteners, 0);
	nlicmp_stats_free(&st);
	nlmsg_free(m);

	/* No A_STATS. */
	m = new_msg(NLICMP_CMD_GET_STATS);
	put_listener(m, 1, 0, 0);
	ck_assert_int_eq(nlicmp_parse_stats(hdr(m), mlen(m), 0, &st), -EBADMSG);
	nlmsg_free(m);

	/* S_SEEN as a u32. */
	m = new_msg(NLICMP_CMD_GET_STATS);
	n = nla_nest_start(m, NLICMP_A_STATS);
	nla_put_u32(m, NLICMP_S_SEEN, 5);
	nla_nest_end(m, n);
	ck_assert_int_eq(nlicmp_parse_stats(hdr(m), mlen(m), 0, &st), -EBADMSG);
	nlmsg_free(m);

	/* A listener without its port id: freed, not leaked. */
	m = new_msg(NLICMP_CMD_GET_STATS);
	n = nla_nest_start(m, NLICMP_A_STATS);
	nla_put_u64(m, NLICMP_S_SEEN, 5);
	nla_nest_end(m, n);
	put_listener(m, 1, 0, 0);
	n = nla_nest_start(m, NLICMP_A_LISTENER);
	nla_put_u64(m, NLICMP_L_DELIVERED, 5);
	nla_nest_end(m, n);
	ck_assert_int_eq(nlicmp_parse_stats(hdr(m), mlen(m), 0, &st), -EBADMSG);
	ck_assert_ptr_null(st.listener);
	nlmsg_free(m);

	/* An event is not a stats reply. */
	m = event_msg(1);
	ck_assert_int_eq(nlicmp_parse_stats(hdr(m), mlen(m), 0, &st), -EBADMSG);
	nlmsg_free(m);
}
END_TEST

START_TEST(echo_parse)
{
	struct nl_msg *m;
	char reply[64], version[16], tiny[8];

	m = new_msg(NLICMP_CMD_ECHO);
	nla_put_string(m, NLICMP_A_ECHO_TEXT, "netlink_icmp 1.0.0: hi");
	nla_put_string(m, NLICMP_A_VERSION, "1.0.0");
	ck_assert_int_eq(nlicmp_parse_echo(hdr(m), mlen(m), FAKE_FAMILY, reply,
					   sizeof(reply), version,
					   sizeof(version)), 0);
	ck_assert_str_eq(reply, "netlink_icmp 1.0.0: hi");
	ck_assert_str_eq(version, "1.0.0");
	/* A short buffer gets a cut, NUL-terminated copy. */
	ck_assert_int_eq(nlicmp_parse_echo(hdr(m), mlen(m), 0, tiny,
					   sizeof(tiny), NULL, 0), 0);
	ck_assert_str_eq(tiny, "netlink");
	nlmsg_free(m);

	/* No text. */
	m = new_msg(NLICMP_CMD_ECHO);
	nla_put_string(m, NLICMP_A_VERSION, "1.0.0");
	ck_assert_int_eq(nlicmp_parse_echo(hdr(m), mlen(m), 0, reply,
					   sizeof(reply), NULL, 0), -EBADMSG);
	nlmsg_free(m);

	/* A text without its NUL. */
	m = new_msg(NLICMP_CMD_ECHO);
	nla_put(m, NLICMP_A_ECHO_TEXT, 2, "hi");
	ck_assert_int_eq(nlicmp_parse_echo(hdr(m), mlen(m), 0, reply,
					   sizeof(reply), NULL, 0), -EBADMSG);
	nlmsg_free(m);
}
END_TEST

/* NLMSG_ERROR with an extended ack, as the kernel builds it. */
static size_t build_error(unsigned char *buf, int error, bool capped,
			  const char *text)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e;
	struct nlattr *a;
	size_t off, req_payload = capped ? 0 : 8;

	memset(buf, 0, 512);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) |
			   (text ? NLM_F_ACK_TLVS : 0);
	e = (struct nlmsgerr *)(buf + NLMSG_HDRLEN);
	e->error = error;
	/* The echoed request: a header plus 8 bytes of payload. */
	e->msg.nlmsg_len = NLMSG_HDRLEN + 8;
	e->msg.nlmsg_type = FAKE_FAMILY;
	off = NLMSG_HDRLEN + sizeof(*e) + req_payload;
	memset(buf + NLMSG_HDRLEN + sizeof(*e), 0xee, req_payload);
	if (text) {
		a = (struct nlattr *)(buf + off);
		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = NLA_HDRLEN + strlen(text) + 1;
		memcpy(buf + off + NLA_HDRLEN, text, strlen(text) + 1);
		off += NLA_ALIGN(a->nla_len);
	}
	nlh->nlmsg_len = (uint32_t)off;
	return off;
}

START_TEST(error_parse)
{
	unsigned char buf[512] __attribute__((aligned(4)));
	char msg[128];
	size_t len;
	int e;

	len = build_error(buf, 0, true, NULL);
	ck_assert_int_eq(nlicmp_parse_error((struct nlmsghdr *)buf, len, &e,
					    msg, sizeof(msg)), 0);
	ck_assert_int_eq(e, 0);
	ck_assert_str_eq(msg, "");

	len = build_error(buf, -EPERM, true, "needs CAP_NET_ADMIN");
	ck_assert_int_eq(nlicmp_parse_error((struct nlmsghdr *)buf, len, &e,
					    msg, sizeof(msg)), 0);
	ck_assert_int_eq(e, -EPERM);
	ck_assert_str_eq(msg, "needs CAP_NET_ADMIN");

	/* Without NETLINK_CAP_ACK the request's payload comes first. */
	len = build_error(buf, -ENOSPC, false, "max_listeners reached");
	ck_assert_int_eq(nlicmp_parse_error((struct nlmsghdr *)buf, len, &e,
					    msg, sizeof(msg)), 0);
	ck_assert_int_eq(e, -ENOSPC);
	ck_assert_str_eq(msg, "max_listeners reached");

	len = build_error(buf, -EINVAL, false, NULL);
	ck_assert_int_eq(nlicmp_parse_error((struct nlmsghdr *)buf, len, &e,
					    msg, sizeof(msg)), 0);
	ck_assert_int_eq(e, -EINVAL);
	ck_assert_str_eq(msg, "");

	/* Not an errno. */
	len = build_error(buf, 5, true, NULL);
	ck_assert_int_eq(nlicmp_parse_error((struct nlmsghdr *)buf, len, &e,
					    msg, sizeof(msg)), -EBADMSG);
	/* Truncated. */
	len = build_error(buf, -EPERM, true, NULL);
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_HDRLEN + 2;
	ck_assert_int_eq(nlicmp_parse_error((struct nlmsghdr *)buf, len, &e,
					    msg, sizeof(msg)), -EBADMSG);
}
END_TEST

START_TEST(errors_text)
{
	ck_assert_ptr_nonnull(strstr(nlicmp_strerror(-NLICMP_E_NOMODULE),
				     "modprobe netlink_icmp"));
	ck_assert_ptr_nonnull(strstr(nlicmp_strerror(-NLICMP_E_NOMODULE),
				     "not loaded"));
	ck_assert_ptr_nonnull(strstr(nlicmp_strerror(-EPERM), "CAP_NET_ADMIN"));
	ck_assert_str_eq(nlicmp_strerror(EPERM), nlicmp_strerror(-EPERM));
	ck_assert_ptr_nonnull(strstr(nlicmp_strerror(-ENOBUFS), "lost"));
	ck_assert_ptr_nonnull(strstr(nlicmp_strerror(-ENOSPC),
				     "max_listeners"));
	ck_assert_str_eq(nlicmp_strerror(-EIO), strerror(EIO));

	ck_assert_int_eq(nlicmp_nlerr_to_errno(-NLE_NOMEM), -ENOMEM);
	ck_assert_int_eq(nlicmp_nlerr_to_errno(NLE_PERM), -EPERM);
	ck_assert_int_eq(nlicmp_nlerr_to_errno(-NLE_OBJ_NOTFOUND), -ENOENT);
	ck_assert_int_eq(nlicmp_nlerr_to_errno(-NLE_MSG_TRUNC), -EBADMSG);
	ck_assert_int_eq(nlicmp_nlerr_to_errno(-NLE_AGAIN), -EAGAIN);
	ck_assert_int_eq(nlicmp_nlerr_to_errno(0), 0);
	/* Every NLE_* code maps to a negative errno, never to itself. */
	for (int i = 1; i <= NLE_MAX + 5; i++)
		ck_assert_int_lt(nlicmp_nlerr_to_errno(-i), 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The receive path, with a socket of the test's own as the module.  */

static int fake_kernel(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_to(int fd, uint32_t portid, uint32_t groups,
		    struct nl_msg *m)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_pid = portid,
		.nl_groups = groups,
	};
	ssize_t n = sendto(fd, hdr(m), mlen(m), groups ? MSG_DONTWAIT : 0,
			   (struct sockaddr *)&sa, sizeof(sa));

	if (!groups)
		ck_assert_int_eq(n, (ssize_t)mlen(m));
	nlmsg_free(m);
}

static struct nlicmp_client *fake_client(size_t rcvbuf)
{
	struct nlicmp_client *c;

	ck_assert_int_eq(nlicmp_open_with_family(&c, rcvbuf, FAKE_FAMILY), 0);
	ck_assert_int_eq(nlicmp_family_id(c), FAKE_FAMILY);
	ck_assert_int_ge(nlicmp_event_fd(c), 0);
	return c;
}

START_TEST(receive_sequence_gaps)
{
	struct nlicmp_client *c = fake_client(0);
	uint32_t port = nlicmp_event_portid(c);
	int k = fake_kernel();
	struct nl_msg *m;
	struct seen s;

	ck_assert_uint_ne(port, 0);
	memset(&s, 0, sizeof(s));
	/* Nothing queued: a timeout, not an error. */
	ck_assert_int_eq(nlicmp_receive(c, 10, &seen_ops, &s), 0);

	m = event_msg(1);
	put_record(m, AF_INET, "198.51.100.2", "198.51.100.1", 8, 0, 5, 420);
	send_to(k, port, 0, m);
	ck_assert_int_eq(nlicmp_receive(c, 1000, &seen_ops, &s), 1);
	ck_assert_int_eq(s.records, 1);
	ck_assert_uint_eq(s.info.missed, 0);

	/* seq 2 and 3 lost. */
	m = event_msg(4);
	put_record(m, AF_INET6, "2001:db8::2", "2001:db8::1", 128, 0, 1, 104);
	send_to(k, port, 0, m);
	s.records = 0;
	ck_assert_int_eq(nlicmp_receive(c, 1000, &seen_ops, &s), 1);
	ck_assert_uint_eq(s.info.seq, 4);
	ck_assert_uint_eq(s.info.missed, 2);

	/* A malformed event is reported, the next one still arrives. */
	m = event_msg(5);
	put_record(m, AF_INET, "198.51.100.2", "198.51.100.1", 8, -1, 5, 420);
	send_to(k, port, 0, m);
	m = event_msg(6);
	put_record(m, AF_INET, NULL, NULL, 8, -1, 7, 588);
	send_to(k, port, 0, m);
	s.records = 0;
	ck_assert_int_eq(nlicmp_receive(c, 1000, &seen_ops, &s), -EBADMSG);
	ck_assert_int_eq(s.records, 1);
	ck_assert_uint_eq(s.info.seq, 6);
	ck_assert_uint_eq(s.rec[0].packets, 7);

	/* Messages of other families or commands are not events. */
	m = new_msg(NLICMP_CMD_ECHO);
	hdr(m)->nlmsg_type = FAKE_FAMILY + 1;
	send_to(k, port, 0, m);
	ck_assert_int_eq(nlicmp_receive(c, 1000, &seen_ops, &s), 0);

	close(k);
	nlicmp_close(c);
}
END_TEST

START_TEST(receive_large_message)
{
	struct nlicmp_client *c = fake_client(0);
	int k = fake_kernel();
	struct nl_msg *m = event_msg(1);
	struct seen s;
	char src[32];
	uint64_t sum = 0;

	for (int i = 0; i < 400; i++) {
		snprintf(src, sizeof(src), "2001:db8:1:%x::7", i);
		put_record(m, AF_INET6, src, "2001:db8::1", 128, 0, i + 1, 104);
	}
	ck_assert_uint_gt(mlen(m), 4 * 4096);
	send_to(k, nlicmp_event_portid(c), 0, m);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(nlicmp_receive(c, 1000, &seen_ops, &s), 1);
	ck_assert_int_eq(s.records, 400);
	for (int i = 0; i < 400; i++)
		sum += s.rec[i].packets;
	ck_assert_uint_eq(sum, 400 * 401 / 2);
	close(k);
	nlicmp_close(c);
}
END_TEST

/*
 * An overrun, for real: only a kernel-side delivery (here a multicast,
 * which needs CAP_NET_ADMIN) marks the receiver with ENOBUFS. Done in a
 * network namespace of the test's own so nobody else sees the messages.
 */
START_TEST(receive_overrun_reported)
{
	struct nlicmp_client *c;
	struct seen s;
	int k, err, group = GENL_ID_CTRL, sent;
	bool overrun = false;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "receive_overrun_reported: skipped, "
			"unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return;
	}
	c = fake_client(4096);
	k = fake_kernel();
	/* nlctrl's "notify" group has the id of the nlctrl family. */
	ck_assert_int_eq(setsockopt(nlicmp_event_fd(c), SOL_NETLINK,
				    NETLINK_ADD_MEMBERSHIP, &group,
				    sizeof(group)), 0);
	for (sent = 1; sent <= 200; sent++) {
		struct nl_msg *m = event_msg((uint32_t)sent);

		put_record(m, AF_INET, NULL, NULL, 8, -1, 1, 84);
		send_to(k, 0, 1u << (GENL_ID_CTRL - 1), m);
	}

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 400; i++) {
		err = nlicmp_receive(c, 0, &seen_ops, &s);
		if (err == -ENOBUFS)
			overrun = true;
		else if (err == 0)
			break;
		else
			ck_assert_int_gt(err, 0);
	}
	ck_assert(overrun);
	ck_assert_int_gt(s.messages, 0);
	ck_assert_int_lt(s.messages, 200);
	/* What was received plus what the gaps say was lost adds up to the
	 * last sequence number received.
	 */
	ck_assert_uint_eq(s.messages + s.missed, s.info.seq);

	/* After the overrun, the socket still works and the gap shows. */
	{
		struct nl_msg *m = event_msg(500);
		uint32_t before = s.info.seq;

		put_record(m, AF_INET, NULL, NULL, 0, -1, 1, 84);
		send_to(k, 0, 1u << (GENL_ID_CTRL - 1), m);
		ck_assert_int_eq(nlicmp_receive(c, 1000, &seen_ops, &s), 1);
		ck_assert_uint_eq(s.info.seq, 500);
		ck_assert_uint_eq(s.info.missed, 500 - before - 1);
	}
	close(k);
	nlicmp_close(c);
}
END_TEST

/*
 * A client whose family id no longer names the module (unloaded, or
 * loaded again under another id): re-resolving by name says so, and
 * UNREGISTER is not sent with the stale id.
 */
START_TEST(stale_family_detected)
{
	struct nlicmp_client *c = fake_client(0);

	ck_assert_int_eq(nlicmp_check_family(c), -NLICMP_E_NOMODULE);
	ck_assert_int_eq(nlicmp_unregister(c), -NLICMP_E_NOMODULE);
	nlicmp_close(c);
}
END_TEST

/* With no module, requests for an unknown family end in NOMODULE. */
START_TEST(requests_without_module)
{
	struct nlicmp_client *c = fake_client(0);
	struct nlicmp_stats st;
	char reply[64];
	int err;

	err = nlicmp_echo(c, "hi", reply, sizeof(reply), NULL, 0);
	if (err == 0) {
		/* Only if a real family owns FAKE_FAMILY; not expected. */
		nlicmp_close(c);
		return;
	}
	ck_assert_int_eq(err, -NLICMP_E_NOMODULE);
	ck_assert_int_eq(nlicmp_get_stats(c, &st), -NLICMP_E_NOMODULE);
	ck_assert_ptr_null(st.listener);
	ck_assert_int_eq(nlicmp_register(c), -NLICMP_E_NOMODULE);
	ck_assert_int_eq(nlicmp_echo(c, NULL, reply, sizeof(reply), NULL, 0),
			 -EINVAL);
	{
		char big[NLICMP_ECHO_MAX + 1];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ck_assert_int_eq(nlicmp_echo(c, big, reply, sizeof(reply),
					     NULL, 0), -EINVAL);
	}
	nlicmp_close(c);
}
END_TEST

/* The real family: absent on a host without the module, present in the
 * test VM with it loaded. Either way the answer must be the right one.
 */
START_TEST(open_real_family)
{
	struct nlicmp_client *c = NULL;
	char reply[NLICMP_ECHO_MAX + 64], version[32];
	int err = nlicmp_open(&c, 0);

	if (err == -NLICMP_E_NOMODULE) {
		ck_assert_ptr_null(c);
		return;
	}
	ck_assert_int_eq(err, 0);
	ck_assert_int_gt(nlicmp_family_id(c), 0);
	ck_assert_int_eq(nlicmp_echo(c, "unit", reply, sizeof(reply), version,
				     sizeof(version)), 0);
	ck_assert_str_eq(reply, "netlink_icmp " NLICMP_RELEASE ": unit");
	nlicmp_close(c);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("nlicmp_client");
	TCase *p = tcase_create("parse");
	TCase *r = tcase_create("receive");

	tcase_add_test(p, event_valid);
	tcase_add_test(p, event_no_records_no_listener);
	tcase_add_test(p, event_truncated);
	tcase_add_test(p, event_truncated_inside_record);
	tcase_add_test(p, event_wrong_types);
	tcase_add_test(p, event_unknown_attributes_ignored);
	tcase_add_test(p, event_nested_flag_accepted);
	tcase_add_test(p, event_address_family_mismatch);
	tcase_add_test(p, event_missing_mandatory);
	tcase_add_test(p, event_bad_record_drops_whole_message);
	tcase_add_test(p, event_wrong_command_or_family);
	tcase_add_test(p, event_callback_stops);
	tcase_add_test(p, event_larger_than_a_page);
	tcase_add_test(p, event_hand_built);
	tcase_add_test(p, stats_valid);
	tcase_add_test(p, stats_partial_and_bad);
	tcase_add_test(p, echo_parse);
	tcase_add_test(p, error_parse);
	tcase_add_test(p, errors_text);
	suite_add_tcase(s, p);

	tcase_set_timeout(r, 30);
	tcase_add_test(r, receive_sequence_gaps);
	tcase_add_test(r, receive_large_message);
	tcase_add_test(r, receive_overrun_reported);
	tcase_add_test(r, requests_without_module);
	tcase_add_test(r, stale_family_detected);
	tcase_add_test(r, open_real_family);
	suite_add_tcase(s, r);
	return s;
}

int main(void)
{
	return run_suite(client_suite());
}
