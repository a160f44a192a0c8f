#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark (issue 5), one command: builds the tools, boots the project's
# TCG guest once with 1 vCPU (every path) and once with 2 vCPUs (the loss
# comparison), sends the same floods through every path, and prints the
# table with min/median/max and the targets. Results: build/bench/results.txt
# and build/bench/results.csv (raw runs: build/bench/raw.csv), plot:
# build/bench/performance.png. Not a test: nothing here fails on a figure.
#
# usage: tests/bench/run.sh [--quick] [--duration S] [--runs N] [--no-sweep]
#                           [--no-2cpu] [-k KVER|6.1|6.12]
#   --quick     1 s runs, one run each, two mixes, no sweep (a smoke run)
#   --no-2cpu   skip part b (2 vCPUs);  --no-readcb  skip the read-callback
#               microbench (user space, on the host)
#   --duration  seconds of flood per run (default 2)
#   --runs      runs per path and mix (default 3)
#   --build DIR where plugin/nlicmpctl and plugin/.libs/netlink_icmp.so were
#               built (default: the source tree)
#   --paths L   only these paths (default "nft bpf nflog ulogd l4 module")
#   --mixes L   source mixes of part a (default "s1 s100 s10k s1M")
#   --profile   only profile (perf in the guest) a 100-source flood with nft
#               alone and with the module + collectd; prints the top symbols
#   --check     exit 1 unless every module row kept the accounting exact
#               (correctness only: no figure is ever a failure)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

cmdline="tests/bench/run.sh $*"
dur=2 runs=3 sweep="0.3 0.6" twocpu=1 kernel=6.1 readcb=1 check=0 profile=0
mixes="s1 s100 s10k s1M" build=$repo paths="nft bpf nflog ulogd l4 module"
while [ $# -gt 0 ]; do
	case $1 in
	--quick) dur=1 runs=1 sweep="" mixes="s1 s1M" ;;
	--duration) dur=$2; shift ;;
	--runs) runs=$2; shift ;;
	--no-sweep) sweep="" ;;
	--no-2cpu) twocpu=0 ;;
	--no-readcb) readcb=0 ;;
	--check) check=1 ;;
	--profile) profile=1 ;;
	-k) kernel=$2; shift ;;
	--build) build=$(cd "$2" && pwd); shift ;;
	--paths) paths=$2; shift ;;
	--mixes) mixes=$2; shift ;;
	-h | --help) sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

bash scripts/deps.sh --bench
out=$repo/build/bench
mkdir -p "$out"
make -s -f tests/bench/bench.mk B="$out"

kver=$(tests/vm/kernels.sh "$kernel")

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

raw=$out/raw.csv
rm -f "$raw" "$raw".csum.*
guest_env=(env BENCH_BIN="$out" BENCH_KO="$ko" BENCH_CTL="$ctl"
	BENCH_PLUGIN="$plugin" BENCH_DURATION="$dur" BENCH_RUNS="$runs"
	BENCH_MIXES="$mixes" BENCH_SWEEP="$sweep" BENCH_PATHS="$paths")

start=$(date +%s)

if [ "$profile" = 1 ]; then
	"$vm" -k "$kver" -c 1 -m 1536 -t 600 -w "$out" -- "${guest_env[@]}" \
		tests/bench/guest.sh p "$out/profile.csv" 2>&1 | grep -v '^\[ *[0-9]' |
		tee "$out/profile.txt"
	exit 0
fi

# Item 5: the plugin's read callback in user space (no VM), timed and, when
# valgrind is there, counted in instructions (repeatable on a busy host).
readcb_txt=$out/readcb.txt
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

echo "run.sh: part a: 1 vCPU, kernel $kver, ${dur}s x $runs runs" >&2
"$vm" -k "$kver" -c 1 -m 1536 -t 1200 -w "$out" -- \
	"${guest_env[@]}" tests/bench/guest.sh a "$raw" 2>"$out/guest-a.log" ||
	echo "run.sh: part a ended with status $? (see $out/guest-a.log)" >&2
if [ "$twocpu" = 1 ]; then
	echo "run.sh: part b: 2 vCPUs" >&2
	"$vm" -k "$kver" -c 2 -m 1536 -t 600 -w "$out" -- \
		"${guest_env[@]}" BENCH_MIXES=s1 tests/bench/guest.sh b "$raw" \
		2>"$out/guest-b.log" ||
		echo "run.sh: part b ended with status $? (see $out/guest-b.log)" >&2
fi

{
	echo "netlink_icmp benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r);" \
		"guest: QEMU TCG, Debian kernel $kver; ${dur}s runs x $runs;" \
		"wall time $(( $(date +%s) - start ))s"
	echo "command: $cmdline"
	cat "$raw".csum.* 2>/dev/null | tr '\n' ' '
	echo
	"$here/report.sh" "$raw" "$out/results.csv"
	echo
	echo "plugin read callback (user space, plugin code + fake daemon, host CPU):"
	sed 's/^/  /' "$readcb_txt"
} >"$out/results.txt"
cat "$out/results.txt"
if command -v gnuplot >/dev/null && [ -n "$sweep" ]; then
	"$here/plot.sh" "$raw" "$out/performance.png" || echo "run.sh: plot failed" >&2
fi

if [ "$check" = 1 ]; then
	if grep -q '^  exact accounting.*: MET' "$out/results.txt" &&
		! grep -qE '^  (exact accounting.*NOT MET|module rows: NOT MEASURED)' "$out/results.txt"; then
		echo "run.sh: accounting exact in every module run"
	else
		echo "run.sh: accounting NOT exact (or not measured): see $out/results.txt" >&2
		exit 1
	fi
fi
