#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark (issues 5 and 11), one command: builds the tools, then boots
# the project's TCG guest
#   c  with QEMU -icount (deterministic: guest time = guest instructions),
#      1 vCPU: every CPU-cost figure (tests/bench/cost.sh);
#   p  the same, with perf: where the time goes at 100 sources;
#   a  wall-clock, 1 vCPU: loss, exact accounting, ceilings, UDP/TCP;
#   b  wall-clock, 2 and 4 vCPUs: loss and accounting against ulogd2;
# and prints the table (build/bench/results.txt) with each figure's spread
# and the targets; --doc writes it to docs/performance.md with the plots.
# Not a test: nothing here fails on a figure.
#
# usage: tests/bench/run.sh [--quick] [--doc] [--parts "c p a b"] ...
#   --quick     a smoke run: small floods, one run each
#   --doc       regenerate docs/performance.md and docs/perf-*.png
#   --report    no runs: the table (and --doc) from build/bench's last data
#   --parts L   which boots (default "c p a b")
#   --packets N packets per cost flood (default 5000)
#   --sweep     part a also offers 30% and 60% of its ceiling (plot)
#   --no-readcb skip the read-callback microbench (user space, on the host)
#   --duration  seconds of flood per wall-clock run (default 2)
#   --runs      runs per path and mix (default 3)
#   --build DIR where plugin/nlicmpctl and plugin/.libs/netlink_icmp.so were
#               built (default: the source tree)
#   --paths L   wall-clock paths (default "nft bpf ulogd module"; also
#               nflog, l4: UDP/TCP rates with and without the module)
#   --mixes L   source mixes of part a (default "s1 s100 s10k s1M")
#   --check     exit 1 unless every module row kept the accounting exact
#               (correctness only: no figure is ever a failure)
#   --profile   same as --parts p
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

cmdline="tests/bench/run.sh $*"
dur=2 runs=3 sweep="" kernel=6.1 readcb=1 check=0 doc=0 report=0
parts="c p a b" packets=5000 rates="5000 20000 max" rate_s=2
mixes="s1 s100 s10k s1M" build=$repo paths="nft bpf ulogd module"
while [ $# -gt 0 ]; do
	case $1 in
	--quick) dur=1 runs=1 mixes="s1 s1M" packets=2000 rates="5000 max" ;;
	--sweep) sweep="0.3 0.6" ;;
	--doc) doc=1 ;;
	--report) report=1 ;;
	--parts) parts=$2; shift ;;
	--packets) packets=$2; shift ;;
	--duration) dur=$2; shift ;;
	--runs) runs=$2; shift ;;
	--no-sweep) sweep="" ;;
	--no-readcb) readcb=0 ;;
	--check) check=1 ;;
	--profile) parts=p ;;
	-k) kernel=$2; shift ;;
	--build) build=$(cd "$2" && pwd); shift ;;
	--paths) paths=$2; shift ;;
	--mixes) mixes=$2; shift ;;
	-h | --help) sed -n '3,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

out=$repo/build/bench
raw=$out/raw.csv
cost=$out/cost.csv
readcb_txt=$out/readcb.txt
kver=$(tests/vm/kernels.sh "$kernel")
# The deterministic mode of every cost figure (tests/vm/vm.sh).
icount=shift=0,sleep=off

# Builds, then boots the parts; leaves the data in $out.
measure() {
	bash scripts/deps.sh --bench
	make -s -f tests/bench/bench.mk B="$out"


	# The CLI and the plugin: from the source tree if built there, else built
	# here from a copy of the tracked files (build/bench/tree).
	if [ ! -x "$build/plugin/nlicmpctl" ] && [ "$build" = "$repo" ] && [ -x autogen.sh ]; then
		echo "run.sh: building the CLI and plugin in $out/tree" >&2
		rm -rf "$out/tree"
		mkdir -p "$out/tree"
		git ls-files -z | xargs -0 tar -cf - | tar -C "$out/tree" -xf -
		if (cd "$out/tree" && ./autogen.sh && ./configure -q && make -s -j"$(nproc)") \
			>"$out/tree-build.log" 2>&1; then
			build=$out/tree
		else
			echo "run.sh: that build failed (see $out/tree-build.log)" >&2
		fi
	fi

	# Our parts, each optional: the bench runs without them and says so.
	ko="" ctl="" plugin=""
	if [ -x tests/vm/build-kmod.sh ] && tests/vm/build-kmod.sh "$kver" >"$out/kmod.log" 2>&1 &&
		[ -f "build/kmod/$kver/netlink_icmp.ko" ]; then
		ko=$repo/build/kmod/$kver/netlink_icmp.ko
	else
		echo "run.sh: no module for $kver (see $out/kmod.log): module rows skipped" >&2
	fi
	[ -x "$build/plugin/nlicmpctl" ] && ctl=$build/plugin/nlicmpctl
	[ -f "$build/plugin/.libs/netlink_icmp.so" ] && plugin=$build/plugin/.libs/netlink_icmp.so
	[ -n "$ctl" ] || echo "run.sh: plugin/nlicmpctl not built: module rows skipped" >&2
	[ -n "$plugin" ] || echo "run.sh: plugin/.libs/netlink_icmp.so not built: module rows skipped" >&2

	# The test bed boots with slub_debug, which catches use-after-free in the
	# tests but makes every skb allocation several times slower (measured: the
	# ceiling drops ~5x; with the U flag every allocation saves a stack trace)
	# and would swamp what is measured here: the bench boots without it.
	vm=tests/vm/vm.sh
	if grep -q NLICMP_VM_SLUB_DEBUG "$vm"; then
		export NLICMP_VM_SLUB_DEBUG=""
	elif grep -q '^cmdline=.*slub_debug' "$vm"; then
		# An older vm.sh without the switch: a copy without it (same dir, so
		# its relative paths hold), removed on exit.
		vm=tests/vm/.vm-bench.$$.sh
		trap 'rm -f "$repo/$vm"' EXIT
		sed '/^cmdline=/s/ slub_debug=[A-Za-z]*//' tests/vm/vm.sh >"$vm"
		chmod +x "$vm"
	fi

	# The data of the parts run now is replaced; that of the others is
	# kept, so that --parts c after a full run still reports a and b.
	forget_part() {	# PART: its rows of raw.csv and its checksum file
		rm -f "$raw.csum.$1"
		[ -f "$raw" ] || return 0
		awk -F, -v p="$1" 'NR == 1 || $1 != p' "$raw" >"$raw.tmp" && mv "$raw.tmp" "$raw"
	}
	guest_env=(env BENCH_BIN="$out" BENCH_KO="$ko" BENCH_CTL="$ctl"
		BENCH_PLUGIN="$plugin" BENCH_DURATION="$dur" BENCH_RUNS="$runs"
		BENCH_MIXES="$mixes" BENCH_SWEEP="$sweep" BENCH_PATHS="$paths")

	start=$(date +%s)
	want_part() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
	want_part c && rm -f "$cost"
	want_part p && rm -f "$out/profile.txt"
	want_part a && forget_part a
	want_part b && forget_part b2 && forget_part b4

	# Item 5: the plugin's read callback in user space (no VM), timed and, when
	# valgrind is there, counted in instructions (repeatable on a busy host).
	: >"$readcb_txt"
	if [ "$readcb" = 1 ] && make -s -f tests/bench/bench.mk B="$out" "$out/readcb" 2>"$out/readcb-build.log"; then
		echo "run.sh: read callback microbench (host)" >&2
		"$out/readcb" -r 5 0 1000 100000 >>"$readcb_txt"
		if command -v valgrind >/dev/null; then
			for n in 1000 100000; do
				ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
					--collect-atstart=no --toggle-collect=nic_read \
					"$out/readcb" -r 1 "$n" 2>&1 >/dev/null |
					sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
				echo "callgrind sources=$n instructions_per_read=$ir per_source=$((ir / n))" >>"$readcb_txt"
			done
		fi
	else
		echo "read callback microbench: NOT MEASURED (plugin sources missing or --no-readcb)" >>"$readcb_txt"
	fi

	if want_part c; then
		echo "run.sh: part c: costs, -icount $icount, 1 vCPU, $packets packets a flood x $runs runs" >&2
		NLICMP_VM_ICOUNT=$icount "$vm" -k "$kver" -c 1 -m 1536 -t 3600 -w "$out" -- \
			"${guest_env[@]}" BENCH_PACKETS="$packets" BENCH_RATES="$rates" \
			BENCH_RATE_SECONDS="$rate_s" tests/bench/cost.sh "$cost" \
			2>"$out/guest-c.log" ||
			echo "run.sh: part c ended with status $? (see $out/guest-c.log)" >&2
	fi
	if want_part p; then
		echo "run.sh: part p: perf profiles at 100 sources, -icount $icount" >&2
		NLICMP_VM_ICOUNT=$icount "$vm" -k "$kver" -c 1 -m 1536 -t 1200 -w "$out" -- \
			"${guest_env[@]}" BENCH_PATHS="nft module nflog" tests/bench/guest.sh p "$out/profile.csv" 2>&1 |
			grep -v '^\[ *[0-9]' >"$out/profile.txt" ||
			echo "run.sh: part p failed (see $out/profile.txt)" >&2
	fi
	if want_part a; then
		echo "run.sh: part a: wall clock, 1 vCPU, kernel $kver, ${dur}s x $runs runs" >&2
		"$vm" -k "$kver" -c 1 -m 1536 -t 1200 -w "$out" -- \
			"${guest_env[@]}" tests/bench/guest.sh a "$raw" 2>"$out/guest-a.log" ||
			echo "run.sh: part a ended with status $? (see $out/guest-a.log)" >&2
	fi
	if want_part b; then
		for c in 2 4; do
			echo "run.sh: part b$c: wall clock, $c vCPUs" >&2
			"$vm" -k "$kver" -c "$c" -m 1536 -t 600 -w "$out" -- \
				"${guest_env[@]}" BENCH_MIXES=s1 tests/bench/guest.sh "b$c" "$raw" \
				2>"$out/guest-b$c.log" ||
				echo "run.sh: part b$c ended with status $? (see $out/guest-b$c.log)" >&2
		done
	fi
	echo "$(( $(date +%s) - start ))s" >"$out/wall-time"
	echo "$cmdline" >"$out/command"
}

if [ "$report" = 0 ]; then
	mkdir -p "$out"
	measure
fi

{
	echo "netlink_icmp benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r);" \
		"guest: QEMU TCG, Debian kernel $kver; costs: -icount $icount, $packets-packet floods;" \
		"wall clock: ${dur}s runs; $runs runs;" \
		"wall time $(cat "$out/wall-time" 2>/dev/null)"
	echo "command: $(cat "$out/command" 2>/dev/null || echo "$cmdline")"
	# Always line 4 (doc.sh copies lines 1-4).
	csum=""
	for f in "$raw".csum.*; do
		[ -f "$f" ] && csum="$csum ${f##*.}: $(tr '\n' ' ' <"$f")"
	done
	echo "ICMP checksum errors in the wall-clock guests (Icmp(6)InCsumErrors):${csum:- none measured (no wall-clock part)}"
	[ -s "$cost" ] && "$here/cost-report.sh" "$cost" "$out/cost-summary.csv"
	if [ -s "$out/profile.txt" ]; then
		echo
		echo "profile at 100 sources (perf -e cpu-clock in the -icount guest; % of all samples):"
		# The shares (the module's: its nlicmp_ symbols over the busy,
		# not idle, samples), then each profile's top symbols.
		grep '^=== .*share' "$out/profile.txt" | sed 's/^=== /  /; s/ in \[netlink_icmp\]: [0-9.]*%,//'
		awk '/^=== module: by command/ { on = 1; next } /^===/ { on = 0 }
			on && $2 == "swapper" { idle += $1 }
			/^=== module: netlink_icmp symbols/ { sy = 1; next } /^===|^sent=/ { sy = 0 }
			sy && $NF ~ /^nlicmp_/ { m += $1 }
			END { if (idle < 100) printf "  module: its functions (nlicmp_*) take %.2f%% of the busy samples\n", 100 * m / (100 - idle) }' \
			"$out/profile.txt"
		awk '/^=== .*top symbols/ { print "  " $0; n = 0; on = 1; next }
			/^===/ { on = 0 } on && n++ < 12 { print "  " $0 }' "$out/profile.txt"
		echo
	fi
	[ -s "$raw" ] && "$here/report.sh" "$raw" "$out/results.csv"
	echo
	echo "plugin read callback (user space, plugin code + fake daemon, host CPU):"
	sed 's/^/  /' "$readcb_txt"
} >"$out/results.txt"
cat "$out/results.txt"
if command -v gnuplot >/dev/null; then
	if [ -n "$sweep" ] && [ -s "$raw" ]; then
		"$here/plot.sh" "$raw" "$out/performance.png" || echo "run.sh: plot failed" >&2
	fi
	if [ -s "$cost" ]; then
		"$here/cost-plot.sh" "$out/cost-summary.csv" "$out" || echo "run.sh: cost plots failed" >&2
	fi
fi
[ "$doc" = 0 ] || "$here/doc.sh" "$out" docs

if [ "$check" = 1 ]; then
	if grep -q '^  exact accounting.*: MET' "$out/results.txt" &&
		! grep -qE '^  (exact accounting.*NOT MET|module rows: NOT MEASURED)' "$out/results.txt"; then
		echo "run.sh: accounting exact in every module run"
	else
		echo "run.sh: accounting NOT exact (or not measured): see $out/results.txt" >&2
		exit 1
	fi
fi
