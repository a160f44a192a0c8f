// SPDX-License-Identifier: GPL-2.0
/*
 * readcb: time and memory of the collectd plugin's read callback with N
 * sources tracked (issue 5, item 5), in user space, no VM, no module.
 *
 * The plugin's real code is included (netlink_icmp.c) and linked with its
 * real parts (sources table, prefixes, alerts, config, client library) and
 * the unit tests' fake daemon (tests/unit/fake_collectd.c), which records
 * every dispatched value as the daemon's dispatch would queue it. Each
 * round, every source sends one record (what the receiver thread applies
 * from the module's events), then the read callback runs once.
 *
 * Without the module the read callback also tries to connect once per
 * call (a few syscalls); the 0-source figure shows that fixed part.
 *
 * usage: readcb [-r ROUNDS] [N...]       (default: 0 1000 100000)
 * Prints per N: read callback min/median us, us per source, values
 * dispatched, apply ns per record, heap held by the plugin (mallinfo2),
 * and max RSS. For instruction counts: valgrind --tool=callgrind
 * --collect-atstart=no --toggle-collect=nic_read readcb -r 1 N
 */
#include "netlink_icmp.c"

#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include "fake_collectd.h"
#include "plugin_statics.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Source i: 2001:db8:<1 + i/65536>:<i%65536>::1, one /64 each, as the
 * flood generator sends them; 1 packet of 104 bytes per record.
 */
static void fill(struct batch *b, size_t n)
{
	size_t i;

	if (b->cap < n) {
		b->rec = realloc(b->rec, (n ? n : 1) * sizeof(*b->rec));
		if (b->rec == NULL) {
			perror("readcb: realloc");
			exit(1);
		}
		b->cap = n;
	}
	for (i = 0; i < n; i++) {
		struct nlicmp_record *r = &b->rec[i];

		memset(r, 0, sizeof(*r));
		r->family = AF_INET6;
		r->has_src = r->has_type = r->has_code = true;
		r->src[0] = 0x20; r->src[1] = 0x01;
		r->src[2] = 0x0d; r->src[3] = 0xb8;
		r->src[4] = (uint8_t)((1 + (i >> 16)) >> 8);
		r->src[5] = (uint8_t)(1 + (i >> 16));
		r->src[6] = (uint8_t)(i >> 8);
		r->src[7] = (uint8_t)i;
		r->src[15] = 1;
		memcpy(r->dst, r->src, 4);
		r->dst[15] = 0xfe;
		r->type = 128;		/* echo request */
		r->packets = 1;
		r->bytes = 104;
	}
	b->n = n;
}

static int bench(size_t nsrc, int rounds)
{
	struct batch b = { 0 };
	double *t = calloc((size_t)rounds, sizeof(*t));
	double apply_ns = 0;
	size_t heap0, heap1, values = 0;
	oconfig_item_t *block;
	int r;

	if (t == NULL)
		return -1;
	fake_reset();
	heap0 = heap_used();
	module_register();
	block = fake_ci_block("Plugin",
			      fake_ci_num("MaxSources", nsrc ? (double)nsrc : 1),
			      NULL);
	if (nic_config(block) != 0 || nic_init() != 0) {
		fprintf(stderr, "readcb: plugin init failed:\n%s", fake_log);
		return -1;
	}
	fake_ci_free(block);

	for (r = -1; r < rounds; r++) {		/* round -1: warm-up */
		double t0;

		fill(&b, nsrc);
		t0 = now_us();
		batch_apply(&b);
		if (r >= 0)
			apply_ns += (now_us() - t0) * 1e3;
		fake_time += fake_interval;
		fake_reset();
		t0 = now_us();
		nic_read();
		if (r >= 0)
			t[r] = now_us() - t0;
		values = fake_nvalues;
	}
	fake_reset();
	free(b.rec);
	heap1 = heap_used();

	qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		printf("sources=%zu tracked=%zu rounds=%d read_us_min=%.0f "
		       "read_us_median=%.0f read_us_per_source=%.3f "
		       "values=%zu apply_ns_per_record=%.0f "
		       "plugin_heap_kb=%zu maxrss_kb=%ld\n",
		       nsrc, nlicmp_sources_count(table), rounds, t[0],
		       t[rounds / 2], nsrc ? t[rounds / 2] / (double)nsrc : 0.0,
		       values, nsrc ? apply_ns / rounds / (double)nsrc : 0.0,
		       (heap1 - heap0) / 1024, ru.ru_maxrss);
	}
	nic_shutdown();
	plugin_statics_reset();
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t def[] = { 0, 1000, 100000 };
	int rounds = 5, i, opt;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r' || (rounds = atoi(optarg)) < 1) {
			fprintf(stderr, "usage: readcb [-r ROUNDS] [N...]\n");
			return 2;
		}
	}
	if (optind == argc) {
		for (i = 0; i < 3; i++)
			if (bench(def[i], rounds))
				return 1;
		return 0;
	}
	for (i = optind; i < argc; i++)
		if (bench((size_t)strtoul(argv[i], NULL, 0), rounds))
			return 1;
	return 0;
}
