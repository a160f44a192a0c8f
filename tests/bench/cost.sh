#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The deterministic half of the benchmark: run by tests/bench/run.sh in a
# 1-vCPU guest booted with QEMU -icount (NLICMP_VM_ICOUNT), where guest time
# is the guest's instruction count (shift=0: 1 ns = 1 instruction), so every
# figure here is repeatable whatever the host's load. Appends CSV lines to
# RAW (header: cost_header):
#   calib   the spin loop: ns for a known number of instructions
#   idle    a measurement with no flood: what the measuring itself costs
#   bg      a path's background: its consumer running, no flood (2 s)
#   pkt     a count-bounded flood at full speed: whole-guest busy ns, the
#           consumer's ns (schedstat, all threads), the packets nft counted
#   pktL    the same with 4 x the packets (1 and 100 sources)
#   rate    a flood paced at RATE pps for DURATION s: consumer ns per second
#   read    collectd idle after a flood: ns per read with SOURCES tracked
# usage: cost.sh RAW    (environment: lib.sh's, plus BENCH_PACKETS,
#                        BENCH_RATES, BENCH_RATE_SECONDS, BENCH_PLAN)
# BENCH_PLAN: the steps, default all: calib idle PATH:MIX,... sweep:PATH
set -uo pipefail

part=c
raw=$1
# shellcheck source=tests/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

npkt=${BENCH_PACKETS:-5000}
rates=${BENCH_RATES:-5000 20000 max}
rate_s=${BENCH_RATE_SECONDS:-2}
plan=${BENCH_PLAN:-calib idle nft:s1,s100,s1M bpf:s1,s100 nflog:s1,s100 \
modnl:s100 module:s1,s100,s10k,s1M sweep:module sweep:nflog}
cost_header="kind,path,mix,sources,run,rate,packets,window_ns,busy_ns,consumer_ns,reads,extra"

gen() { "$bin/busybox" nsenter --net=/run/netns/gen "$@"; }

# No 9p inside a measured window: under -icount sleep=off, any wait for the
# host (a 9p open, even of a cached file) makes the guest clock jump to its
# next timer, which stretches the window. So what runs inside one is static
# and on the guest's tmpfs: icmpflood, and busybox's sleep and nsenter
# (not "ip netns exec", which also reads /etc/netns).
mkdir -p "$tmp/bin"
cp "$bin"/icmpflood "$bin"/spin "$bin"/nflog_count "$bin"/bpf_srccount \
	"$bin"/bpf_srccount.bpf.o /bin/busybox "$tmp/bin/"
bin=$tmp/bin
sleep() { "$bin/busybox" sleep "$@"; }

# Guest clock and whole-guest busy time, ns: "now" less every CPU's idle
# and iowait sleep time (/proc/timer_list, ns resolution; current for the
# CPU reading it, which is not idle). Read in one pass: bash's "while read"
# seeks back after each line, and every seek makes the kernel print the
# file anew, with other timers in it, so lines came skipped or twice (a
# 2 s window once read -342 s busy; on the host 21 of 200 line-by-line
# reads lost an idle line, none of 200 with mapfile).
clock_v() {	# NOW_VAR BUSY_VAR (not named _cv_*)
	local -n _cv_now=$1 _cv_busy=$2
	local _cv_l _cv_v _cv_idle=0
	local -a _cv_lines
	mapfile -t _cv_lines </proc/timer_list
	for _cv_l in "${_cv_lines[@]}"; do
		case $_cv_l in
		"now at "*)
			_cv_v=${_cv_l#now at }
			_cv_now=${_cv_v%% *}
			;;
		*.idle_sleeptime* | *.iowait_sleeptime*)
			_cv_v=${_cv_l#*: }
			_cv_idle=$((_cv_idle + ${_cv_v%% *}))
			;;
		esac
	done
	_cv_busy=$((_cv_now - _cv_idle))
}

# CPU time of every thread of a process, ns (schedstat).
proc_ns_v() {	# VAR PID
	local -n _ns=$1
	local f ns _r
	_ns=0
	[ -n "$2" ] && [ -d "/proc/$2" ] || return 0
	for f in /proc/"$2"/task/*/schedstat; do
		read -r ns _r <"$f" 2>/dev/null && _ns=$((_ns + ns))
	done
}

flood_s() { local s; kv_v s seconds "$1"; echo "$s"; }

emit() {	# the fields of cost_header, in order
	local IFS=,
	echo "$*" >>"$raw"
	log "$*"
}

calibrate() {
	local r l ns
	for r in 0 1 2 3; do
		l=$("$bin/spin" 50000000)
		[ "$r" = 0 ] && continue
		kv_v ns ns "$l"
		emit calib spin - 0 "$r" - 100000000 "$ns" "$ns" 0 0 "insn=100000000"
	done
}

# What pkt_once costs without a flood (its reads, its sleep).
idle_rate() {
	local r t0 t1 b0 b1
	for r in 1 2 3; do
		clock_v t0 b0
		sleep 0.5
		clock_v t1 b1
		emit idle - - 0 "$r" - 0 $((t1 - t0)) $((b1 - b0)) 0 0 ""
	done
}

# pkt_once PATH MIX RUN [COUNT KIND]: COUNT packets (default NPKT, KIND
# pkt) as fast as the guest goes; the window closes once the consumer has
# drained (it then only waits on its timers).
pkt_once() {
	local path=$1 mix=$2 run=$3 count=${4:-$npkt} kind=${5:-pkt}
	local n0 n1 t0 t1 b0 b1 c0 c1 out
	mix_set "$mix" || return 1
	# At 10k and 1M sources collectd reads every 5 s, and a read there
	# takes tenths of a second: the window starts 0.5 s after one, so
	# that no run's holds a read. (At Interval 1 a read is small against
	# a flood, and the slope between two floods takes it out.)
	[ "$path" = module ] && [ "$interval" -gt 1 ] && after_read
	n0=$(nft_count icmp)
	proc_ns_v c0 "$consumer_pid"
	clock_v t0 b0
	# shellcheck disable=SC2086 # mix_args: words
	out=$(gen "$bin/icmpflood" -i va -m "$mac_b" $mix_args -c "$count" -t 600 -q)
	sleep 0.5
	clock_v t1 b1
	proc_ns_v c1 "$consumer_pid"
	n1=$(nft_count icmp)
	entries_after_flood=""
	[ "$path" = module ] &&
		entries_after_flood=$("$ctl" stats 2>/dev/null | awk '$1 == "entries" { print $2 }')
	[ "$run" = 0 ] || emit "$kind" "$path" "$mix" "$mix_sources" "$run" max \
		$((n1 - n0)) $((t1 - t0)) $((b1 - b0)) $((c1 - c0)) 0 \
		"entries=$entries_after_flood;flood_s=$(flood_s "$out")"
}

# bg_once PATH MIX RUN: the path set up, its consumer running, no flood:
# what the path costs per second of guest time whatever the packets (the
# consumer's timers, the module's periodic flush). Two seconds: two
# flushes and, at Interval 1, two or three of collectd's reads (whose CPU
# is the consumer's, taken out).
bg_once() {
	local t0 t1 b0 b1 c0 c1
	mix_set "$2" || return 1
	proc_ns_v c0 "$consumer_pid"
	clock_v t0 b0
	sleep 2
	clock_v t1 b1
	proc_ns_v c1 "$consumer_pid"
	[ "$3" = 0 ] || emit bg "$1" "$2" "$mix_sources" "$3" - 0 $((t1 - t0)) \
		$((b1 - b0)) $((c1 - c0)) 0 ""
}

# pkt_pair PATH MIX RUN: a flood of NPKT packets, then one of 4 x NPKT
# (kind pktL): the difference is what scales with packets, the rest is
# what a flood costs whatever its length (cost-report.sh). An unreported
# flood first, so that both start with the sources known (table entries,
# map slots): a first packet's cost is the 10k and 1M mixes' business.
pkt_pair() {
	pkt_once "$1" "$2" 0 &&
		pkt_once "$1" "$2" "$3" &&
		pkt_once "$1" "$2" "$3" $((npkt * 4)) pktL
}

# base_once PATH MIX RUN: nft only, right before run RUN of PATH (module
# unloaded meanwhile): its baseline, taken in the same state of the guest.
# Labelled nft~PATH.
base_once() {
	local loaded=0
	if module_loaded; then
		loaded=1
		rmmod netlink_icmp || return 1
	fi
	pkt_pair "nft~$1" "$2" "$3"
	[ "$loaded" = 0 ] || insmod "$ko" max_entries="$table_entries"
}

# collectd's work comes per read: a window of whole intervals starting
# 0.5 s after a read holds the same number of reads in every run. A read
# ends with a line in the csv file of the totals (the plugin dispatches
# "all" after the sources).
csv_lines() {
	local f n=0 l
	for f in "$tmp"/collectd/csv/bench/netlink_icmp-all/packets-*; do
		[ -f "$f" ] || continue
		while read -r l; do n=$((n + 1)); done <"$f"
	done
	echo "$n"
}
after_read() {
	local n0 i
	n0=$(csv_lines)
	for i in $(seq $((interval * 20 + 20))); do
		sleep 0.05
		if [ "$(csv_lines)" != "$n0" ]; then
			sleep 0.5
			return 0
		fi
	done
	log "no read of collectd's within $((interval + 1)) s: window not aligned"
	return 1
}

# rate_once PATH RATE RUN: 100 sources at RATE pps ("max": unpaced) for
# rate_s seconds; the consumer's CPU over the flood's own window.
rate_once() {
	local path=$1 rate=$2 run=$3 n0 n1 t0 t1 b0 b1 c0 c1 out pace=()
	mix_set s100
	[ "$rate" = max ] || pace=(-R "$rate")
	n0=$(nft_count icmp)
	[ "$path" = module ] && after_read
	proc_ns_v c0 "$consumer_pid"
	clock_v t0 b0
	# shellcheck disable=SC2086 # mix_args: words
	out=$(gen "$bin/icmpflood" -i va -m "$mac_b" $mix_args -c 100000000 -t "$rate_s" "${pace[@]}" -q)
	clock_v t1 b1
	proc_ns_v c1 "$consumer_pid"
	n1=$(nft_count icmp)
	emit rate "$path" s100 100 "$run" "$rate" $((n1 - n0)) $((t1 - t0)) \
		$((b1 - b0)) $((c1 - c0)) 0 "flood_s=$(flood_s "$out")"
}

# read_cost MIX RUN: collectd's CPU over idle reads once it tracks the
# mix's sources (its table is full from the flood just before).
read_cost() {
	local mix=$1 run=$2 t0 t1 b0 b1 c0 c1 reads=3
	[ "$interval" -gt 1 ] && reads=2
	# The flood's last records come with the module's next flush
	# (flush_ms, 1 s) and leave collectd with its next read: only the
	# reads after those are idle. The window then starts 0.5 s after a
	# read (after_read), so that every run's holds the same reads.
	sleep $((interval + 1))
	after_read
	proc_ns_v c0 "$consumer_pid"
	clock_v t0 b0
	sleep $((reads * interval))
	clock_v t1 b1
	proc_ns_v c1 "$consumer_pid"
	mix_set "$mix"
	[ "$run" = 0 ] || emit read module "$mix" "$mix_sources" "$run" - 0 $((t1 - t0)) \
		$((b1 - b0)) $((c1 - c0)) "$reads" "interval=$interval"
}

# Accounting is the wall-clock part's business: here the consumer just goes.
end_consumer() {
	[ -n "$consumer_pid" ] || return 0
	kill -TERM "$consumer_pid" 2>/dev/null
	wait "$consumer_pid" 2>/dev/null
	consumer_pid=""
}

# modnl: the module loaded, nobody listening.
# shellcheck disable=SC2317 # called as start_$path etc.
{
start_modnl() { consumer_pid=""; }
stop_modnl() { :; }
}

# cost PATH MIX...: RUNS measured floods per mix, after one warm-up run
# per mix (first-use translation); the consumer restarted for each (its
# state starts from zero). At 1 and 100 sources (the targets' mixes) each
# run of a path other than nft comes with its own nft-only baseline just
# before and its background just before the flood (the per-packet cost
# takes both out).
cost() {
	local path=$1 mix r
	shift
	for mix in "$@"; do
		for r in 0 $(seq "$runs"); do
			cur_mix=$mix
			case $path:$mix in
			nft:*) ;;
			*:s1 | *:s100) base_once "$path" "$mix" "$r" || return 1 ;;
			esac
			"start_$path" || { log "$path: cannot start"; return 1; }
			bg_once "$path" "$mix" "$r"
			case $mix in
			s1 | s100) pkt_pair "$path" "$mix" "$r" ;;
			*) pkt_once "$path" "$mix" "$r" ;;
			esac
			# In the warm-up run too (not reported): the next run's
			# flood then finds the table as reads and reaping left it
			# (at 10k sources the first flood after a table emptied
			# at once cost 880 instructions a packet less).
			[ "$path" = module ] && [ "$mix" != s1M ] &&
				read_cost "$mix" "$r"
			end_consumer
			"stop_$path"
		done
	done
}

# sweep PATH ENDS: the consumer's CPU per second against the offered rate;
# ENDS runs at the lowest rate and the ceiling, one at the rates between.
sweep_rates() {
	local path=$1 ends=$2 rate r n first last
	first=${rates%% *} last=${rates##* }
	cur_mix=s100
	"start_$path" || return 1
	rate_once "$path" "$first" 0	# warm-up, not reported
	sed -i '$d' "$raw"
	for rate in $rates; do
		n=1
		[ "$rate" = "$first" ] || [ "$rate" = "$last" ] && n=$ends
		for r in $(seq "$n"); do
			rate_once "$path" "$rate" "$r"
		done
	done
	end_consumer
	"stop_$path"
}

[ -s "$raw" ] || echo "$cost_header" >"$raw"
setup_net
no_echo_replies || exit 1
log "guest $(uname -r), $(nproc) vCPU, $npkt packets a flood, runs $runs"
# Warm-up: the first flood after boot translates the stack's code.
gen "$bin/icmpflood" -i va -m "$mac_b" -d 203.0.113.254 -c "$npkt" -t 600 -q >/dev/null
have_module=0
[ -n "$ko" ] && [ -n "$ctl" ] && [ -n "$plugin" ] && have_module=1
for step in $plan; do
	path=${step%%:*}
	case $path in
	modnl | module | sweep)
		[ "$have_module" = 1 ] || [ "$step" = sweep:nflog ] || {
			log "module/CLI/plugin missing: $step skipped"
			continue
		}
		module_loaded || [ "$step" = sweep:nflog ] ||
			insmod "$ko" max_entries="$table_entries" || exit 1
		;;
	*) module_loaded && rmmod netlink_icmp ;;
	esac
	case $step in
	calib) calibrate ;;
	idle) idle_rate ;;
	# The targets use collectd's CPU per second (RUNS runs at the ends);
	# the reader's per packet comes from its nflog:s100 floods.
	sweep:module) sweep_rates module "$runs" ;;
	sweep:*) sweep_rates "${step#sweep:}" 1 ;;
	*:*)
		mixes=${step#*:}
		# shellcheck disable=SC2086 # the mixes: words
		cost "$path" ${mixes//,/ }
		;;
	*) log "unknown step $step"; exit 2 ;;
	esac
done
module_loaded && rmmod netlink_icmp
exit 0
