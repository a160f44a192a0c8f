#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the guest halves of the benchmark share (guest.sh: wall-clock runs,
# cost.sh: deterministic costs): the test bed, the paths under test (start_,
# finish_, stop_ PATH), their counters. Sourced, with part and raw set.
# Environment (set by run.sh): BENCH_BIN (tools), BENCH_KO (module or ""),
# BENCH_CTL (nlicmpctl or ""), BENCH_PLUGIN (netlink_icmp.so or ""),
# BENCH_DURATION, BENCH_RUNS, BENCH_MIXES, BENCH_SWEEP (offered rates as
# fractions of the measured nft-only ceiling, or ""),
# BENCH_PATHS (subset of: nft bpf nflog ulogd l4 module).
# shellcheck shell=bash disable=SC2154 # part and raw: the sourcing script's
bin=${BENCH_BIN:?}
ko=${BENCH_KO:-}
ctl=${BENCH_CTL:-}
plugin=${BENCH_PLUGIN:-}
dur=${BENCH_DURATION:-3}
runs=${BENCH_RUNS:-3}
mixes=${BENCH_MIXES:-s1 s100 s10k s1M}
sweep=${BENCH_SWEEP:-}
max_sources=10000		# plugin MaxSources: the 10k mix fits, 1M does not
# The module's table (max_entries) and the BPF map: sized so that a few
# seconds of the 1M-source flood overflow them (the default 65536 would
# need more packets than a short TCG run sends); 10k sources fit.
table_entries=16384
tmp=/tmp/bench
mkdir -p "$tmp"

log() { echo "bench[$part] ${SECONDS}s: $*" >&2; }
# shellcheck source=tests/lib/csv.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/csv.sh" || exit 2

# --- traffic mixes: name -> icmpflood arguments ---------------------------
mix_set() {	# MIX: sets mix_args, mix_sources, mix_family
	case $1 in
	s1) mix_args="-d 203.0.113.254 -n 1" mix_sources=1 mix_family=4 ;;
	s100) mix_args="-d 203.0.113.254 -n 100" mix_sources=100 mix_family=4 ;;
	s10k) mix_args="-d 2001:db8::fe -n 10000" mix_sources=10000 mix_family=6 ;;
	s1M) mix_args="-d 2001:db8::fe -n 1000000" mix_sources=1000000 mix_family=6 ;;
	*) log "unknown mix $1"; return 1 ;;
	esac
}

# --- the test bed: gen (va) <-> initial namespace (vb) ---------------------
setup_net() {
	ip netns add gen
	ip link add vb type veth peer name va netns gen
	# No link-local addresses: without them neither end sends ICMPv6
	# of its own (MLD reports, router solicitations), so every ICMP
	# packet the paths see is the generator's.
	ip link set vb addrgenmode none
	ip -n gen link set va addrgenmode none
	ip link set vb up
	ip -n gen link set lo up
	ip -n gen link set va up
	mac_a=$(ip -n gen -br link show va | awk '{print $3}')
	mac_b=$(ip -br link show vb | awk '{print $3}')
	# /32 and /128 addresses: replies to the spoofed sources go to one
	# static neighbour, so no ARP/NDP for each source.
	ip addr add 203.0.113.254/32 dev vb
	ip -6 addr add 2001:db8::fe/128 dev vb nodad
	ip route add 203.0.113.253/32 dev vb
	ip route add default via 203.0.113.253 dev vb
	ip -6 route add 2001:db8::fd/128 dev vb
	ip -6 route add default via 2001:db8::fd dev vb
	ip neigh replace 203.0.113.253 lladdr "$mac_a" dev vb nud permanent
	ip -6 neigh replace 2001:db8::fd lladdr "$mac_a" dev vb nud permanent
	ip -n gen addr add 203.0.113.253/32 dev va
	ip -n gen -6 addr add 2001:db8::fd/128 dev va nodad
	ip -n gen route add 203.0.113.254/32 dev va
	ip -n gen -6 route add 2001:db8::fe/128 dev va
	# The echo replies to the spoofed sources end here, silently (without
	# these, gen would answer them with rate-limited ICMP errors, which
	# the counters would see too).
	ip -n gen route add blackhole 198.51.100.0/24
	ip -n gen route add blackhole 203.0.113.0/24
	ip -n gen -6 route add blackhole 2001:db8::/32
	ip -n gen neigh replace 203.0.113.254 lladdr "$mac_b" dev va nud permanent
	ip -n gen -6 neigh replace 2001:db8::fe lladdr "$mac_b" dev va nud permanent
	sysctl -qw net.core.netdev_max_backlog=1000
	# The reference counter, present in every path.
	nft -f - <<-'EOF'
	table inet bench {
		counter c_icmp {}
		counter c_udp {}
		counter c_tcp {}
		chain pre {
			type filter hook prerouting priority -400;
			counter name meta l4proto map { icmp : "c_icmp", ipv6-icmp : "c_icmp", udp : "c_udp", tcp : "c_tcp" }
		}
		# The NFLOG paths add their "log group" rule here.
		chain logc {
			type filter hook prerouting priority -300;
		}
	}
	EOF
}

# The deterministic runs (cost.sh, the profiles) leave the echo requests
# unanswered. The answers cost as much as the rest of the stack, and not
# always the same: at 100 sources a flood cost 30% more per packet for a
# while after the first ones, and the profile of those floods was the
# random-number generator's (blake2s, chacha, extract_entropy), called for
# the IP ID of each answer (__ip_select_ident draws per destination). The
# answers also cost the paths unevenly: the module's hook saw each one
# again entering gen, the tc-BPF clsact qdisc checked each leaving vb.
# A real peer is another host, so neither belongs in a path's cost. The
# wall-clock parts (a, b) still answer.
no_echo_replies() {
	local k v
	for k in net.ipv4.icmp_echo_ignore_all net.ipv6.icmp.echo_ignore_all; do
		sysctl -qw "$k=1" >/dev/null
		v=$(sysctl -n "$k" 2>/dev/null)
		[ "$v" = 1 ] || { log "cannot set $k=1 (reads '$v')"; return 1; }
	done
	log "echo requests go unanswered (icmp_echo_ignore_all=1, IPv4 and IPv6)"
}

nft_count() {
	nft list counter inet bench "c_$1" | awk '/packets/ {print $2}'
}

# Whole-guest busy and softirq time, in microseconds (USER_HZ ticks).
cpu_us() {
	local hz
	hz=$(getconf CLK_TCK)
	awk -v hz="$hz" '/^cpu / {
		busy = $2 + $3 + $4 + $7 + $8 + $9
		printf "%d %d\n", busy * 1e6 / hz, $8 * 1e6 / hz }' /proc/stat
}

# Helpers that set a variable rather than print: under TCG every fork costs
# ~0.1 s, and a run would spend more time in them than flooding.
# CPU time of every thread of a process, in microseconds (schedstat, ns).
proc_us_v() {	# VAR PID
	local -n _v=$1
	local f ns _r s=0
	_v=0
	[ -n "$2" ] && [ -d "/proc/$2" ] || return 0
	for f in /proc/"$2"/task/*/schedstat; do
		read -r ns _r <"$f" 2>/dev/null && s=$((s + ns))
	done
	_v=$((s / 1000))
}
proc_us() { local x; proc_us_v x "$1"; echo "$x"; }

rss_kb() {
	awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo NA
}

slab_kb_v() {	# VAR
	local -n _v=$1
	local k v _r
	while read -r k v _r; do
		[ "$k" = "Slab:" ] && { _v=$v; return 0; }
	done </proc/meminfo
}
slab_kb() { local x; slab_kb_v x; echo "$x"; }

module_loaded() {
	local l
	while read -r l _; do [ "$l" = netlink_icmp ] && return 0; done </proc/modules
	return 1
}

# kv_v VAR KEY TEXT: the number after KEY= in TEXT (NA if absent).
kv_v() {
	local -n _v=$1
	if [[ $3 =~ (^|[ ;])$2=([0-9.]+) ]]; then _v=${BASH_REMATCH[2]}; else _v=NA; fi
}

softnet_drops() {	# column 2 of softnet_stat, in hex
	local s=0 a d
	while read -r a d _; do
		s=$((s + 16#$d))
	done </proc/net/softnet_stat
	echo "$s"
}

# Module counters through the CLI: seen, and this listener's delivered and
# undelivered (the first listener: the bench registers only one).
mod_stats() {
	if [ -z "$ctl" ] || ! module_loaded; then
		echo "NA NA NA"
		return
	fi
	"$ctl" stats 2>/dev/null | awk '
		function num(s) { gsub(/[^0-9]/, "", s); return s }
		{
			for (i = 1; i < NF; i++) {
				k = tolower($i); sub(/[:=]$/, "", k)
				if (k == "seen" && seen == "") seen = num($(i + 1))
				if (k == "delivered" && del == "") del = num($(i + 1))
				if (k == "undelivered" && und == "") und = num($(i + 1))
			}
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^seen=/ && seen == "") { v = $i; sub(/.*=/, "", v); seen = v }
				if ($i ~ /^delivered=/ && del == "") { v = $i; sub(/.*=/, "", v); del = v }
				if ($i ~ /^undelivered=/ && und == "") { v = $i; sub(/.*=/, "", v); und = v }
			}
		}
		END { print (seen == "" ? "NA" : seen), (del == "" ? "NA" : del), (und == "" ? "NA" : und) }'
}

wait_nflog_group() {
	local g=$1 i
	for i in $(seq 100); do
		awk -v g="$g" '$1 == g' /proc/net/netfilter/nfnetlink_log 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	log "NFLOG group $g was not bound"
	return 1
}

wait_ready() {	# FILE: a tool prints "ready" once attached
	local i
	for i in $(seq 200); do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	log "$1: never ready"
	return 1
}

# --- one run ----------------------------------------------------------------
# Globals a run reads and fills.
consumer_pid=""
RESULT_CONSUMER=NA RESULT_ATTR=NA RESULT_OTHER=NA RESULT_ALL=NA RESULT_EXTRA=NA

csv_header="part,path,mix,family,sources,run,seconds,sent,offered_pps,nft,nft_pps,consumer,seen,delivered,undelivered,attributed,other,all,busy_us_pkt,softirq_us_pkt,consumer_us_pkt,rss_kb,slab_kb,drops,extra"

# run_once PATH MIX RUN [RATE] — the consumer is already running; the
# caller's "finish" hook (finish_PATH) collects what it received.
run_once() {
	local path=$1 mix=$2 run=$3 rate=${4:-} args out sent secs n0 n1 d=$dur
	local u0 umid u1 m0 m1 d0 d1 slab0 slab1 fam srcs busy sirq tmid idle
	mix_set "$mix" || return 1
	args=$mix_args fam=$mix_family srcs=$mix_sources
	[ "$run" = 0 ] && d=1	# warm-up
	n0=$(nft_count icmp)
	proc_us_v u0 "$consumer_pid"
	read -r m0 _ _ <<<"$(mod_stats)"
	d0=$(softnet_drops)
	slab_kb_v slab0
	# shellcheck disable=SC2086
	out=$(ip netns exec gen "$bin/icmpflood" -i va -m "$mac_b" $args \
		-c 100000000 -t "$d" ${rate:+-R $rate} -q -S)
	proc_us_v umid "$consumer_pid"
	tmid=$EPOCHREALTIME
	# The module's table right after the flood (idle entries go later).
	entries_after_flood=""
	[ "$path" = module ] &&
		entries_after_flood=$("$ctl" stats 2>/dev/null | awk '$1 == "entries" { print $2 }')
	kv_v sent sent "$out"
	kv_v secs seconds "$out"
	kv_v busy busy_us "$out"
	kv_v sirq softirq_us "$out"
	RESULT_CONSUMER=NA RESULT_ATTR=NA RESULT_OTHER=NA RESULT_ALL=NA RESULT_EXTRA=NA
	RESULT_RSS=NA RESULT_DEL=NA RESULT_UND=NA RESULT_U1="" RESULT_T1=""
	RESULT_SEEN="" RESULT_NFT=""
	"finish_$path"	# drains the consumer and fills RESULT_*
	n1=$(nft_count icmp)
	proc_us_v u1 "$consumer_pid"
	[ -n "$RESULT_U1" ] && u1=$RESULT_U1
	read -r m1 _ _ <<<"$(mod_stats)"
	# The module path read them together, while collectd was registered.
	[ -n "$RESULT_SEEN" ] && m1=$RESULT_SEEN
	[ -n "$RESULT_NFT" ] && n1=$RESULT_NFT
	d1=$(softnet_drops)
	slab_kb_v slab1
	local n=$((n1 - n0)) seen=NA
	[ "$m0" != NA ] && [ "$m1" != NA ] && seen=$((m1 - m0))
	[ "$n" -gt 0 ] || n=1
	[ "$path" = nft ] && RESULT_CONSUMER=$n
	# The identity of the ABI holds since REGISTER (a stray ICMPv6 packet
	# may arrive between REGISTER and the run).
	if [ "$path" = module ] && [ "$m1" != NA ]; then
		RESULT_EXTRA+=";seen_reg=$((m1 - seen_at_register));nft_reg=$((n1 - nft_at_register))"
	fi
	# Consumer CPU: what it spent in the sending window and catching up
	# after it, less its idle cost over the catch-up wait (collectd's own
	# timers and writes of the totals: measured before the run).
	idle=0
	if [ -n "$RESULT_T1" ] && [ "${consumer_idle_us_s:-0}" -gt 0 ]; then
		idle=$(awk -v r="$consumer_idle_us_s" -v a="$tmid" -v b="$RESULT_T1" \
			'BEGIN { d = r * (b - a); printf "%d", (d > 0 ? d : 0) }')
		RESULT_EXTRA+=";idle_us_s=$consumer_idle_us_s;idle_us=$idle"
	fi
	u1=$((u1 - idle))
	# Whole-guest CPU: the sending window (sampled by the generator) plus
	# what the consumer spent catching up after it.
	busy=$((busy + u1 - umid))
	awk -v OFS=, -v part="$part" -v path="$path" -v mix="$mix" \
		-v fam="$fam" -v srcs="$srcs" -v run="$run" -v secs="$secs" \
		-v sent="$sent" -v n="$n" -v cons="$RESULT_CONSUMER" \
		-v seen="$seen" -v del="$RESULT_DEL" -v und="$RESULT_UND" \
		-v attr="$RESULT_ATTR" -v other="$RESULT_OTHER" -v all="$RESULT_ALL" \
		-v busy="$busy" -v sirq="$sirq" \
		-v user="$((u1 - u0))" -v rss="$RESULT_RSS" \
		-v slab=$((slab1 - slab0)) -v drops=$((d1 - d0)) \
		-v extra="$RESULT_EXTRA" -v cpid="$consumer_pid" 'BEGIN {
		printf "%s,%s,%s,%s,%s,%s,%.3f,%d,%.0f,%d,%.0f,%s,%s,%s,%s,%s,%s,%s,%.3f,%.3f,%s,%s,%d,%d,%s\n",
			part, path, mix, fam, srcs, run, secs, sent, sent / secs, n,
			n / secs, cons, seen, del, und, attr, other, all,
			busy / n, sirq / n,
			(cpid == "" ? "NA" : sprintf("%.3f", user / n)),
			rss, slab, drops, extra }' >>"$raw"
	local line l
	while read -r l; do line=$l; done <"$raw"
	log "$line"
}

# --- paths -------------------------------------------------------------------
# nft: the counter rule alone (the ceiling).
start_nft() { consumer_pid=""; consumer_idle_us_s=0; }
finish_nft() { sleep 0.3; }
stop_nft() { :; }

# bpf: tc ingress per-source hash map, as many entries as the module's table.
start_bpf() {
	consumer_idle_us_s=0
	"$bin/bpf_srccount" vb "$bin/bpf_srccount.bpf.o" "$table_entries" >"$tmp/bpf.out" 2>&1 &
	consumer_pid=$!
	wait_ready "$tmp/bpf.out"
}
finish_bpf() {
	sleep 0.3
	proc_us_v RESULT_U1 "$consumer_pid"
	kill -TERM "$consumer_pid"
	wait "$consumer_pid"
	local l
	l=$(tail -1 "$tmp/bpf.out")
	kv_v RESULT_CONSUMER packets "$l"
	RESULT_ATTR=$RESULT_CONSUMER
	kv_v RESULT_OTHER no_room "$l"
	local e
	kv_v e entries "$l"
	RESULT_EXTRA="entries=$e"
}
stop_bpf() { :; }

# nflog: batched NFLOG to the minimal libnetfilter_log reader.
start_nflog() {
	consumer_idle_us_s=0
	nft add rule inet bench logc meta l4proto '{ icmp, ipv6-icmp }' \
		log group 1 snaplen 64 queue-threshold 64
	"$bin/nflog_count" 1 >"$tmp/nflog.out" 2>&1 &
	consumer_pid=$!
	wait_ready "$tmp/nflog.out" && wait_nflog_group 1
}
finish_nflog() {
	sleep 1
	proc_us_v RESULT_U1 "$consumer_pid"
	kill -TERM "$consumer_pid"
	wait "$consumer_pid"
	local l
	l=$(tail -1 "$tmp/nflog.out")
	kv_v RESULT_CONSUMER received "$l"
	local e
	kv_v e enobufs "$l"
	RESULT_EXTRA="enobufs=$e"
}
stop_nflog() { nft flush chain inet bench logc; }

# ulogd: NFLOG to Debian's ulogd2, LOGEMU text lines to a tmpfs file.
start_ulogd() {
	consumer_idle_us_s=0
	local p=/usr/lib/x86_64-linux-gnu/ulogd
	nft add rule inet bench logc meta l4proto '{ icmp, ipv6-icmp }' \
		log group 2 snaplen 64 queue-threshold 64
	: >"$tmp/ulogd-emu.log"
	cat >"$tmp/ulogd.conf" <<-EOF
	[global]
	logfile="$tmp/ulogd.log"
	loglevel=5
	plugin="$p/ulogd_inppkt_NFLOG.so"
	plugin="$p/ulogd_raw2packet_BASE.so"
	plugin="$p/ulogd_filter_IFINDEX.so"
	plugin="$p/ulogd_filter_IP2STR.so"
	plugin="$p/ulogd_filter_PRINTPKT.so"
	plugin="$p/ulogd_output_LOGEMU.so"
	stack=log1:NFLOG,base1:BASE,ifi1:IFINDEX,ip2str1:IP2STR,print1:PRINTPKT,emu1:LOGEMU
	[log1]
	group=2
	netlink_socket_buffer_size=8388608
	netlink_socket_buffer_maxsize=8388608
	netlink_qthreshold=64
	netlink_qtimeout=10
	[emu1]
	file="$tmp/ulogd-emu.log"
	sync=0
	EOF
	/usr/sbin/ulogd -c "$tmp/ulogd.conf" >/dev/null 2>&1 &
	consumer_pid=$!
	wait_nflog_group 2
}
finish_ulogd() {
	sleep 1
	proc_us_v RESULT_U1 "$consumer_pid"
	kill -TERM "$consumer_pid"
	wait "$consumer_pid"
	RESULT_CONSUMER=$(wc -l <"$tmp/ulogd-emu.log")
}
stop_ulogd() { stop_nflog; }

# module: netlink_icmp.ko + the real collectd with the plugin, csv output.
start_module() {
	local d="$tmp/collectd" p
	rm -rf "$d"
	mkdir -p "$d/plugins" "$d/csv"
	# collectd loads regular files only (no symlinks) from one PluginDir.
	for p in /usr/lib/collectd/logfile.so /usr/lib/collectd/csv.so \
		/usr/lib/collectd/match_regex.so "$plugin"; do
		cp "$p" "$d/plugins/"
	done
	# The csv writer costs ~0.5 ms a value under TCG (15% of the guest at
	# 100 sources): measured, it would swamp the plugin. So every value is
	# dispatched (and cached) but only the host totals (all, other) are
	# written; per-source totals are all - other (the plugin keeps
	# all = sources + other + ignored; its own tests check each source).
	# Tracking 10k sources costs collectd seconds per read under TCG: read
	# every 5 s there, every second with few sources.
	interval=1
	mix_set "$cur_mix" && [ "$mix_sources" -gt 1000 ] && interval=5
	cat >"$d/collectd.conf" <<-EOF
	Hostname "bench"
	FQDNLookup false
	Interval $interval
	BaseDir "$d"
	PIDFile "$d/collectd.pid"
	PluginDir "$d/plugins"
	LoadPlugin logfile
	<Plugin logfile>
		File "$d/collectd.log"
		LogLevel info
	</Plugin>
	LoadPlugin csv
	<Plugin csv>
		DataDir "$d/csv"
		StoreRates false
	</Plugin>
	LoadPlugin netlink_icmp
	<Plugin netlink_icmp>
		MaxSources $max_sources
		# A source gets its own series from its first read: the bench
		# checks that every packet lands on its source. The probation
		# of new sources (MinReads 2, the default) keeps a flood's first
		# second in "other", by design; the plugin suite tests it.
		MinReads 1
	</Plugin>
	EOF
	cat >>"$d/collectd.conf" <<-EOF
	LoadPlugin match_regex
	PostCacheChain "bench"
	<Chain "bench">
		<Rule "totals">
			<Match "regex">
				PluginInstance "^(all|other)$"
			</Match>
			Target "write"
		</Rule>
		Target "stop"
	</Chain>
	EOF
	/usr/sbin/collectd -f -C "$d/collectd.conf" >"$d/collectd.out" 2>&1 &
	consumer_pid=$!
	# Registered once the module lists a listener.
	local i
	for i in $(seq 100); do
		if "$ctl" stats 2>/dev/null | grep -qE '^listeners [1-9]'; then
			# The identity counts from REGISTER: mark it now.
			read -r seen_at_register _ _ <<<"$(mod_stats)"
			nft_at_register=$(nft_count icmp)
			marked=1
			# Its idle cost (timers, reads, writes of the totals),
			# in us per second, once started up.
			local ua ub ta tb
			sleep 0.5
			proc_us_v ua "$consumer_pid"; ta=$EPOCHREALTIME
			sleep 1
			proc_us_v ub "$consumer_pid"; tb=$EPOCHREALTIME
			consumer_idle_us_s=$(awk -v u=$((ub - ua)) -v a="$ta" -v b="$tb" \
				'BEGIN { printf "%d", u / (b - a) }')
			log "collectd registered after $i tries, idle $consumer_idle_us_s us/s"
			return 0
		fi
		kill -0 "$consumer_pid" 2>/dev/null || break
		sleep 0.1
	done
	log "collectd never registered:"
	cat "$d/collectd.out" "$d/collectd.log" >&2
	kill "$consumer_pid" 2>/dev/null
	wait "$consumer_pid"
	return 1
}
# Sum of the last line of every csv file matching DIR-GLOB/FILE-GLOB
# (StoreRates false: raw counters); one tail for all files. Of a series
# only its newest file counts (the csv writer starts a file a day).
csv_sum() {
	find "$tmp"/collectd/csv/bench -path "*/netlink_icmp-$1/$2-*" -type f |
		csv_newest | xargs -r tail -q -n 1 2>/dev/null |
		awk -F, '{ s += $2 } END { printf "%d\n", s }'
}
finish_module() {
	local i seen_now del und all
	# A flush (1 s) then a read interval (1 s) bring the last counts out.
	for i in $(seq 60); do
		sleep 0.5
		read -r seen_now del und <<<"$(mod_stats)"
		[ "$del" != NA ] || break
		[ $((del + und)) -ge $((seen_now - seen_at_register)) ] || continue
		# The plugin has caught up once its all + undelivered covers
		# what the module delivered to it.
		all=$(csv_sum all 'packets')
		[ "$all" -ge $((del + und)) ] && break
	done
	# collectd's CPU up to here: the last flush read (and idle time).
	proc_us_v RESULT_U1 "$consumer_pid"
	RESULT_T1=$EPOCHREALTIME
	log "module path settled after $i polls"
	sleep "$interval.2"	# one more interval: every csv line is final
	# seen, delivered and undelivered of one instant, after a flush took
	# in any stray packet (an ICMPv6 probe can come at any time); nft with
	# them, before collectd's exit leaves later packets undelivered to it.
	for i in $(seq 20); do
		read -r RESULT_SEEN RESULT_DEL RESULT_UND <<<"$(mod_stats)"
		RESULT_NFT=$(nft_count icmp)
		[ "$RESULT_DEL" != NA ] || break
		[ $((RESULT_DEL + RESULT_UND)) -eq $((RESULT_SEEN - seen_at_register)) ] && break
		sleep 0.5
	done
	RESULT_RSS=$(rss_kb "$consumer_pid")
	# The module's table after the flood: entries x their slab object size (SLUB may
	# merge the cache with another, so /proc/slabinfo cannot tell).
	local entries osz
	entries=$entries_after_flood
	osz=$(cat /sys/kernel/slab/nlicmp_entry/slab_size 2>/dev/null)
	entry_kb=NA
	[ -n "$entries" ] && [ -n "$osz" ] && entry_kb=$((entries * osz / 1024))
	RESULT_EXTRA_ENTRIES=$entries
	kill -TERM "$consumer_pid"
	wait "$consumer_pid"
	und=$(csv_sum all 'packets-undelivered')
	RESULT_ALL=$(( $(csv_sum all 'packets') - und ))
	RESULT_OTHER=$(csv_sum other 'packets')
	RESULT_ATTR=$((RESULT_ALL - RESULT_OTHER))
	if [ $((RESULT_ALL + und)) != $((RESULT_DEL + RESULT_UND)) ]; then
		log "plugin all $RESULT_ALL + undelivered $und != module delivered $RESULT_DEL + undelivered $RESULT_UND; its totals:"
		find "$tmp"/collectd/csv/bench -path '*/netlink_icmp-all/*' -o -path '*/netlink_icmp-other/*' |
			while read -r f; do [ -f "$f" ] && echo "  $f: $(tail -n 2 "$f" | tr '\n' ' ')"; done >&2
		tail -n 5 "$tmp/collectd/collectd.log" >&2
	fi
	RESULT_CONSUMER=$RESULT_ALL
	RESULT_EXTRA="plugin_undelivered=$und;sources=$(csv_sum all 'count-sources' | head -1);entry_slab_kb=$entry_kb;entries=$RESULT_EXTRA_ENTRIES"
}
stop_module() { :; }

# Counters when the listener registered (module path only).
register_marks() {
	[ "$path" = module ] && [ "${marked:-0}" = 1 ] && { marked=0; return 0; }
	seen_at_register=0 nft_at_register=0
	[ "$path" = module ] || return 0
	seen_at_register=$(mod_stats | awk '{print $1}')
	[ "$seen_at_register" = NA ] && seen_at_register=0
	nft_at_register=$(nft_count icmp)
}

# --- a path over mixes and runs --------------------------------------------
# bench PATH MIX... : RUNS runs of every mix, the consumer restarted per run
# so that its counts and memory start from zero.
bench() {
	local path=$1 mix r first=1
	shift
	for mix in "$@"; do
		for r in $(seq "$runs"); do
			# Run 0 warms the path up (TCG translates new code paths on
			# first use); the report ignores it.
			[ "$first" = 1 ] && r="0 $r"
			first=0
			for r in $r; do
				cur_mix=$mix
				"start_$path" || { log "$path: cannot start"; return 1; }
				register_marks
				run_once "$path" "$mix" "$r"
				"stop_$path"
			done
		done
	done
}

# --- non-ICMP overhead: UDP datagrams and TCP segments per second ----------
l4_runs() {	# LABEL [RUN]
	local label=$1 r out sent secs got n0 n1 c0 c1
	for r in ${2:-$(seq "$runs")}; do
		"$bin/l4bench" udp-sink 9000 >"$tmp/udp.out" &
		local sp=$!
		wait_ready "$tmp/udp.out"
		read -r c0 _ <<<"$(cpu_us)"
		out=$(ip netns exec gen "$bin/icmpflood" -i va -m "$mac_b" \
			-d 203.0.113.254 -n 1 -u 9000 -c 100000000 -t "$dur" -q)
		sleep 0.3
		kill -TERM "$sp"; wait "$sp"
		read -r c1 _ <<<"$(cpu_us)"
		sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
		secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
		got=$(sed -n 's/received=//p' "$tmp/udp.out")
		echo "$part,udp@$label,udp,4,1,$r,$secs,$sent,$(awk -v a="$sent" -v b="$secs" 'BEGIN{printf "%.0f", a/b}'),$got,$(awk -v a="$got" -v b="$secs" 'BEGIN{printf "%.0f", a/b}'),$got,NA,NA,NA,NA,NA,NA,$(awk -v a=$((c1 - c0)) -v b="$got" 'BEGIN{printf "%.3f", a/(b?b:1)}'),NA,NA,NA,NA,NA,NA" >>"$raw"
		log "$(tail -1 "$raw")"

		"$bin/l4bench" tcp-sink 9001 >"$tmp/tcp.out" &
		sp=$!
		wait_ready "$tmp/tcp.out"
		n0=$(nft_count tcp)
		read -r c0 _ <<<"$(cpu_us)"
		out=$(ip netns exec gen "$bin/l4bench" tcp-send 203.0.113.254 9001 "$dur" 64)
		wait "$sp"
		read -r c1 _ <<<"$(cpu_us)"
		n1=$(nft_count tcp)
		secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
		sent=$(sed -n 's/.*writes=\([0-9]*\).*/\1/p' <<<"$out")
		got=$((n1 - n0))
		echo "$part,tcp@$label,tcp,4,1,$r,$secs,$sent,$(awk -v a="$sent" -v b="$secs" 'BEGIN{printf "%.0f", a/b}'),$got,$(awk -v a="$got" -v b="$secs" 'BEGIN{printf "%.0f", a/b}'),NA,NA,NA,NA,NA,NA,NA,$(awk -v a=$((c1 - c0)) -v b="$got" 'BEGIN{printf "%.3f", a/(b?b:1)}'),NA,NA,NA,NA,NA,bytes=$(sed -n 's/received=//p' "$tmp/tcp.out")" >>"$raw"
		log "$(tail -1 "$raw")"
	done
}

# --- delivered vs offered (the plot) ----------------------------------------
sweep_path() {	# PATH: one run per offered rate, one source
	local path=$1 rate
	for rate in $sweep; do
		cur_mix=s1
		"start_$path" || return 1
		register_marks
		run_once "$path" s1 "r$rate" "$rate"
		"stop_$path"
	done
}

