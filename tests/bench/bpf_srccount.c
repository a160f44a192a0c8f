// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_srccount: loads bpf_srccount.bpf.o, attaches it at tc ingress of
 * IFACE, prints "ready", and on SIGTERM/SIGINT reads the map once, detaches
 * and prints: entries=N packets=P seen=S no_room=R
 * Usage: bpf_srccount IFACE OBJECT [MAX_ENTRIES]
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpf_srccount.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Sums the per-source map with batched lookups (one syscall per 4096). */
static int read_map(int fd, unsigned long long *entries,
		    unsigned long long *packets)
{
	enum { CHUNK = 4096 };
	static struct srccount_key keys[CHUNK];
	static struct srccount_val vals[CHUNK];
	struct srccount_key in, out;
	void *inp = NULL;
	int done = 0;

	*entries = 0;
	*packets = 0;
	while (!done) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		__u32 n = CHUNK, i;
		int err = bpf_map_lookup_batch(fd, inp, &out, keys, vals, &n, &o);

		if (err && errno != ENOENT)
			return -errno;
		done = err != 0;
		for (i = 0; i < n; i++) {
			(*entries)++;
			*packets += vals[i].packets;
		}
		in = out;
		inp = &in;
	}
	return 0;
}

static unsigned long long read_stat(int fd, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	unsigned long long sum = 0;
	__u64 *v;

	if (ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (v && bpf_map_lookup_elem(fd, &idx, v) == 0)
		for (i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	struct sigaction sa;
	unsigned long long entries, packets;
	int ifindex, err, map_fd, stats_fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: bpf_srccount IFACE OBJECT [MAX_ENTRIES]\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "bpf_srccount: no interface %s\n", argv[1]);
		return 1;
	}
	obj = bpf_object__open_file(argv[2], NULL);
	if (!obj) {
		fprintf(stderr, "bpf_srccount: cannot open %s\n", argv[2]);
		return 1;
	}
	map = bpf_object__find_map_by_name(obj, "srcs");
	if (!map)
		return 1;
	if (argc == 4)
		bpf_map__set_max_entries(map, (__u32)strtoul(argv[3], NULL, 0));
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "bpf_srccount: load: %s\n", strerror(-err));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "srccount");
	map_fd = bpf_map__fd(map);
	stats_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "stats"));

	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fprintf(stderr, "bpf_srccount: clsact: %s\n", strerror(-err));
		return 1;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		fprintf(stderr, "bpf_srccount: attach: %s\n", strerror(-err));
		bpf_tc_hook_destroy(&hook);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();

	err = read_map(map_fd, &entries, &packets);
	if (err)
		fprintf(stderr, "bpf_srccount: reading the map: %s\n",
			strerror(-err));
	printf("entries=%llu packets=%llu seen=%llu no_room=%llu\n", entries,
	       packets, read_stat(stats_fd, SRCCOUNT_SEEN),
	       read_stat(stats_fd, SRCCOUNT_NO_ROOM));
	opts.flags = opts.prog_fd = opts.prog_id = 0;
	bpf_tc_detach(&hook, &opts);
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
