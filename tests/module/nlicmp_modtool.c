// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_modtool: helpers for the module tests that nlicmpctl cannot play,
 * because they must send what a correct client never sends.
 *
 *   nlicmp_modtool badreq
 *	Sends malformed and refused Generic Netlink requests with raw
 *	sockets and checks each error code and extack message; one line per
 *	case (ok/FAIL), exit status 1 if any case failed.
 *   nlicmp_modtool truncated 4|6 DST COUNT
 *	Sends COUNT ICMP (4) or ICMPv6 (6) messages of 4 bytes (type, code,
 *	checksum: shorter than an ICMP header) to DST.
 *   nlicmp_modtool fill N
 *	Registers up to N listeners from N sockets and reports the errno of
 *	each REGISTER (the max_listeners check), one line each.
 *   nlicmp_modtool hold
 *	Opens its socket and prints "ready", then registers one listener
 *	once a line arrives on its standard input and prints the errno of
 *	that REGISTER as fill does; then, registered or not, stays until its
 *	standard input ends, receiving and discarding events. A caller waits
 *	on these lines instead of polling, and finds the same processes and
 *	sockets before and after the REGISTERs (what a memory figure
 *	compares).
 *   nlicmp_modtool getfamily NAME COUNT [GAP_MS]
 *	Sends COUNT CTRL_CMD_GETFAMILY requests for family NAME, one at a
 *	time, and prints the latency of each: p50, p99 and max in ms (a
 *	measurement, the caller decides what to make of it). Back to back
 *	by default; with GAP_MS, one is due every GAP_MS on a fixed
 *	schedule and each is timed from when it was due, so a late wakeup
 *	counts as much as a slow reply.
 *   nlicmp_modtool statsloop SECONDS
 *	Sends NLICMP_CMD_GET_STATS requests back to back for SECONDS, or
 *	until SIGINT, and prints their count and latency (p50, p99, max in
 *	ms).
 *   nlicmp_modtool grab PORTID SECONDS
 *	Tries bind(PORTID) until it succeeds, then receives for what is left
 *	of SECONDS; prints whether it bound and how many netlink_icmp
 *	messages reached it (a port id a closed listener had).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "netlink_icmp.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

#define BUFSZ 16384

struct req {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[1024];
};

static uint32_t seqno = 1;

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("netlink socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

static void req_init(struct req *r, uint16_t type, uint8_t cmd)
{
	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = type;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->nlh.nlmsg_seq = seqno++;
	r->genl.cmd = cmd;
	r->genl.version = 1;
}

/* Append an attribute; len_field lets a case lie about the length. */
static void req_put_raw(struct req *r, uint16_t type, const void *data,
			uint16_t len, uint16_t len_field)
{
	struct nlattr *nla = (struct nlattr *)((char *)&r->nlh +
					       NLMSG_ALIGN(r->nlh.nlmsg_len));

	nla->nla_type = type;
	nla->nla_len = len_field;
	memcpy(nla + 1, data, len);
	r->nlh.nlmsg_len = NLMSG_ALIGN(r->nlh.nlmsg_len) +
			   NLA_ALIGN(NLA_HDRLEN + len);
}

static void req_put(struct req *r, uint16_t type, const void *data,
		    uint16_t len)
{
	req_put_raw(r, type, data, len, NLA_HDRLEN + len);
}

struct reply {
	int error;		/* 0 or -errno from NLMSG_ERROR */
	char extack[256];	/* NLMSGERR_ATTR_MSG */
	char text[512];		/* NLICMP_A_ECHO_TEXT of an ECHO reply */
	uint16_t family_id;	/* CTRL_ATTR_FAMILY_ID of a GETFAMILY reply */
};

static void parse_attrs(const char *p, int len, struct reply *rep,
			bool ctrl)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		int alen = a->nla_len;

		if (alen < NLA_HDRLEN || alen > len)
			return;
		if (ctrl && (a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			memcpy(&rep->family_id, a + 1, sizeof(uint16_t));
		if (!ctrl && (a->nla_type & NLA_TYPE_MASK) == NLICMP_A_ECHO_TEXT)
			snprintf(rep->text, sizeof(rep->text), "%.*s",
				 alen - NLA_HDRLEN, (const char *)(a + 1));
		p += NLA_ALIGN(alen);
		len -= NLA_ALIGN(alen);
	}
}

static void parse_error(const struct nlmsghdr *h, struct reply *rep)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const char *p;
	int off, len;

	rep->error = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	p = (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(off);
	len = (int)h->nlmsg_len - (int)(p - (const char *)h);
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return;
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(rep->extack, sizeof(rep->extack), "%.*s",
				 a->nla_len - NLA_HDRLEN,
				 (const char *)(a + 1));
		p += NLA_ALIGN(a->nla_len);
		len -= NLA_ALIGN(a->nla_len);
	}
}

/* Send, then read until the ack (or error) for this request. */
static void transact(int fd, struct req *r, struct reply *rep)
{
	static char buf[BUFSZ];
	bool ctrl = r->nlh.nlmsg_type == GENL_ID_CTRL;

	memset(rep, 0, sizeof(*rep));
	if (send(fd, r, r->nlh.nlmsg_len, 0) < 0) {
		perror("send");
		exit(2);
	}
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			perror("recv");
			exit(2);
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->nlh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				parse_error(h, rep);
				return;
			}
			parse_attrs((char *)NLMSG_DATA(h) + GENL_HDRLEN,
				    h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
				    rep, ctrl);
		}
	}
}

static uint16_t family_id(int fd)
{
	struct reply rep;
	struct req r;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	req_put(&r, CTRL_ATTR_FAMILY_NAME, NLICMP_GENL_NAME,
		sizeof(NLICMP_GENL_NAME));
	transact(fd, &r, &rep);
	if (rep.error || !rep.family_id) {
		fprintf(stderr, "family %s not found: %s\n", NLICMP_GENL_NAME,
			strerror(-rep.error));
		exit(2);
	}
	return rep.family_id;
}

static int failures;

/* One case: the expected errno (0 for success), and whether extack must say why. */
static void expect(const char *name, const struct reply *rep, int err,
		   bool need_msg)
{
	bool ok = rep->error == -err && (!need_msg || rep->extack[0]);

	printf("%s %s: errno %d (%s) extack \"%s\"\n", ok ? "ok" : "FAIL",
	       name, -rep->error, strerror(-rep->error), rep->extack);
	if (!ok) {
		printf("FAIL %s: expected errno %d (%s)%s\n", name, err,
		       strerror(err), need_msg ? " with an extack message" : "");
		failures++;
	}
}

static int cmd_badreq(void)
{
	char big[NLICMP_ECHO_MAX + 64];
	int fd = nl_open(), fd2 = nl_open();
	uint16_t id = family_id(fd);
	uint32_t u32 = 7;
	struct reply rep;
	struct req r;

	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put(&r, NLICMP_A_ECHO_TEXT, "hello", 6);
	transact(fd, &r, &rep);
	expect("echo_valid", &rep, 0, false);

	/* The ECHO reply itself is checked by run through nlicmpctl. */
	req_init(&r, id, NLICMP_CMD_ECHO);
	transact(fd, &r, &rep);
	expect("echo_missing_text", &rep, EINVAL, true);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put(&r, NLICMP_A_ECHO_TEXT, big, sizeof(big));
	transact(fd, &r, &rep);
	expect("echo_oversized_text", &rep, EINVAL, true);

	/* Over-long with a NUL early in it: the core's policy says ERANGE. */
	big[8] = '\0';
	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put(&r, NLICMP_A_ECHO_TEXT, big, sizeof(big) - 1);
	transact(fd, &r, &rep);
	expect("echo_oversized_text_early_nul", &rep, ERANGE, true);

	memset(big, 'y', NLICMP_ECHO_MAX);
	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put(&r, NLICMP_A_ECHO_TEXT, big, NLICMP_ECHO_MAX);
	transact(fd, &r, &rep);
	expect("echo_text_not_nul_terminated", &rep, EINVAL, true);

	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put(&r, NLICMP_A_ECHO_TEXT, "", 0);
	transact(fd, &r, &rep);
	expect("echo_empty_attr", &rep, EINVAL, true);

	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put(&r, NLICMP_A_ECHO_TEXT, "hi", 3);
	req_put(&r, NLICMP_A_SEQ, &u32, sizeof(u32));
	transact(fd, &r, &rep);
	expect("echo_attr_of_other_command", &rep, EINVAL, true);

	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put(&r, NLICMP_A_ECHO_TEXT, "hi", 3);
	req_put(&r, 200, &u32, sizeof(u32));
	transact(fd, &r, &rep);
	expect("echo_unknown_attr", &rep, EINVAL, true);

	req_init(&r, id, NLICMP_CMD_ECHO);
	req_put_raw(&r, NLICMP_A_ECHO_TEXT, "hi", 3, 200);
	transact(fd, &r, &rep);
	expect("echo_attr_len_past_end", &rep, EINVAL, false);

	req_init(&r, id, NLICMP_CMD_REGISTER);
	req_put(&r, NLICMP_A_ECHO_TEXT, "hi", 3);
	transact(fd, &r, &rep);
	expect("register_with_attr", &rep, EINVAL, true);

	req_init(&r, id, NLICMP_CMD_GET_STATS);
	req_put(&r, NLICMP_A_STATS, "", 0);
	transact(fd, &r, &rep);
	expect("get_stats_with_attr", &rep, EINVAL, true);

	req_init(&r, id, 99);
	transact(fd, &r, &rep);
	expect("unknown_command", &rep, EOPNOTSUPP, false);

	req_init(&r, id, NLICMP_CMD_EVENT);
	transact(fd, &r, &rep);
	expect("event_from_user", &rep, EOPNOTSUPP, false);

	req_init(&r, id, NLICMP_CMD_UNSPEC);
	transact(fd, &r, &rep);
	expect("unspec_command", &rep, EOPNOTSUPP, false);

	req_init(&r, id, NLICMP_CMD_UNREGISTER);
	transact(fd, &r, &rep);
	expect("unregister_not_registered", &rep, ENOENT, true);

	req_init(&r, id, NLICMP_CMD_REGISTER);
	transact(fd, &r, &rep);
	expect("register", &rep, 0, false);
	req_init(&r, id, NLICMP_CMD_REGISTER);
	transact(fd, &r, &rep);
	expect("register_twice", &rep, EEXIST, true);

	/* Another socket cannot unregister this one. */
	req_init(&r, id, NLICMP_CMD_UNREGISTER);
	transact(fd2, &r, &rep);
	expect("unregister_other_socket", &rep, ENOENT, true);

	req_init(&r, id, NLICMP_CMD_UNREGISTER);
	transact(fd, &r, &rep);
	expect("unregister", &rep, 0, false);

	close(fd);
	close(fd2);
	return failures ? 1 : 0;
}

static int cmd_fill(int n)
{
	struct reply rep;
	struct req r;
	uint16_t id;
	int i, fd;

	for (i = 0; i < n; i++) {
		fd = nl_open();	/* kept open: closing would drop it */
		id = family_id(fd);
		req_init(&r, id, NLICMP_CMD_REGISTER);
		transact(fd, &r, &rep);
		printf("register %d errno %d extack \"%s\"\n", i + 1,
		       -rep.error, rep.extack);
	}
	return 0;
}

static int cmd_hold(void)
{
	static char buf[BUFSZ];
	struct pollfd pfd[2];
	struct reply rep;
	struct req r;
	int fd;

	fd = nl_open();
	req_init(&r, family_id(fd), NLICMP_CMD_REGISTER);
	printf("ready\n");
	fflush(stdout);
	if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
		return 0;
	transact(fd, &r, &rep);
	printf("register 1 errno %d extack \"%s\"\n", -rep.error, rep.extack);
	fflush(stdout);
	pfd[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	/* Refused: nothing will come; poll() skips a negative fd. */
	pfd[1] = (struct pollfd){ .fd = rep.error ? -1 : fd, .events = POLLIN };
	for (;;) {
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			perror("poll");
			return 2;
		}
		if (pfd[0].revents &&
		    read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
			break;
		/* Drained so that the socket holds no queued events. */
		if (pfd[1].revents)
			recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	}
	close(fd);
	return 0;
}

static int cmd_truncated(const char *fam, const char *dst, int count)
{
	/* type 8/128 (echo request), code 0, checksum filled below/by kernel */
	unsigned char msg[4];
	int fd, i;

	if (!strcmp(fam, "4")) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		uint32_t sum;

		if (inet_pton(AF_INET, dst, &sa.sin_addr) != 1)
			return 2;
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		msg[0] = 8;
		msg[1] = 0;
		sum = (msg[0] << 8 | msg[1]);
		sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
		msg[2] = sum >> 8;
		msg[3] = sum & 0xff;
		for (i = 0; fd >= 0 && i < count; i++)
			if (sendto(fd, msg, sizeof(msg), 0,
				   (struct sockaddr *)&sa, sizeof(sa)) < 0)
				break;
	} else {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

		if (inet_pton(AF_INET6, dst, &sa.sin6_addr) != 1)
			return 2;
		/* The kernel computes the ICMPv6 checksum of raw sockets. */
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
		msg[0] = ICMP6_ECHO_REQUEST;
		msg[1] = 0;
		msg[2] = msg[3] = 0;
		for (i = 0; fd >= 0 && i < count; i++)
			if (sendto(fd, msg, sizeof(msg), 0,
				   (struct sockaddr *)&sa, sizeof(sa)) < 0)
				break;
	}
	if (fd < 0 || i < count) {
		perror("truncated");
		return 1;
	}
	close(fd);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_latency(const char *what, double *ms, int n)
{
	if (n == 0) {
		printf("%s n 0\n", what);
		return;
	}
	qsort(ms, n, sizeof(*ms), cmp_double);
	printf("%s n %d p50_ms %.3f p99_ms %.3f max_ms %.3f\n", what, n,
	       ms[n / 2], ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
	       ms[n - 1]);
}

/* Sleeps until DUE_MS on the now_ms() clock. */
static void sleep_until_ms(double due_ms)
{
	long long ns = (long long)(due_ms * 1e6);
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000),
		.tv_nsec = (long)(ns % 1000000000),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

static int cmd_getfamily(const char *name, int count, double gap_ms)
{
	double *ms = calloc(count > 0 ? count : 1, sizeof(*ms));
	struct reply rep;
	struct req r;
	double start;
	int fd, i;

	fd = nl_open();
	start = now_ms();
	for (i = 0; ms && i < count; i++) {
		double t0 = now_ms();

		if (gap_ms > 0) {
			t0 = start + i * gap_ms;
			sleep_until_ms(t0);
		}

		req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
		req_put(&r, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
		transact(fd, &r, &rep);
		ms[i] = now_ms() - t0;
		if (rep.error) {
			fprintf(stderr, "getfamily %s: %s\n", name,
				strerror(-rep.error));
			return 1;
		}
	}
	print_latency(gap_ms > 0 ? "getfamily_spaced" : "getfamily", ms, i);
	close(fd);
	free(ms);
	return 0;
}

static volatile sig_atomic_t stop_loop;

static void on_sigint(int sig)
{
	(void)sig;
	stop_loop = 1;
}

static int cmd_statsloop(double seconds)
{
	int cap = 1 << 20, n = 0, fd;
	double *ms = calloc(cap, sizeof(*ms));
	double end = now_ms() + seconds * 1e3;
	struct reply rep;
	struct req r;
	uint16_t id;

	signal(SIGINT, on_sigint);
	fd = nl_open();
	id = family_id(fd);
	while (ms && n < cap && now_ms() < end && !stop_loop) {
		double t0 = now_ms();

		req_init(&r, id, NLICMP_CMD_GET_STATS);
		transact(fd, &r, &rep);
		ms[n++] = now_ms() - t0;
		if (rep.error) {
			fprintf(stderr, "get_stats: %s\n", strerror(-rep.error));
			return 1;
		}
	}
	print_latency("get_stats", ms, n);
	close(fd);
	free(ms);
	return 0;
}

static int cmd_grab(uint32_t portid, double seconds)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = portid };
	double end = now_ms() + seconds * 1e3, bound_at = -1;
	struct timeval tv = { .tv_usec = 100000 };
	static char buf[BUFSZ];
	long tries = 0, msgs = 0, events = 0;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	/* The caller closes the port id's socket once this is printed. */
	printf("grab trying portid %u\n", portid);
	fflush(stdout);
	while (now_ms() < end) {
		tries++;
		if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			bound_at = now_ms();
			break;
		}
		if (errno != EADDRINUSE) {
			perror("bind");
			return 2;
		}
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (bound_at >= 0 && now_ms() < end) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0)
			continue;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			const struct genlmsghdr *g = NLMSG_DATA(h);

			msgs++;
			if (h->nlmsg_type >= GENL_MIN_ID &&
			    g->cmd == NLICMP_CMD_EVENT)
				events++;
		}
	}
	printf("grab portid %u bound %s tries %ld messages %ld events %ld\n",
	       portid, bound_at >= 0 ? "yes" : "no", tries, msgs, events);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "badreq"))
		return cmd_badreq();
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return cmd_fill(atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return cmd_hold();
	if (argc == 5 && !strcmp(argv[1], "truncated"))
		return cmd_truncated(argv[2], argv[3], atoi(argv[4]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "getfamily"))
		return cmd_getfamily(argv[2], atoi(argv[3]),
				     argc == 5 ? atof(argv[4]) : 0);
	if (argc == 3 && !strcmp(argv[1], "statsloop"))
		return cmd_statsloop(atof(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "grab"))
		return cmd_grab(strtoul(argv[2], NULL, 0), atof(argv[3]));
	fprintf(stderr, "usage: nlicmp_modtool badreq | fill N | hold | "
		"truncated 4|6 DST COUNT | getfamily NAME COUNT [GAP_MS] | "
		"statsloop SECONDS | grab PORTID SECONDS\n");
	return 2;
}
