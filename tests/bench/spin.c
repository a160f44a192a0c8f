// SPDX-License-Identifier: GPL-2.0
/*
 * spin: a fixed amount of guest work (N iterations of a 2-instruction loop)
 * that prints the nanoseconds of CPU time it took, from its own schedstat.
 * The bench runs it to calibrate the deterministic (QEMU -icount) mode: the
 * same N must give the same ns on every run and every boot, whatever the
 * host's load, and ns per instruction says how guest time maps to guest
 * instructions (1 with -icount shift=0).
 */
#include <stdio.h>
#include <stdlib.h>

static unsigned long long runtime_ns(void)
{
	unsigned long long ns = 0;
	FILE *f = fopen("/proc/self/schedstat", "r");

	if (!f || fscanf(f, "%llu", &ns) != 1) {
		perror("spin: /proc/self/schedstat");
		exit(1);
	}
	fclose(f);
	return ns;
}

int main(int argc, char **argv)
{
	unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000000ULL;
	unsigned long long t0, t1, i = n;

	t0 = runtime_ns();
	/* dec, jnz: 2 instructions an iteration, nothing the compiler can fold. */
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(i) : : "cc");
	t1 = runtime_ns();
	printf("iterations=%llu instructions=%llu ns=%llu ns_per_insn=%.4f\n",
	       n, 2 * n, t1 - t0, (double)(t1 - t0) / (2.0 * n));
	return 0;
}
