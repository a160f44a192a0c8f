// SPDX-License-Identifier: GPL-2.0
/*
 * nflog_count: the cheapest NFLOG consumer an operator could write, used as
 * the benchmarks' anchor. It binds an NFLOG group, asks for the first bytes
 * of each packet (enough for the source address), batches (queue threshold
 * 64, 8 MB socket buffer) and only counts. On SIGTERM/SIGINT it drains what
 * is queued and prints: received=N payload_bytes=B enobufs=E
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libnetfilter_log/libnetfilter_log.h>
#include <libnfnetlink/libnfnetlink.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

struct counts {
	uint64_t packets;
	uint64_t payload_bytes;	/* proves the copied header was read */
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_packet(struct nflog_g_handle *gh, struct nfgenmsg *nfmsg,
		     struct nflog_data *nfa, void *data)
{
	struct counts *c = data;
	char *payload;
	int len;

	(void)gh;
	(void)nfmsg;
	c->packets++;
	len = nflog_get_payload(nfa, &payload);
	if (len > 0)
		c->payload_bytes += (uint64_t)len;
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 17];
	struct nflog_handle *h;
	struct nflog_g_handle *gh;
	struct counts c = { 0, 0 };
	struct sigaction sa;
	uint64_t enobufs = 0;
	unsigned int group;
	int fd;

	if (argc != 2 || !(group = (unsigned int)strtoul(argv[1], NULL, 0))) {
		fprintf(stderr, "usage: nflog_count GROUP (1..65535)\n");
		return 2;
	}

	h = nflog_open();
	if (!h) {
		perror("nflog_count: nflog_open");
		return 1;
	}
	gh = nflog_bind_group(h, (uint16_t)group);
	if (!gh) {
		perror("nflog_count: nflog_bind_group");
		return 1;
	}
	if (nflog_set_mode(gh, NFULNL_COPY_PACKET, 64) < 0 ||
	    nflog_set_qthresh(gh, 64) < 0 ||
	    nflog_set_timeout(gh, 10) < 0 ||		/* 1/100 s */
	    nflog_set_nlbufsiz(gh, 65536) < 0) {
		perror("nflog_count: configuring the group");
		return 1;
	}
	nfnl_rcvbufsiz(nflog_nfnlh(h), 8 << 20);
	nflog_callback_register(gh, on_packet, &c);
	fd = nflog_fd(h);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	printf("ready\n");
	fflush(stdout);

	for (;;) {
		ssize_t n;

		if (stop && !(fcntl(fd, F_GETFL) & O_NONBLOCK))
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0) {
			nflog_handle_packet(h, buf, (int)n);
			continue;
		}
		if (n < 0 && errno == ENOBUFS) {
			enobufs++;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && stop)
			break;
		perror("nflog_count: recv");
		return 1;
	}
	printf("received=%llu payload_bytes=%llu enobufs=%llu\n",
	       (unsigned long long)c.packets,
	       (unsigned long long)c.payload_bytes,
	       (unsigned long long)enobufs);
	nflog_unbind_group(gh);
	nflog_close(h);
	return 0;
}
