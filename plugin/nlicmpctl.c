// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmpctl: command-line client of the netlink_icmp module, built on
 * nlicmp_client (the same library the collectd plugin uses).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "icmp_names.h"
#include "nlicmp_client.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_NOMODULE = 2,
	EXIT_PERM = 3,
	EXIT_ERROR = 4,
};

static const char usage_text[] =
"NAME\n"
"    nlicmpctl - talk to the netlink_icmp kernel module\n"
"\n"
"SYNOPSIS\n"
"    nlicmpctl echo TEXT\n"
"    nlicmpctl stats\n"
"    nlicmpctl listen [--count N] [--timeout S] [--rcvbuf BYTES] [--verbose]\n"
"    nlicmpctl --help | --version\n"
"\n"
"COMMANDS\n"
"    echo TEXT   Health check: the module answers\n"
"                \"netlink_icmp <release>: TEXT\", printed on one line.\n"
"    stats       The network namespace's counters, one \"key value\" line\n"
"                each (seen malformed unattributed nomem entries\n"
"                max_entries listeners max_listeners flushes flush_ms),\n"
"                then one line per registered listener:\n"
"                  listener PORTID delivered N undelivered N queue_full N\n"
"                  nomem N messages N messages_lost N\n"
"    listen      Register as a listener (needs CAP_NET_ADMIN) and print one\n"
"                line per record the module sends:\n"
"                  ipv4 SRC > DST TYPE code N packets N bytes N\n"
"                  ipv6 unattributed TYPE packets N bytes N\n"
"                  ipv4 malformed packets N bytes N\n"
"                TYPE is a name shared by ICMP and ICMPv6 (echo_request,\n"
"                dest_unreach, ...) or type_N. Unattributed records count a\n"
"                type whose sources found no room in the module's table;\n"
"                malformed ones count packets with a truncated ICMP header.\n"
"                Unregisters on exit, SIGINT and SIGTERM. Lost event\n"
"                messages (sequence gaps) and socket overruns are warned\n"
"                about on stderr; a summary line ends the run on stderr.\n"
"\n"
"LISTEN OPTIONS\n"
"    -c, --count N      stop after N records\n"
"    -t, --timeout S    stop after S seconds (decimals allowed)\n"
"    -b, --rcvbuf BYTES event socket receive buffer (suffix K or M;\n"
"                       default 4M)\n"
"    -v, --verbose      also print one line per event message:\n"
"                         event seq N flush N records N missed N\n"
"                         delivered N undelivered N\n"
"\n"
"EXIT STATUS\n"
"    0  success (listen: stopped by --count, --timeout or a signal)\n"
"    1  usage error\n"
"    2  netlink_icmp module not loaded (or unloaded while running)\n"
"    3  permission denied (listen needs CAP_NET_ADMIN)\n"
"    4  any other error\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int exit_for(int err)
{
	if (err == -NLICMP_E_NOMODULE)
		return EXIT_NOMODULE;
	if (err == -EPERM || err == -EACCES)
		return EXIT_PERM;
	return EXIT_ERROR;
}

static int fail(const char *what, int err)
{
	const char *kernel = nlicmp_extack();

	if (kernel[0])
		fprintf(stderr, "nlicmpctl: %s: %s (kernel: %s)\n", what,
			nlicmp_strerror(err), kernel);
	else
		fprintf(stderr, "nlicmpctl: %s: %s\n", what,
			nlicmp_strerror(err));
	return exit_for(err);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "nlicmpctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'nlicmpctl --help'.\n");
	return EXIT_USAGE;
}

static int open_client(struct nlicmp_client **c, size_t rcvbuf)
{
	int err = nlicmp_open(c, rcvbuf);

	if (err < 0)
		return fail("cannot open netlink_icmp", err);
	return EXIT_OK;
}

static int cmd_echo(int argc, char **argv)
{
	char reply[NLICMP_ECHO_MAX + 64];
	struct nlicmp_client *c;
	int err, rc;

	if (argc != 2)
		return usage_error("%s", "echo takes exactly one TEXT argument");
	if (strlen(argv[1]) >= NLICMP_ECHO_MAX)
		return usage_error("echo TEXT is longer than %s bytes", "255");
	rc = open_client(&c, 0);
	if (rc)
		return rc;
	err = nlicmp_echo(c, argv[1], reply, sizeof(reply), NULL, 0);
	nlicmp_close(c);
	if (err < 0)
		return fail("echo", err);
	printf("%s\n", reply);
	return EXIT_OK;
}

static void print_stats(const struct nlicmp_stats *s)
{
	static const struct {
		const char *name;
		int attr;
	} keys[] = {
		{ "seen", NLICMP_S_SEEN },
		{ "malformed", NLICMP_S_MALFORMED },
		{ "unattributed", NLICMP_S_UNATTRIBUTED },
		{ "nomem", NLICMP_S_NOMEM },
		{ "entries", NLICMP_S_ENTRIES },
		{ "max_entries", NLICMP_S_MAX_ENTRIES },
		{ "listeners", NLICMP_S_LISTENERS },
		{ "max_listeners", NLICMP_S_MAX_LISTENERS },
		{ "flushes", NLICMP_S_FLUSHES },
		{ "flush_ms", NLICMP_S_FLUSH_MS },
	};
	const uint64_t val[NLICMP_S_MAX + 1] = {
		[NLICMP_S_SEEN] = s->seen,
		[NLICMP_S_MALFORMED] = s->malformed,
		[NLICMP_S_UNATTRIBUTED] = s->unattributed,
		[NLICMP_S_NOMEM] = s->nomem,
		[NLICMP_S_ENTRIES] = s->entries,
		[NLICMP_S_MAX_ENTRIES] = s->max_entries,
		[NLICMP_S_LISTENERS] = s->listeners,
		[NLICMP_S_MAX_LISTENERS] = s->max_listeners,
		[NLICMP_S_FLUSHES] = s->flushes,
		[NLICMP_S_FLUSH_MS] = s->flush_ms,
	};
	unsigned int i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (s->present & (1u << keys[i].attr))
			printf("%s %" PRIu64 "\n", keys[i].name,
			       val[keys[i].attr]);
	for (i = 0; i < s->nlisteners; i++) {
		const struct nlicmp_listener *l = &s->listener[i];

		printf("listener %" PRIu32 " delivered %" PRIu64
		       " undelivered %" PRIu64 " queue_full %" PRIu64
		       " nomem %" PRIu64 " messages %" PRIu64
		       " messages_lost %" PRIu64 "\n",
		       l->portid, l->delivered, l->undelivered, l->queue_full,
		       l->nomem, l->messages, l->messages_lost);
	}
}

static int cmd_stats(int argc, char **argv)
{
	struct nlicmp_stats stats;
	struct nlicmp_client *c;
	int err, rc;

	(void)argv;
	if (argc != 1)
		return usage_error("%s", "stats takes no argument");
	rc = open_client(&c, 0);
	if (rc)
		return rc;
	err = nlicmp_get_stats(c, &stats);
	nlicmp_close(c);
	if (err < 0)
		return fail("stats", err);
	print_stats(&stats);
	nlicmp_stats_free(&stats);
	return EXIT_OK;
}

struct listen_state {
	unsigned long count;	/* 0: no limit */
	bool verbose;
	unsigned long records;
	uint64_t packets;
	uint64_t bytes;
	uint64_t messages;
	uint64_t missed;
	bool output_error;
};

static const char *family_label(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

static int on_message(struct nlicmp_event_info *info, void *arg)
{
	struct listen_state *st = arg;

	st->messages++;
	if (info->missed) {
		st->missed += info->missed;
		fprintf(stderr,
			"nlicmpctl: warning: %" PRIu32
			" event message(s) lost before seq %" PRIu32 "\n",
			info->missed, info->seq);
	}
	if (st->verbose)
		printf("event seq %" PRIu32 " flush %" PRIu64 " records %u"
		       " missed %" PRIu32 " delivered %" PRIu64
		       " undelivered %" PRIu64 "\n",
		       info->seq, info->flush, info->nrecords, info->missed,
		       info->listener.delivered, info->listener.undelivered);
	return 0;
}

static int on_record(const struct nlicmp_event_info *info,
		     const struct nlicmp_record *rec, void *arg)
{
	struct listen_state *st = arg;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char type[ICMP_NAME_MAX];
	const char *fam = family_label(rec->family);

	(void)info;
	if (st->count && st->records >= st->count)
		return 0;
	st->records++;
	st->packets += rec->packets;
	st->bytes += rec->bytes;
	if (rec->has_type)
		icmp_format(type, sizeof(type), rec->family, rec->type, 0, 0);

	if (rec->has_src) {
		inet_ntop(rec->family, rec->src, src, sizeof(src));
		inet_ntop(rec->family, rec->dst, dst, sizeof(dst));
		if (rec->has_type)
			printf("%s %s > %s %s code %u packets %" PRIu64
			       " bytes %" PRIu64 "\n", fam, src, dst, type,
			       rec->code, rec->packets, rec->bytes);
		else
			printf("%s %s > %s malformed packets %" PRIu64
			       " bytes %" PRIu64 "\n", fam, src, dst,
			       rec->packets, rec->bytes);
	} else if (rec->has_type) {
		printf("%s unattributed %s packets %" PRIu64 " bytes %" PRIu64
		       "\n", fam, type, rec->packets, rec->bytes);
	} else {
		printf("%s malformed packets %" PRIu64 " bytes %" PRIu64 "\n",
		       fam, rec->packets, rec->bytes);
	}
	if (ferror(stdout))
		st->output_error = true;
	return 0;
}

static const struct nlicmp_event_ops listen_ops = {
	.message = on_message,
	.record = on_record,
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Warn about what nlicmp_receive reports but does not end listening. */
static bool receive_warning(int err)
{
	if (err == -ENOBUFS) {
		fprintf(stderr, "nlicmpctl: warning: event socket overrun "
			"(ENOBUFS): events lost; try a larger --rcvbuf\n");
		return true;
	}
	if (err == -EBADMSG) {
		fprintf(stderr, "nlicmpctl: warning: malformed event message "
			"dropped\n");
		return true;
	}
	return err == -EINTR;
}

static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end || v == 0 || v > (1ull << 30))
		return -1;
	*out = (size_t)v;
	return 0;
}

static int cmd_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "rcvbuf", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct listen_state st = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct nlicmp_client *c;
	double timeout = 0, deadline = 0;
	size_t rcvbuf = 0;
	int opt, err, rc = EXIT_OK;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:t:b:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			errno = 0;
			st.count = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] < '1' || optarg[0] > '9')
				return usage_error("bad --count '%s' (a positive "
						   "integer)", optarg);
			break;
		case 't':
			errno = 0;
			timeout = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(timeout > 0) ||
			    !isfinite(timeout))
				return usage_error("bad --timeout '%s' (seconds "
						   "> 0)", optarg);
			break;
		case 'b':
			if (parse_size(optarg, &rcvbuf) < 0)
				return usage_error("bad --rcvbuf '%s' (bytes, "
						   "K or M suffix, <= 1G)",
						   optarg);
			break;
		case 'v':
			st.verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			return usage_error("%s", "bad listen option");
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument '%s'", argv[optind]);

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the wait must end so that we unregister. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	rc = open_client(&c, rcvbuf);
	if (rc)
		return rc;
	err = nlicmp_register(c);
	if (err < 0) {
		rc = fail("register", err);
		nlicmp_close(c);
		return rc;
	}
	if (timeout > 0)
		deadline = now_s() + timeout;

	while (!stop_signal && !st.output_error &&
	       !(st.count && st.records >= st.count)) {
		int slice = 250;

		if (timeout > 0) {
			double left = deadline - now_s();

			if (left <= 0)
				break;
			if (left * 1000 < slice)
				slice = (int)(left * 1000) + 1;
		}
		/* Short waits: a signal that lands just before poll() is
		 * still seen within a slice.
		 */
		err = nlicmp_receive(c, slice, &listen_ops, &st);
		if (err >= 0 || receive_warning(err))
			continue;
		rc = fail("receive", err);
		break;
	}

	err = nlicmp_unregister(c);
	if (err < 0 && rc == EXIT_OK)
		rc = fail("unregister", err);
	/* Events that arrived before the kernel acked UNREGISTER. */
	if (err == 0) {
		do {
			err = nlicmp_receive(c, 0, &listen_ops, &st);
		} while (err > 0 ||
			 (err < 0 && err != -EINTR && receive_warning(err)));
	}
	nlicmp_close(c);

	fprintf(stderr, "nlicmpctl: %lu records, %" PRIu64 " packets, %"
		PRIu64 " bytes, %" PRIu64 " messages, %" PRIu64
		" messages lost\n", st.records, st.packets, st.bytes,
		st.messages, st.missed);
	if (st.output_error && rc == EXIT_OK) {
		fprintf(stderr, "nlicmpctl: cannot write output\n");
		rc = EXIT_ERROR;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("nlicmpctl %s (netlink_icmp genl version %d)\n",
		       NLICMP_RELEASE, NLICMP_GENL_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "echo"))
		return cmd_echo(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (!strcmp(cmd, "listen"))
		return cmd_listen(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
