// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the plugin's collectd glue, the collectd way: the real
 * netlink_icmp.c is included, the daemon underneath is fake
 * (fake_collectd.c). EVENT messages are built as raw bytes, parsed by the
 * client library's parser into the plugin's callbacks, and what the read
 * callback dispatches (values, notifications) is checked. There is no
 * module on a unit-test host, so init also shows the reconnect path.
 */
#include "netlink_icmp.c"

#include <arpa/inet.h>
#include <check.h>
#include <linux/genetlink.h>

#include "check_main.h"
#include "fake_collectd.h"
#include "plugin_statics.h"

/* ---- raw EVENT messages ---- */

struct msg {
	union {
		struct nlmsghdr nlh;
		uint8_t buf[16384];
	} u;
};

static void *put(struct msg *m, size_t len)
{
	void *p = m->u.buf + m->u.nlh.nlmsg_len;

	ck_assert_uint_le(m->u.nlh.nlmsg_len + NLMSG_ALIGN(len),
			  sizeof(m->u.buf));
	memset(p, 0, NLMSG_ALIGN(len));
	m->u.nlh.nlmsg_len += NLMSG_ALIGN(len);
	return p;
}

static void attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = put(m, NLA_HDRLEN + len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
}

static size_t nest_start(struct msg *m, uint16_t type)
{
	size_t off = m->u.nlh.nlmsg_len;
	struct nlattr *a = put(m, NLA_HDRLEN);

	a->nla_type = type | NLA_F_NESTED;
	return off;
}

static void nest_end(struct msg *m, size_t off)
{
	struct nlattr *a = (struct nlattr *)(m->u.buf + off);

	a->nla_len = (uint16_t)(m->u.nlh.nlmsg_len - off);
}

static void u8_attr(struct msg *m, uint16_t t, uint8_t v) { attr(m, t, &v, 1); }
static void u32_attr(struct msg *m, uint16_t t, uint32_t v) { attr(m, t, &v, 4); }
static void u64_attr(struct msg *m, uint16_t t, uint64_t v) { attr(m, t, &v, 8); }

static void event_start(struct msg *m, uint32_t seq, uint64_t undelivered)
{
	struct genlmsghdr *g;
	size_t l;

	memset(&m->u.nlh, 0, sizeof(m->u.nlh));
	m->u.nlh.nlmsg_len = NLMSG_HDRLEN;
	m->u.nlh.nlmsg_type = 0x20;
	g = put(m, GENL_HDRLEN);
	g->cmd = NLICMP_CMD_EVENT;
	g->version = NLICMP_GENL_VERSION;
	u32_attr(m, NLICMP_A_SEQ, seq);
	u64_attr(m, NLICMP_A_FLUSH, seq);
	l = nest_start(m, NLICMP_A_LISTENER);
	u32_attr(m, NLICMP_L_PORTID, 1234);
	u64_attr(m, NLICMP_L_DELIVERED, 0);
	u64_attr(m, NLICMP_L_UNDELIVERED, undelivered);
	nest_end(m, l);
}

/* src NULL: unattributed; type < 0: truncated header. */
static void event_record(struct msg *m, const char *src, int type, int code,
			 uint64_t packets)
{
	size_t r = nest_start(m, NLICMP_A_RECORD);
	int family = src && strchr(src, ':') ? AF_INET6 : AF_INET;
	uint8_t a[16] = { 0 }, d[16] = { 0 };
	size_t alen = family == AF_INET ? 4 : 16;

	u8_attr(m, NLICMP_R_FAMILY, (uint8_t)family);
	if (src) {
		ck_assert_int_eq(inet_pton(family, src, a), 1);
		ck_assert_int_eq(inet_pton(family, family == AF_INET ?
					   "198.51.100.1" : "2001:db8::1", d),
				 1);
		attr(m, NLICMP_R_SRC, a, alen);
		attr(m, NLICMP_R_DST, d, alen);
	}
	if (type >= 0) {
		u8_attr(m, NLICMP_R_TYPE, (uint8_t)type);
		if (src)
			u8_attr(m, NLICMP_R_CODE, (uint8_t)code);
	}
	u64_attr(m, NLICMP_R_PACKETS, packets);
	u64_attr(m, NLICMP_R_BYTES, packets * 84);
	nest_end(m, r);
}

/* What the receiver thread does with one message. */
static int deliver(struct msg *m)
{
	struct batch b = { 0 };
	struct nlicmp_event_info info;
	int err = nlicmp_parse_event(&m->u.nlh, m->u.nlh.nlmsg_len, 0,
				     &event_ops, &b, &info);

	batch_apply(&b);
	free(b.rec);
	return err;
}

/* ---- plugin life cycle ---- */

static void start(oconfig_item_t *block)
{
	fake_reset();
	/* The table's clock is the fake time too. */
	table_clock = cdtime;
	module_register();
	ck_assert_int_eq(nic_config(block), 0);
	fake_ci_free(block);
	ck_assert_int_eq(nic_init(), 0);
}

/* Shut down and bring the plugin's statics back to a fresh load (tests
 * may share one process: CK_FORK=no under valgrind).
 */
static void stop(void)
{
	ck_assert_int_eq(nic_shutdown(), 0);
	plugin_statics_reset();
}

/* One read interval of fake time, then the read callback. */
static void read_interval(void)
{
	fake_time += fake_interval;
	fake_reset();
	ck_assert_int_eq(nic_read(), 0);
}

static int64_t derive(const char *inst, const char *type, const char *ti)
{
	const struct fake_value *v = fake_find(inst, type, ti);

	ck_assert_msg(v != NULL, "no value %s/%s-%s", inst, type, ti);
	ck_assert_str_eq(v->plugin, "netlink_icmp");
	return v->value.derive;
}

#define PLUGIN(...) fake_ci_block("Plugin", __VA_ARGS__, NULL)

/* ---- tests ---- */

START_TEST(values_from_raw_events)
{
	struct msg m;

	start(PLUGIN(fake_ci_num("MaxSources", 10), fake_ci_num("MinReads", 1)));
	event_start(&m, 1, 0);
	event_record(&m, "198.51.100.10", 8, 0, 3);
	event_record(&m, "198.51.100.20", 8, 0, 50);
	event_record(&m, "198.51.100.20", 3, 3, 2);
	event_record(&m, "2001:db8:1::10", 128, 0, 5);
	event_record(&m, "2001:db8:1::20", 128, 0, 7);
	event_record(&m, "2001:db8:1::20", 135, 0, 1);
	event_record(&m, "203.0.113.9", 200, 0, 1);
	event_record(&m, NULL, 8, 0, 4);	/* unattributed */
	event_record(&m, NULL, -1, 0, 2);	/* truncated header */
	ck_assert_int_eq(deliver(&m), 0);
	event_start(&m, 2, 6);
	event_record(&m, "198.51.100.10", 8, 0, 1);
	ck_assert_int_eq(deliver(&m), 0);
	read_interval();
	/* New series: zeros at the previous read first, values next. */
	ck_assert_int_eq(derive("198.51.100.10", "packets", "echo_request"), 0);
	read_interval();

	ck_assert_int_eq(derive("198.51.100.10", "packets", "echo_request"), 4);
	ck_assert_int_eq(derive("198.51.100.10", "total_bytes", ""), 4 * 84);
	ck_assert_int_eq(derive("198.51.100.20", "packets", "echo_request"), 50);
	ck_assert_int_eq(derive("198.51.100.20", "packets", "dest_unreach"), 2);
	/* IPv6 grouped by the default /64, named per RFC 5952. */
	ck_assert_int_eq(derive("2001:db8:1::_64", "packets", "echo_request"),
			 12);
	ck_assert_int_eq(derive("2001:db8:1::_64", "packets",
				"neighbor_solicit"), 1);
	ck_assert_int_eq(derive("203.0.113.9", "packets", "type_200"), 1);
	/* all: ICMP type 8 and ICMPv6 type 128 are one echo_request. */
	ck_assert_int_eq(derive("all", "packets", "echo_request"),
			 4 + 50 + 12 + 4);
	ck_assert_int_eq(derive("all", "packets", "dest_unreach"), 2);
	ck_assert_int_eq(derive("all", "packets", "malformed"), 2);
	ck_assert_int_eq(derive("all", "packets", "undelivered"), 6);
	ck_assert_int_eq(derive("all", "total_bytes", ""), 76 * 84);
	ck_assert(fake_find("all", "count", "sources")->value.gauge == 4);
	ck_assert_int_eq(derive("other", "packets", "echo_request"), 4);
	ck_assert_int_eq(derive("other", "total_bytes", ""), 4 * 84);
	stop();
}
END_TEST

START_TEST(report_codes_names)
{
	struct msg m;

	start(PLUGIN(fake_ci_bool("ReportCodes", 1), fake_ci_num("MinReads", 1)));
	event_start(&m, 1, 0);
	event_record(&m, "198.51.100.20", 3, 3, 2);
	event_record(&m, "2001:db8::5", 1, 4, 3);
	event_record(&m, "198.51.100.20", 5, 1, 1);
	event_record(&m, "198.51.100.20", 3, 99, 1);
	event_record(&m, NULL, 3, 0, 7);	/* unattributed: no code */
	ck_assert_int_eq(deliver(&m), 0);
	read_interval();
	read_interval();	/* a new series' values: at its second read */
	ck_assert_int_eq(derive("198.51.100.20", "packets",
				"dest_unreach-port_unreach"), 2);
	ck_assert_int_eq(derive("198.51.100.20", "packets", "redirect-host"),
			 1);
	ck_assert_int_eq(derive("198.51.100.20", "packets",
				"dest_unreach-code_99"), 1);
	/* Same meaning, same name: ICMPv6 1/4 is also port_unreach. */
	ck_assert_int_eq(derive("all", "packets", "dest_unreach-port_unreach"),
			 5);
	ck_assert_int_eq(derive("other", "packets", "dest_unreach"), 7);
	ck_assert_int_eq(derive("all", "packets", "dest_unreach"), 7);
	ck_assert_ptr_null(fake_find("other", "packets",
				     "dest_unreach-net_unreach"));
	stop();
}
END_TEST

START_TEST(bad_messages_are_dropped_whole)
{
	struct msg m;
	uint32_t len;

	start(PLUGIN(fake_ci_num("MaxSources", 10)));
	/* Truncated: the last record cut in the middle. */
	event_start(&m, 1, 0);
	event_record(&m, "198.51.100.10", 8, 0, 3);
	event_record(&m, "198.51.100.11", 8, 0, 3);
	len = m.u.nlh.nlmsg_len;
	m.u.nlh.nlmsg_len = len - 8;
	ck_assert_int_eq(deliver(&m), -EBADMSG);
	/* Wrong type: R_FAMILY as 4 bytes. */
	event_start(&m, 2, 0);
	event_record(&m, "198.51.100.10", 8, 0, 3);
	{
		size_t r = nest_start(&m, NLICMP_A_RECORD);

		u32_attr(&m, NLICMP_R_FAMILY, AF_INET);
		u64_attr(&m, NLICMP_R_PACKETS, 1);
		u64_attr(&m, NLICMP_R_BYTES, 1);
		nest_end(&m, r);
	}
	ck_assert_int_eq(deliver(&m), -EBADMSG);
	/* An IPv6 family with a 4-byte source. */
	event_start(&m, 3, 0);
	event_record(&m, "198.51.100.10", 8, 0, 3);
	{
		size_t r = nest_start(&m, NLICMP_A_RECORD);
		uint8_t four[4] = { 198, 51, 100, 7 };

		u8_attr(&m, NLICMP_R_FAMILY, AF_INET6);
		attr(&m, NLICMP_R_SRC, four, 4);
		attr(&m, NLICMP_R_DST, four, 4);
		u8_attr(&m, NLICMP_R_TYPE, 128);
		u8_attr(&m, NLICMP_R_CODE, 0);
		u64_attr(&m, NLICMP_R_PACKETS, 1);
		u64_attr(&m, NLICMP_R_BYTES, 1);
		nest_end(&m, r);
	}
	ck_assert_int_eq(deliver(&m), -EBADMSG);
	/* Nothing of the three messages was counted. */
	read_interval();
	ck_assert_ptr_null(fake_find("198.51.100.10", "packets",
				     "echo_request"));
	ck_assert_ptr_null(fake_find("all", "packets", "echo_request"));
	ck_assert(fake_find("all", "count", "sources")->value.gauge == 0);
	stop();
}
END_TEST

START_TEST(module_absent_notifies_once)
{
	size_t i;

	start(PLUGIN(fake_ci_num("MaxSources", 10)));
	/* init went on without the module and did not notify yet. */
	ck_assert_uint_eq(fake_nnotifications, 0);
	read_interval();
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert_int_eq(fake_notifications[0].severity, NOTIF_FAILURE);
	ck_assert_str_eq(fake_notifications[0].plugin, "netlink_icmp");
	ck_assert_ptr_nonnull(strstr(fake_notifications[0].message,
				     "cannot register with the module"));
	/* Still dispatching, retrying, not notifying again. */
	ck_assert_ptr_nonnull(fake_find("all", "packets", "undelivered"));
	for (i = 0; i < 3; i++) {
		read_interval();
		ck_assert_uint_eq(fake_nnotifications, 0);
	}
	stop();
}
END_TEST

START_TEST(bad_config_fails_init)
{
	oconfig_item_t *block = PLUGIN(fake_ci_num("IPv4Prefix", 40));

	fake_reset();
	/* The table's clock is the fake time too. */
	table_clock = cdtime;
	module_register();
	ck_assert_int_eq(nic_config(block), 0);
	fake_ci_free(block);
	ck_assert_ptr_nonnull(strstr(fake_log, "IPv4Prefix: 40"));
	ck_assert_int_eq(nic_init(), -1);
	ck_assert_ptr_nonnull(strstr(fake_log, "not started"));
	stop();
}
END_TEST

/* Feed n echo requests from src in one interval, then read. */
static void interval_with(const char *src, uint64_t n)
{
	static uint32_t seq;
	struct msg m;

	event_start(&m, ++seq, 0);
	if (n > 0)
		event_record(&m, src, 8, 0, n);
	ck_assert_int_eq(deliver(&m), 0);
	read_interval();
}

START_TEST(alert_per_source)
{
	const struct fake_notification *n;

	start(PLUGIN(fake_ci_block("Alert", fake_ci_str("Type", "echo_request"),
				   fake_ci_num("WarningRate", 100),
				   fake_ci_num("FailureRate", 1000),
				   fake_ci_num("Hysteresis", 20),
				   fake_ci_num("Persist", 2), NULL)));
	fake_interval = TIME_T_TO_CDTIME_T(2);
	read_interval();	/* the first read: only the module's FAILURE */
	interval_with("198.51.100.7", 400);	/* 200/s, once */
	ck_assert_uint_eq(fake_nnotifications, 0);
	interval_with("198.51.100.7", 400);	/* twice: warning */
	ck_assert_uint_eq(fake_nnotifications, 1);
	n = &fake_notifications[0];
	ck_assert_int_eq(n->severity, NOTIF_WARNING);
	ck_assert_str_eq(n->plugin, "netlink_icmp");
	ck_assert_str_eq(n->plugin_instance, "198.51.100.7");
	ck_assert_str_eq(n->type, "packets");
	ck_assert_str_eq(n->type_instance, "echo_request");
	ck_assert_str_eq(n->message, "ICMP echo_request from 198.51.100.7: "
				     "200 packets/s, above warning threshold "
				     "100");
	ck_assert_str_eq(n->source, "198.51.100.7");
	ck_assert_str_eq(n->icmp_type, "echo_request");
	ck_assert(n->rate == 200 && n->threshold == 100);
	interval_with("198.51.100.7", 400);	/* same level: nothing */
	ck_assert_uint_eq(fake_nnotifications, 0);
	interval_with("198.51.100.7", 3068);
	interval_with("198.51.100.7", 3068);	/* 1534/s twice: failure */
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert_int_eq(fake_notifications[0].severity, NOTIF_FAILURE);
	ck_assert_str_eq(fake_notifications[0].message,
			 "ICMP echo_request from 198.51.100.7: 1534 packets/s, "
			 "above failure threshold 1000");
	interval_with("198.51.100.7", 1700);	/* 850/s: held by hysteresis */
	ck_assert_uint_eq(fake_nnotifications, 0);
	interval_with("198.51.100.7", 20);	/* 10/s: okay */
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert_int_eq(fake_notifications[0].severity, NOTIF_OKAY);
	ck_assert_str_eq(fake_notifications[0].plugin_instance,
			 "198.51.100.7");
	ck_assert_ptr_nonnull(strstr(fake_notifications[0].message,
				     "back below"));
	interval_with("198.51.100.7", 0);
	ck_assert_uint_eq(fake_nnotifications, 0);
	fake_interval = TIME_T_TO_CDTIME_T(1);
	stop();
}
END_TEST

/* The notifications of the last read for that plugin instance. */
static const struct fake_notification *notified(const char *instance)
{
	size_t i;

	for (i = 0; i < fake_nnotifications; i++)
		if (strcmp(fake_notifications[i].plugin_instance, instance) == 0)
			return &fake_notifications[i];
	return NULL;
}

static const struct fake_notification *notified(const char *instance);

/* A type-code alert without ReportCodes: the plugin counts codes for the
 * alert, the metrics keep type names only (codes summed).
 */
START_TEST(alert_on_code_without_report_codes)
{
	const struct fake_notification *n;
	struct msg m;

	start(PLUGIN(fake_ci_num("MinReads", 1),
		     fake_ci_block("Alert",
				   fake_ci_str("Type", "dest_unreach-frag_needed"),
				   fake_ci_num("WarningRate", 3), NULL)));
	event_start(&m, 1, 0);
	event_record(&m, "198.51.100.20", 3, 4, 5);	/* frag needed */
	event_record(&m, "198.51.100.20", 3, 3, 50);	/* port unreachable */
	event_record(&m, "198.51.100.30", 3, 3, 50);
	ck_assert_int_eq(deliver(&m), 0);
	read_interval();
	/* Port unreachable is not fragmentation needed. */
	ck_assert_ptr_null(notified("198.51.100.30"));
	n = notified("198.51.100.20");
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->type_instance, "dest_unreach-frag_needed");
	ck_assert(n->rate == 5);
	ck_assert_str_eq(n->meta, "source=198.51.100.20;"
				  "icmp_type=dest_unreach-frag_needed;"
				  "scope=source;rate=5;threshold=3;");
	/* A new series: its zeros first, its counts at the next read. */
	read_interval();
	ck_assert_int_eq(derive("198.51.100.20", "packets", "dest_unreach"), 55);
	ck_assert_int_eq(derive("all", "packets", "dest_unreach"), 105);
	ck_assert_ptr_null(fake_find("198.51.100.20", "packets",
				     "dest_unreach-frag_needed"));
	stop();
}
END_TEST

/* StateFile: the learned baseline is written at shutdown and read at the
 * next start.
 */
START_TEST(state_file_round_trip)
{
	char dir[] = "/tmp/nlicmp-test.XXXXXX", path[64], line[128];
	struct msg m;
	FILE *f;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	for (i = 0; i < 2; i++) {
		start(PLUGIN(fake_ci_str("StateFile", path),
			     fake_ci_block("Alert", fake_ci_str("Source", "all"),
					   fake_ci_bool("Baseline", 1),
					   fake_ci_num("LearnFor", 2), NULL)));
		if (i == 1)
			ck_assert_ptr_nonnull(strstr(fake_log,
				"1 learned baseline(s) loaded from"));
		event_start(&m, 1, 0);
		event_record(&m, "198.51.100.20", 8, 0, 40);
		ck_assert_int_eq(deliver(&m), 0);
		read_interval();
		ck_assert_ptr_null(notified("all"));
		stop();
	}
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "netlink_icmp-baselines 1\n");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	/* 40 packets in 1 s intervals, learned twice. */
	ck_assert_str_eq(line, "type=any,scope=all,net=-,aggregate=0 total "
			       "40 0 2\n");
	fclose(f);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* StateFile's "<name>.new" is created, never opened: a symlink put there
 * (by another user of a writable directory) is not followed, and the
 * file is 0600 whatever collectd's umask.
 */
START_TEST(state_file_new_not_followed)
{
	char dir[] = "/tmp/nlicmp-test.XXXXXX", path[64], tmp[80], victim[64];
	char line[64];
	struct stat sb;
	struct msg m;
	mode_t mask;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	ck_assert_ptr_nonnull(f);
	fputs("keep\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(symlink(victim, tmp), 0);
	mask = umask(0);
	start(PLUGIN(fake_ci_str("StateFile", path),
		     fake_ci_block("Alert", fake_ci_str("Source", "all"),
				   fake_ci_bool("Baseline", 1),
				   fake_ci_num("LearnFor", 2), NULL)));
	event_start(&m, 1, 0);
	event_record(&m, "198.51.100.20", 8, 0, 40);
	ck_assert_int_eq(deliver(&m), 0);
	read_interval();
	stop();
	umask(mask);
	/* The symlink's target is untouched. */
	f = fopen(victim, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "keep\n");
	ck_assert_ptr_null(fgets(line, sizeof(line), f));
	fclose(f);
	/* The state is a new regular file, private, and no .new is left. */
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(lstat(tmp, &sb), -1);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "netlink_icmp-baselines 1\n");
	fclose(f);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(unlink(victim), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A .new that cannot be created: logged with its path and why, and the
 * StateFile is left as it was.
 */
START_TEST(state_file_new_error_logged)
{
	char dir[] = "/tmp/nlicmp-test.XXXXXX", path[64], tmp[80], text[192];
	const char *p;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	/* A directory: neither removed nor written. */
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	start(PLUGIN(fake_ci_str("StateFile", path),
		     fake_ci_block("Alert", fake_ci_str("Source", "all"),
				   fake_ci_bool("Baseline", 1), NULL)));
	/* The log of the shutdown (stop() clears it; a second shutdown is
	 * a no-op).
	 */
	ck_assert_int_eq(nic_shutdown(), 0);
	snprintf(text, sizeof(text), "netlink_icmp plugin: cannot create "
		 "\"%s\": %s;", tmp, strerror(EISDIR));
	p = strstr(fake_log, text);
	ck_assert_msg(p != NULL, "%s", fake_log);
	stop();
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(rmdir(tmp), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A corrupt StateFile: its invalid lines are logged once, in one WARNING
 * with their count, and the valid ones are still loaded.
 */
START_TEST(state_file_invalid_lines_logged_once)
{
	char dir[] = "/tmp/nlicmp-test.XXXXXX", path[64];
	const char *p;
	FILE *f;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("netlink_icmp-baselines 1\n", f);
	for (i = 0; i < 20; i++)
		fputs("type=any,scope=each,net=-,aggregate=0 198.51.100.7 "
		      "1e300 0 2\n", f);
	fputs("type=any,scope=all,net=-,aggregate=0 total 40 0 2\n", f);
	fputs("type=any,scope=all,net=-,aggregate=0 total nan 0 2\n", f);
	ck_assert_int_eq(fclose(f), 0);
	start(PLUGIN(fake_ci_str("StateFile", path),
		     fake_ci_block("Alert", fake_ci_str("Source", "all"),
				   fake_ci_bool("Baseline", 1),
				   fake_ci_num("LearnFor", 2), NULL),
		     fake_ci_block("Alert", fake_ci_bool("Baseline", 1),
				   fake_ci_num("LearnFor", 2), NULL)));
	p = strstr(fake_log, "netlink_icmp plugin: StateFile \"");
	ck_assert_msg(p != NULL, "%s", fake_log);
	ck_assert_ptr_nonnull(strstr(p, "\": 21 invalid line(s) skipped, the "
					"first at line 2 ("));
	ck_assert_ptr_nonnull(strstr(p, "from 0 to 1000000000 packets/s, a "
					"learned time above 0 up to 31536000 "
					"s"));
	/* One message: no second. */
	ck_assert_msg(strstr(p + 1, "netlink_icmp plugin: StateFile") == NULL,
		      "%s", fake_log);
	ck_assert_ptr_nonnull(strstr(fake_log, "1 learned baseline(s) loaded "
					       "from"));
	ck_assert_ptr_nonnull(strstr(fake_log, "; 0 line(s) skipped"));
	stop();
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(alert_on_all_and_network)
{
	const struct fake_notification *n;

	start(PLUGIN(fake_ci_block("Alert", fake_ci_str("Source", "all"),
				   fake_ci_num("WarningRate", 50),
				   fake_ci_num("FailureRate", 500), NULL),
		     fake_ci_block("Alert",
				   fake_ci_str("Source", "198.51.100.0/24"),
				   fake_ci_num("WarningRate", 30),
				   fake_ci_num("FailureRate", 300), NULL)));
	read_interval();
	interval_with("198.51.100.7", 60);
	ck_assert_uint_eq(fake_nnotifications, 2);
	n = notified("all");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->severity, NOTIF_WARNING);
	ck_assert_str_eq(n->type_instance, "");
	ck_assert_str_eq(n->icmp_type, "any");
	/* "all" names its busiest sources, in the message and meta data. */
	ck_assert_str_eq(n->message, "ICMP from all: 60 packets/s, above "
				     "warning threshold 50; top: 198.51.100.7 "
				     "60/s");
	ck_assert_str_eq(n->meta, "source=all;icmp_type=any;scope=all;"
				  "rate=60;threshold=50;top1=198.51.100.7;"
				  "top1_rate=60;");
	n = notified("198.51.100.7");
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->severity, NOTIF_WARNING);
	ck_assert(n->threshold == 30);
	/* Outside the rule's network: no alert; the total stays high. */
	interval_with("203.0.113.7", 60);
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert_int_eq(notified("198.51.100.7")->severity, NOTIF_OKAY);
	interval_with(NULL, 0);
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert_int_eq(notified("all")->severity, NOTIF_OKAY);
	stop();
}
END_TEST

START_TEST(alert_clears_when_evicted)
{
	start(PLUGIN(fake_ci_num("MaxSources", 1), fake_ci_num("MinReads", 1),
		     fake_ci_block("Alert", fake_ci_num("WarningRate", 10),
				   fake_ci_num("FailureRate", 100), NULL)));
	read_interval();
	interval_with("198.51.100.7", 50);
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert_int_eq(fake_notifications[0].severity, NOTIF_WARNING);
	/* A busier source takes the only slot. */
	interval_with("203.0.113.9", 500);
	ck_assert_uint_eq(fake_nnotifications, 2);
	ck_assert_int_eq(fake_notifications[0].severity, NOTIF_OKAY);
	ck_assert_str_eq(fake_notifications[0].plugin_instance,
			 "198.51.100.7");
	ck_assert_ptr_nonnull(strstr(fake_notifications[0].message,
				     "no longer tracked"));
	ck_assert_int_eq(fake_notifications[1].severity, NOTIF_FAILURE);
	ck_assert_str_eq(fake_notifications[1].plugin_instance,
			 "203.0.113.9");
	/* The evicted source's series got only its zero (named at the read
	 * before): its 50 go to other, not lost.
	 */
	ck_assert_ptr_null(fake_find("198.51.100.7", "packets",
				     "echo_request"));
	ck_assert_int_eq(derive("other", "packets", "echo_request"), 50);
	/* A new series: its zero first. */
	ck_assert_int_eq(derive("203.0.113.9", "packets", "echo_request"), 0);
	ck_assert_int_eq(derive("all", "packets", "echo_request"), 550);
	stop();
}
END_TEST

START_TEST(source_timeout)
{
	start(PLUGIN(fake_ci_num("SourceTimeout", 3), fake_ci_num("MinReads", 1)));
	read_interval();
	interval_with("198.51.100.7", 5);
	ck_assert(fake_find("all", "count", "sources")->value.gauge == 1);
	/* Last heard at the start of that interval: 3 s later, still kept. */
	interval_with(NULL, 0);
	interval_with(NULL, 0);
	ck_assert(fake_find("all", "count", "sources")->value.gauge == 1);
	ck_assert_int_eq(derive("198.51.100.7", "packets", "echo_request"), 5);
	interval_with(NULL, 0);
	ck_assert(fake_find("all", "count", "sources")->value.gauge == 0);
	ck_assert_ptr_null(fake_find("198.51.100.7", "packets",
				     "echo_request"));
	/* Its series ended at 5; other gets nothing it already showed. */
	ck_assert_ptr_null(fake_find("other", "packets", "echo_request"));
	ck_assert_int_eq(derive("all", "packets", "echo_request"), 5);
	stop();
}
END_TEST

START_TEST(gaps_and_overruns_are_reported)
{
	struct nlicmp_event_info info = { .missed = 3 };
	struct batch b = { 0 };

	start(PLUGIN(fake_ci_num("MaxSources", 1)));
	fake_reset();
	ck_assert_int_eq(on_message(&info, &b), 0);
	ck_assert_ptr_nonnull(strstr(fake_log, "3 event message(s)"));
	ck_assert_ptr_nonnull(strstr(fake_log, "packets-undelivered"));
	stop();
}
END_TEST

/*
 * A new series: in probation (MinReads 2) the source's packets are in
 * other; named at its second read, it gets zeros stamped at the previous
 * read (only: both in one read could reach collectd's cache out of
 * order), its cumulative values from the next read on. A store
 * computing rates then has its first interval too.
 */
START_TEST(new_series_starts_with_zero)
{
	cdtime_t prev;

	start(PLUGIN(fake_ci_num("MaxSources", 10)));
	read_interval();
	interval_with("198.51.100.7", 50);
	ck_assert_ptr_null(fake_find("198.51.100.7", "packets",
				     "echo_request"));
	ck_assert_int_eq(derive("other", "packets", "echo_request"), 50);
	prev = fake_time;
	interval_with("198.51.100.7", 30);
	ck_assert_int_eq(derive("198.51.100.7", "packets", "echo_request"), 0);
	ck_assert_uint_eq(fake_find("198.51.100.7", "packets",
				    "echo_request")->time, prev);
	ck_assert_int_eq(derive("198.51.100.7", "total_bytes", ""), 0);
	ck_assert_uint_eq(fake_find("198.51.100.7", "total_bytes", "")->time,
			  prev);
	ck_assert_int_eq(derive("other", "packets", "echo_request"), 50);
	ck_assert_int_eq(derive("all", "packets", "echo_request"), 80);
	/* Next read: its cumulative values, the first interval included. */
	interval_with("198.51.100.7", 5);
	ck_assert_uint_eq(fake_find("198.51.100.7", "packets",
				    "echo_request")->time, 0);
	ck_assert_int_eq(derive("198.51.100.7", "packets", "echo_request"), 35);
	ck_assert_int_eq(derive("198.51.100.7", "total_bytes", ""), 35 * 84);
	ck_assert_int_eq(derive("other", "packets", "echo_request"), 50);
	stop();
}
END_TEST

/* One flush of packets at a 10 s Interval, flush_ms as GET_STATS says. */
/* quiet: flushes without records before the origin read (GET_STATS
 * counts them).
 */
static void one_flush_per_read(uint32_t flush_ms, uint64_t packets,
			       uint32_t quiet)
{
	static uint32_t flush = 100;
	struct msg m;

	module_flush_ms = flush_ms;
	fake_interval = TIME_T_TO_CDTIME_T(10);
	read_interval();
	event_start(&m, ++flush, 0);
	ck_assert_int_eq(deliver(&m), 0);
	flush += quiet;
	module_flushes = flush;
	read_interval();		/* the flush numbers' origin */
	event_start(&m, ++flush, 0);
	event_record(&m, "198.51.100.7", 8, 0, packets);
	ck_assert_int_eq(deliver(&m), 0);
	read_interval();
	fake_interval = TIME_T_TO_CDTIME_T(1);
}

/*
 * flush_ms above Interval: a read gets a whole minute's packets at once;
 * the rate fed to the alerts is over the minute the flush covers, not
 * over the 10 s read interval (which made 6 times the true rate).
 */
START_TEST(alert_rate_over_arrived_flushes)
{
	start(PLUGIN(fake_ci_block("Alert", fake_ci_str("Source", "all"),
				   fake_ci_num("WarningRate", 30),
				   fake_ci_num("FailureRate", 300), NULL)));
	one_flush_per_read(60000, 600, 0);	/* 10/s over the minute */
	ck_assert_uint_eq(fake_nnotifications, 0);
	stop();
	start(PLUGIN(fake_ci_block("Alert", fake_ci_str("Source", "all"),
				   fake_ci_num("WarningRate", 30),
				   fake_ci_num("FailureRate", 300), NULL)));
	one_flush_per_read(1000, 600, 0);	/* 60/s over 10 s */
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert(fake_notifications[0].rate == 60);
	stop();
	/* After a quiet minute (60 flushes with no record, as GET_STATS
	 * counts them), the span is the last interval's, not the minute.
	 */
	start(PLUGIN(fake_ci_block("Alert", fake_ci_str("Source", "all"),
				   fake_ci_num("WarningRate", 30),
				   fake_ci_num("FailureRate", 300), NULL)));
	one_flush_per_read(1000, 600, 60);
	ck_assert_uint_eq(fake_nnotifications, 1);
	ck_assert(fake_notifications[0].rate == 60);
	stop();
}
END_TEST

/* Records lost for want of memory: logged when the count changes. */
START_TEST(lost_records_logged_on_change)
{
	start(PLUGIN(fake_ci_num("MaxSources", 1)));
	fake_reset();
	report_lost(0);
	report_lost(1);
	report_lost(1);
	ck_assert_ptr_nonnull(strstr(fake_log, "1 more record(s) dropped"));
	ck_assert_ptr_null(strstr(strstr(fake_log, "1 more") + 6, "more"));
	report_lost(4);
	ck_assert_ptr_nonnull(strstr(fake_log, "3 more record(s) dropped for "
				     "want of memory (4 in all)"));
	stop();
}
END_TEST

/* The table's clock is only ever read with the table locked. */
static unsigned int unlocked_reads;
static cdtime_t clock_checking_lock(void)
{
	if (pthread_mutex_trylock(&table_lock) == 0) {
		unlocked_reads++;
		pthread_mutex_unlock(&table_lock);
	}
	return cdtime();
}

START_TEST(table_clock_read_under_lock)
{
	start(PLUGIN(fake_ci_num("MaxSources", 1)));
	table_clock = clock_checking_lock;
	unlocked_reads = 0;
	interval_with("198.51.100.7", 5);
	interval_with("198.51.100.7", 5);
	ck_assert_uint_eq(unlocked_reads, 0);
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("netlink_icmp plugin");
	TCase *tc = tcase_create("plugin");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, values_from_raw_events);
	tcase_add_test(tc, report_codes_names);
	tcase_add_test(tc, bad_messages_are_dropped_whole);
	tcase_add_test(tc, module_absent_notifies_once);
	tcase_add_test(tc, bad_config_fails_init);
	tcase_add_test(tc, alert_per_source);
	tcase_add_test(tc, alert_on_all_and_network);
	tcase_add_test(tc, alert_on_code_without_report_codes);
	tcase_add_test(tc, state_file_round_trip);
	tcase_add_test(tc, state_file_invalid_lines_logged_once);
	tcase_add_test(tc, state_file_new_not_followed);
	tcase_add_test(tc, state_file_new_error_logged);
	tcase_add_test(tc, alert_clears_when_evicted);
	tcase_add_test(tc, source_timeout);
	tcase_add_test(tc, gaps_and_overruns_are_reported);
	tcase_add_test(tc, new_series_starts_with_zero);
	tcase_add_test(tc, alert_rate_over_arrived_flushes);
	tcase_add_test(tc, lost_records_logged_on_change);
	tcase_add_test(tc, table_clock_read_under_lock);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
