// SPDX-License-Identifier: GPL-2.0
/*
 * l4bench: the non-ICMP side of the benchmarks (does the module slow down
 * everything else?).
 *   l4bench udp-sink PORT             counts IPv4 UDP datagrams (recvmmsg)
 *   l4bench tcp-sink PORT             accepts one connection, reads to EOF
 *   l4bench tcp-send ADDR PORT SECONDS [SIZE]
 *                                     writes SIZE-byte chunks (TCP_NODELAY)
 * Sinks print "ready", and on SIGTERM/SIGINT (or EOF) drain and print
 * received=N (datagrams, or bytes for TCP). The sender prints writes=N
 * bytes=B seconds=T. ADDR must be in a documentation prefix.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int listen_on(int type, int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, type, 0), one = 1, rcv = 8 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 1))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

static int udp_sink(int port)
{
	enum { N = 64 };
	static char bufs[N][2048];
	struct mmsghdr m[N];
	struct iovec iov[N];
	unsigned long long got = 0;
	int fd = listen_on(SOCK_DGRAM, port), i;

	if (fd < 0) {
		perror("l4bench: udp socket");
		return 1;
	}
	for (i = 0; i < N; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	ready();
	for (;;) {
		int r;

		if (stop)
			fcntl(fd, F_SETFL, O_NONBLOCK);
		r = recvmmsg(fd, m, N, 0, NULL);
		if (r > 0) {
			got += (unsigned long long)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break;
	}
	printf("received=%llu\n", got);
	return 0;
}

static int tcp_sink(int port)
{
	static char buf[1 << 16];
	unsigned long long got = 0;
	int lfd = listen_on(SOCK_STREAM, port), fd;

	if (lfd < 0) {
		perror("l4bench: tcp socket");
		return 1;
	}
	ready();
	fd = accept(lfd, NULL, NULL);
	while (fd >= 0) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r > 0) {
			got += (unsigned long long)r;
			continue;
		}
		if (r < 0 && errno == EINTR && !stop)
			continue;
		break;
	}
	printf("received=%llu\n", got);
	return 0;
}

static int tcp_send(const char *addr, int port, double secs, size_t size)
{
	static char buf[65536];
	unsigned long long writes = 0, bytes = 0;
	struct sockaddr_in a;
	double t0, t;
	int fd, one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1 ||
	    !((ntohl(a.sin_addr.s_addr) >> 8 == 0xc63364) ||	/* 198.51.100 */
	      (ntohl(a.sin_addr.s_addr) >> 8 == 0xcb0071))) {	/* 203.0.113 */
		fprintf(stderr, "l4bench: %s is not a documentation address\n",
			addr);
		return 2;
	}
	if (secs <= 0 || secs > 600 || size < 1 || size > sizeof(buf)) {
		fprintf(stderr, "l4bench: SECONDS in (0, 600], SIZE in 1..65536\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("l4bench: connect");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(buf, 0x5a, size);
	t0 = now();
	while (!stop && (t = now()) - t0 < secs) {
		ssize_t r = write(fd, buf, size);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("l4bench: write");
			return 1;
		}
		writes++;
		bytes += (unsigned long long)r;
	}
	close(fd);
	printf("writes=%llu bytes=%llu seconds=%.3f\n", writes, bytes,
	       now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: blocking calls end */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (argc == 3 && !strcmp(argv[1], "udp-sink"))
		return udp_sink(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "tcp-sink"))
		return tcp_sink(atoi(argv[2]));
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "tcp-send"))
		return tcp_send(argv[2], atoi(argv[3]), strtod(argv[4], NULL),
				argc == 6 ? (size_t)strtoul(argv[5], NULL, 0) : 64);
	fprintf(stderr,
		"usage: l4bench udp-sink PORT | tcp-sink PORT |\n"
		"       l4bench tcp-send ADDR PORT SECONDS [SIZE]\n");
	return 2;
}
