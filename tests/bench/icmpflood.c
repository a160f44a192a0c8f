// SPDX-License-Identifier: GPL-2.0
/*
 * icmpflood: a bounded ICMP/ICMPv6 echo-request (or UDP) flood for the
 * benchmarks. It writes whole Ethernet frames with AF_PACKET + sendmmsg,
 * bypassing the qdisc, so one generator core offers far more than `ping -f`.
 *
 * Sources come only from the documentation prefixes: IPv4 198.51.100.1-254
 * then 203.0.113.1-250 (504 addresses), IPv6 2001:db8:<n>:<m>::1 with one
 * /64 per source index (up to 2^28 of them). Every run is bounded by
 * --count and --duration.
 *
 * Headers are built byte by byte into the frame buffers (no casts of the
 * buffer to header structs), so the code is strict-aliasing safe; the
 * Makefile adds -fno-strict-aliasing anyway.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH	256
#define FRAME_MAX	1514
#define V4_POOL		504

struct opts {
	const char *iface;
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	int family;
	uint8_t dst[16];
	uint64_t sources;
	int random;
	uint64_t count;
	double duration;
	double rate;
	unsigned int batch;
	unsigned int payload;
	int udp_port;		/* 0: ICMP echo request */
	int quiet;
	int cpu_stat;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: icmpflood -i IFACE -m DST_MAC -d DST_ADDR [options]\n"
"  -i, --iface IFACE      send on this interface (AF_PACKET)\n"
"  -m, --dst-mac MAC      destination MAC (the peer veth)\n"
"  -d, --dst ADDR         destination IPv4 or IPv6 address (sets the family)\n"
"  -n, --sources N        distinct source addresses, cycled (default 1;\n"
"                         IPv4 at most %d, IPv6 at most 2^28)\n"
"  -r, --random           pick each packet's source at random among the N\n"
"  -c, --count N          stop after N packets (default 1000000)\n"
"  -t, --duration S       stop after S seconds (default 5, max 600)\n"
"  -R, --rate PPS         offered rate limit (default: as fast as possible)\n"
"  -b, --batch N          frames per sendmmsg (default 64, max %d)\n"
"  -s, --payload BYTES    ICMP/UDP payload size (default 56)\n"
"  -u, --udp PORT         send UDP datagrams to PORT instead of ICMP echo\n"
"  -q, --quiet            print only the final line\n"
"  -S, --cpu-stat         also print the system's busy and softirq time\n"
"                         (/proc/stat, microseconds) over the sending window\n"
"Prints: sent=N seconds=T pps=R [busy_us=B softirq_us=S]\n", V4_POOL, MAX_BATCH);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* The documentation prefixes are the only addresses this tool will use. */
static int is_doc_addr(int family, const uint8_t *a)
{
	if (family == AF_INET)
		return (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
		       (a[0] == 203 && a[1] == 0 && a[2] == 113);
	return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's-complement sum of big-endian 16-bit words. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void source_addr(int family, uint64_t idx, uint8_t *out)
{
	if (family == AF_INET) {
		if (idx < 254) {
			out[0] = 198; out[1] = 51; out[2] = 100;
			out[3] = (uint8_t)(idx + 1);
		} else {
			out[0] = 203; out[1] = 0; out[2] = 113;
			out[3] = (uint8_t)(idx - 254 + 1);
		}
		return;
	}
	/* 2001:db8:<1 + idx/65536>:<idx%65536>::1, a /64 per source. */
	memset(out, 0, 16);
	out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
	put16(out + 4, (uint16_t)(1 + (idx >> 16)));
	put16(out + 6, (uint16_t)(idx & 0xffff));
	out[15] = 1;
}

/* Builds one frame; returns its length. */
static size_t build_frame(const struct opts *o, uint8_t *f, uint64_t seq,
			  uint64_t src_idx)
{
	uint8_t *l3 = f + 14, *l4;
	size_t l4len = 8 + (size_t)o->payload;	/* ICMP and UDP headers are 8 */
	uint32_t sum;
	uint8_t src[16];

	memcpy(f, o->dst_mac, 6);
	memcpy(f + 6, o->src_mac, 6);
	source_addr(o->family, src_idx, src);

	if (o->family == AF_INET) {
		put16(f + 12, ETHERTYPE_IP);
		l3[0] = 0x45;
		l3[1] = 0;
		put16(l3 + 2, (uint16_t)(20 + l4len));
		put16(l3 + 4, (uint16_t)seq);
		put16(l3 + 6, 0);
		l3[8] = 64;
		l3[9] = o->udp_port ? 17 : 1;
		put16(l3 + 10, 0);
		memcpy(l3 + 12, src, 4);
		memcpy(l3 + 16, o->dst, 4);
		put16(l3 + 10, fold(sum16(0, l3, 20)));
		l4 = l3 + 20;
	} else {
		put16(f + 12, ETHERTYPE_IPV6);
		put32(l3, 0x60000000u);
		put16(l3 + 4, (uint16_t)l4len);
		l3[6] = o->udp_port ? 17 : 58;
		l3[7] = 64;
		memcpy(l3 + 8, src, 16);
		memcpy(l3 + 24, o->dst, 16);
		l4 = l3 + 40;
	}

	memset(l4 + 8, 0xa5, o->payload);
	if (o->udp_port) {
		put16(l4, (uint16_t)(1024 + (seq & 0x3fff)));
		put16(l4 + 2, (uint16_t)o->udp_port);
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, 0);
	} else {
		l4[0] = o->family == AF_INET ? 8 : 128;	/* echo request */
		l4[1] = 0;
		put16(l4 + 2, 0);
		put16(l4 + 4, 0x4e49);			/* identifier "NI" */
		put16(l4 + 6, (uint16_t)seq);
	}

	/* Checksum: ICMP has no pseudo-header; UDP and ICMPv6 do. */
	sum = 0;
	if (o->family == AF_INET6 || o->udp_port) {
		uint8_t ph[8];
		size_t alen = o->family == AF_INET ? 4 : 16;

		sum = sum16(sum, src, alen);
		sum = sum16(sum, o->dst, alen);
		put32(ph, (uint32_t)l4len);
		put32(ph + 4, o->udp_port ? 17 : (o->family == AF_INET ? 1 : 58));
		sum = sum16(sum, ph, 8);
	}
	sum = sum16(sum, l4, l4len);
	{
		uint16_t c = fold(sum);

		if (o->udp_port && c == 0)
			c = 0xffff;
		put16(l4 + (o->udp_port ? 6 : 2), c);
	}
	return (size_t)(l4 + l4len - f);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Whole-system busy (all but idle and iowait) and softirq time from the
 * first line of /proc/stat, in microseconds. Sampled here, at the edges of
 * the sending window, so that starting the tools is not measured.
 */
static int cpu_sample(double *busy_us, double *softirq_us)
{
	unsigned long long v[8] = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8 || hz <= 0)
		return -1;
	/* user nice system idle iowait irq softirq steal */
	*busy_us = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1e6 / (double)hz;
	*softirq_us = (double)v[6] * 1e6 / (double)hz;
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "dst", required_argument, NULL, 'd' },
		{ "sources", required_argument, NULL, 'n' },
		{ "random", no_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'R' },
		{ "batch", required_argument, NULL, 'b' },
		{ "payload", required_argument, NULL, 's' },
		{ "udp", required_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "cpu-stat", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dst = NULL, *mac = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->sources = 1;
	o->count = 1000000;
	o->duration = 5;
	o->batch = 64;
	o->payload = 56;

	while ((c = getopt_long(argc, argv, "i:m:d:n:rc:t:R:b:s:u:qSh", lo,
				NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'm': mac = optarg; break;
		case 'd': dst = optarg; break;
		case 'n': o->sources = strtoull(optarg, NULL, 0); break;
		case 'r': o->random = 1; break;
		case 'c': o->count = strtoull(optarg, NULL, 0); break;
		case 't': o->duration = strtod(optarg, NULL); break;
		case 'R': o->rate = strtod(optarg, NULL); break;
		case 'b': o->batch = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 's': o->payload = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'u': o->udp_port = atoi(optarg); break;
		case 'q': o->quiet = 1; break;
		case 'S': o->cpu_stat = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (!o->iface || !mac || !dst || optind != argc) {
		usage(stderr);
		return -1;
	}
	if (parse_mac(mac, o->dst_mac)) {
		fprintf(stderr, "icmpflood: bad MAC '%s'\n", mac);
		return -1;
	}
	if (inet_pton(AF_INET, dst, o->dst) == 1)
		o->family = AF_INET;
	else if (inet_pton(AF_INET6, dst, o->dst) == 1)
		o->family = AF_INET6;
	else {
		fprintf(stderr, "icmpflood: bad address '%s'\n", dst);
		return -1;
	}
	if (!is_doc_addr(o->family, o->dst)) {
		fprintf(stderr, "icmpflood: %s is not in a documentation prefix\n",
			dst);
		return -1;
	}
	if (o->sources < 1 ||
	    o->sources > (o->family == AF_INET ? V4_POOL : (1u << 28))) {
		fprintf(stderr, "icmpflood: --sources out of range\n");
		return -1;
	}
	if (o->duration <= 0 || o->duration > 600 || o->count < 1) {
		fprintf(stderr, "icmpflood: --duration must be in (0, 600], --count >= 1\n");
		return -1;
	}
	if (o->batch < 1 || o->batch > MAX_BATCH) {
		fprintf(stderr, "icmpflood: --batch must be 1..%d\n", MAX_BATCH);
		return -1;
	}
	if (o->payload > 1400 || o->udp_port < 0 || o->udp_port > 65535) {
		fprintf(stderr, "icmpflood: bad --payload or --udp\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t frames[MAX_BATCH][FRAME_MAX];
	struct iovec iov[MAX_BATCH];
	struct mmsghdr msg[MAX_BATCH];
	struct sockaddr_ll sll;
	struct opts o;
	uint64_t sent = 0, seq = 0, rng = 0x9e3779b97f4a7c15ull;
	uint64_t errors = 0;
	double t0, t_end, elapsed;
	double busy0 = 0, sirq0 = 0, busy1 = 0, sirq1 = 0;
	socklen_t sl;
	int fd, one = 1;
	unsigned int i;

	if (parse_opts(argc, argv, &o))
		return 2;

	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: never receives */
	if (fd < 0) {
		perror("icmpflood: socket(AF_PACKET)");
		return 1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		perror("icmpflood: PACKET_QDISC_BYPASS (continuing)");

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(o.iface);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "icmpflood: no interface %s\n", o.iface);
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("icmpflood: bind");
		return 1;
	}
	sl = sizeof(sll);
	if (getsockname(fd, (struct sockaddr *)&sll, &sl) || sll.sll_halen != 6) {
		fprintf(stderr, "icmpflood: %s has no Ethernet address\n", o.iface);
		return 1;
	}
	memcpy(o.src_mac, sll.sll_addr, 6);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < o.batch; i++) {
		iov[i].iov_base = frames[i];
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}

	if (o.cpu_stat && cpu_sample(&busy0, &sirq0)) {
		fprintf(stderr, "icmpflood: cannot read /proc/stat\n");
		return 1;
	}
	t0 = now();
	t_end = t0 + o.duration;
	while (!stop && sent < o.count) {
		unsigned int n = o.batch, done = 0;
		double t;

		if (o.count - sent < n)
			n = (unsigned int)(o.count - sent);
		t = now();
		if (t >= t_end)
			break;
		if (o.rate > 0) {
			double due = t0 + (double)sent / o.rate;

			if (due > t) {
				struct timespec ts;
				double d = due - t;

				ts.tv_sec = (time_t)d;
				ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
				continue;
			}
			/* Small batches keep a paced flood smooth. */
			if (o.rate < 20000 && n > 8)
				n = 8;
		}
		for (i = 0; i < n; i++) {
			uint64_t idx = o.random ? xorshift(&rng) % o.sources
						: (seq + i) % o.sources;

			iov[i].iov_len = build_frame(&o, frames[i], seq + i, idx);
		}
		while (done < n) {
			int r = sendmmsg(fd, msg + done, n - done, 0);

			if (r < 0) {
				if (errno == EINTR && stop)
					break;
				if (errno == ENOBUFS || errno == EAGAIN ||
				    errno == EINTR) {
					errors++;
					continue;
				}
				perror("icmpflood: sendmmsg");
				return 1;
			}
			done += (unsigned int)r;
		}
		sent += done;
		seq += done;
		if (done < n)
			break;
	}
	elapsed = now() - t0;
	if (o.cpu_stat)
		cpu_sample(&busy1, &sirq1);
	if (!o.quiet && errors)
		fprintf(stderr, "icmpflood: %llu transient send errors\n",
			(unsigned long long)errors);
	printf("sent=%llu seconds=%.3f pps=%.0f", (unsigned long long)sent,
	       elapsed, elapsed > 0 ? (double)sent / elapsed : 0.0);
	if (o.cpu_stat)
		printf(" busy_us=%.0f softirq_us=%.0f", busy1 - busy0,
		       sirq1 - sirq0);
	printf("\n");
	close(fd);
	return 0;
}
