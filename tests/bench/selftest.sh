#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-checks of the benchmark's footing (scripts/test.sh runs it with the
# vm suite; one guest boot, well under a minute on two idle cores): its
# scripts parse, its csv helper keeps the newest file of a series, its
# generator and calibration loop build, and the deterministic mode (vm.sh
# with NLICMP_VM_ICOUNT) counts guest instructions: a fixed loop reads
# about 1 ns per instruction. How far runs spread is the bench's own
# figure (its calibration line, with a verdict against 5%), not a
# pass/fail here: interrupts from host I/O still land in a guest window
# now and then. Prints "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$repo/build/bench
# shellcheck source=tests/lib/check.sh
. "$here/../lib/check.sh"

parse_all() {
	local f rc=0
	for f in "$here"/*.sh "$here"/../lib/*.sh; do
		bash -n "$f" || rc=1
	done
	return $rc
}
check "bench scripts parse (bash -n)" parse_all

# The csv sums take each series' newest file: a run over midnight has one
# a day (collectd's csv writer), and the older one's last value is stale.
csv_newest_check() {
	local d got
	d=$(mktemp -d) || return 1
	touch "$d/packets-echo_request-2026-12-01" \
		"$d/packets-echo_request-2026-11-30" "$d/total_bytes-2026-11-30"
	# shellcheck source=tests/lib/csv.sh
	got=$(. "$here/../lib/csv.sh" && printf '%s\n' "$d"/* | csv_newest | tr '\n' ' ')
	rm -r "$d"
	[ "$got" = "$d/packets-echo_request-2026-12-01 $d/total_bytes-2026-11-30 " ] ||
		{ echo "csv_newest gave: $got"; return 1; }
}
check "csv_newest keeps each series' newest file" csv_newest_check

build() {
	mkdir -p "$out" &&
		make -s -f "$here/bench.mk" B="$out" "$out/icmpflood" "$out/spin"
}
check "icmpflood and spin build (static)" build

# Three runs of 100M instructions in one -icount guest: the median within
# 5% of 100M ns (without -icount, guest time follows the host's clock).
# The spread is printed.
icount_check() {
	local res
	[ -x "$out/spin" ] || return 1
	res=$(cd "$repo" && NLICMP_VM_ICOUNT=shift=0,sleep=off NLICMP_VM_SLUB_DEBUG= \
		tests/vm/vm.sh -t 300 -- sh -c "cp '$out/spin' /tmp/spin &&
			for i in 0 1 2 3; do /tmp/spin 50000000; done" 2>&1) || {
		echo "$res"
		return 1
	}
	awk -v res="$res" 'BEGIN {
		m = split(res, l, "\n")
		for (i = 2; i <= m; i++)	# the first run warms up
			if (match(l[i], / ns=[0-9]+/))
				v[++n] = substr(l[i], RSTART + 4, RLENGTH - 4) / 1e8
		if (n != 3) { print "     got: " res; exit 1 }
		for (i = 1; i <= 3; i++) {
			if (i == 1 || v[i] < lo) lo = v[i]
			if (i == 1 || v[i] > hi) hi = v[i]
			s += v[i]
		}
		med = s - lo - hi
		printf "     ns per instruction: %.4f %.4f %.4f (spread %.1f%%)\n",
			v[1], v[2], v[3], 100 * (hi - lo) / med
		exit !(med > 0.95 && med < 1.05)
	}'
}
check "-icount: 1 ns per guest instruction (median of 3)" icount_check

checks_done
