#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The plugin's end-to-end tests, run as root in the VM guest by run.sh (cwd:
# the repository). Needs KO (the module) and PLUGIN_SO (netlink_icmp.so) in
# the environment; NLICMP_TESTS limits the tests run.
#
# Topology: the guest's initial namespace is the monitored host, with a
# bridge br0 (198.51.100.1/24, 203.0.113.1/24, 2001:db8:1::1/64); four
# source namespaces hang off it:
#   s1 198.51.100.10   s2 198.51.100.20   s3 203.0.113.30
#   s6 2001:db8:1::10 and 2001:db8:1::20 (one source when grouped by /64)
# Each test starts its own collectd (Interval 1, csv + exec
# NotificationExec), sends known pings, and checks what collectd wrote.
set -uo pipefail

top=$(pwd)
# shellcheck source=tests/lib/csv.sh
. "$top/tests/lib/csv.sh" || exit 2
work=/tmp/nlicmp-plugin
conf_example=$top/conf/netlink_icmp.conf
FLUSH_MS=200
# How many times slower the kernel is (NLICMP_VM_TIMEOUT_SCALE: 4 for the
# debug kernel): the alert test's rates are divided by it, as a guest that
# slow cannot send the stock rates.
SCALE=${SCALE:-1}
case $SCALE in
'' | *[!0-9]* | 0*) echo "guest.sh: SCALE must be a positive integer, not '$SCALE'" >&2; exit 2 ;;
esac

# IPv6 housekeeping (link-local ND, MLD from ::) is real ICMPv6 the
# module counts; the tests keep it out of the per-source figures.
QUIET='IgnoreSource "fe80::/10"
  IgnoreSource "::/128"'

REASON=''
fail() {
	REASON=$*
	return 1
}

log() { echo "    $*" >&2; }

# ---- set-up ----

setup() {
	local p k
	mkdir -p "$work/plugins" || return 1
	for p in csv exec logfile unixsock; do
		cp "/usr/lib/collectd/$p.so" "$work/plugins/" || return 1
	done
	# collectd loads regular files only (no symlinks).
	cp "$PLUGIN_SO" "$work/plugins/netlink_icmp.so" || return 1

	# exec runs notification hooks as an unprivileged user: one file per
	# notification, whole (headers, meta data, message).
	cat >"$work/notify.sh" <<'EOF'
#!/bin/sh
cat >"$(mktemp "$1/n.XXXXXXXX")"
EOF
	chmod 755 "$work" "$work/notify.sh"

	for k in net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.accept_ra=0; do
		sysctl -qw "$k" >/dev/null
	done
	ip link add br0 type bridge || return 1
	ip link set br0 up
	ip addr add 198.51.100.1/24 dev br0
	ip addr add 203.0.113.1/24 dev br0
	ip addr add 2001:db8:1::1/64 dev br0 nodad
	add_source s1 198.51.100.10
	add_source s2 198.51.100.20
	add_source s3 203.0.113.30
	add_source s6 2001:db8:1::10 2001:db8:1::20
	sleep 2

	nft add table inet nlplugin &&
		nft add chain inet nlplugin pre \
			'{ type filter hook prerouting priority -500; }' &&
		nft add rule inet nlplugin pre \
			meta l4proto '{ icmp, ipv6-icmp }' counter || return 1

	insmod "$KO" flush_ms=$FLUSH_MS
}

n_src=0
add_source() { # namespace address...
	local ns=$1 a k
	shift
	n_src=$((n_src + 1))
	ip netns add "$ns"
	for k in net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.all.accept_dad=0; do
		ip netns exec "$ns" sysctl -qw "$k" >/dev/null
	done
	ip link add "vs$n_src" type veth peer name eth0 netns "$ns"
	ip link set "vs$n_src" master br0 up
	ip -n "$ns" link set lo up
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a/64" dev eth0 nodad ;;
		*) ip -n "$ns" addr add "$a/24" dev eth0 ;;
		esac
	done
	ip -n "$ns" link set eth0 up
}

cleanup() {
	stop_collectd
	nft delete table inet nlplugin 2>/dev/null
	rmmod netlink_icmp 2>/dev/null
	return 0
}

# ---- collectd ----

CPID=''
DIR=''

# start_collectd NAME PLUGIN_CONFIG: a fresh collectd in $work/NAME; the
# config text goes after the daemon's own settings.
start_collectd() {
	DIR=$work/$1
	rm -rf "$DIR"
	mkdir -p "$DIR/notif"
	chmod 1777 "$DIR/notif"
	cat >"$DIR/collectd.conf" <<EOF
Hostname "guest"
BaseDir "$DIR"
PIDFile "$DIR/collectd.pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  File "$DIR/collectd.log"
  LogLevel info
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$DIR/csv"
  StoreRates false
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "$work/notify.sh" "$DIR/notif"
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$DIR/sock"
</Plugin>
$2
EOF
	collectd -f -C "$DIR/collectd.conf" >"$DIR/stdout" 2>&1 &
	CPID=$!
	wait_log "Initialization complete" 20 ||
		fail "collectd did not start: $(tail -n 3 "$DIR/collectd.log" "$DIR/stdout")"
}

stop_collectd() {
	local i
	[ -n "$CPID" ] || return 0
	kill "$CPID" 2>/dev/null
	# A plugin that does not join its thread would hang the exit.
	for i in $(seq 50); do
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$CPID" 2>/dev/null && kill -KILL "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	CPID=''
}

# wait_log TEXT SECONDS: until the collectd log has TEXT.
wait_log() {
	local i
	for i in $(seq $(($2 * 5))); do
		grep -qF -- "$1" "$DIR/collectd.log" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

alive() {
	kill -0 "$CPID" 2>/dev/null
}

# value INSTANCE FILE: the last value collectd wrote for
# netlink_icmp-INSTANCE/FILE (FILE: packets-echo_request, total_bytes...),
# "none" if never.
value() {
	local f
	f=$(ls -1 "$DIR/csv/guest/netlink_icmp-$1/$2"-[0-9]* 2>/dev/null | tail -n 1)
	[ -n "$f" ] || { echo none; return; }
	tail -n 1 "$f" | awk -F, '{ printf "%d\n", $2 }'
}

# wait_value INSTANCE FILE WANT [SECONDS]
wait_value() {
	local i
	for i in $(seq $((${4:-10} * 5))); do
		[ "$(value "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
	done
	fail "netlink_icmp-$1/$2 is $(value "$1" "$2"), want $3"
}

# The plugin instances collectd has fresh values of (its cache forgets an
# identifier two intervals after its last value).
instances() {
	collectdctl -s "$DIR/sock" listval |
		sed -n 's|.*guest/netlink_icmp-\([^/]*\)/.*|\1|p' | sort -u
}

# The newest csv file of each packets-* type of an instance.
packets_files() {
	ls -1 "$DIR/csv/guest/netlink_icmp-$1"/packets-* 2>/dev/null | csv_newest
}

# Sum of the last values of every packets-* of an instance.
packets_sum() {
	local f s=0 v
	for f in $(packets_files "$1"); do
		v=$(tail -n 1 "$f" | awk -F, '{ printf "%d", $2 }')
		s=$((s + v))
	done
	echo $s
}

# What "all" holds, type by type ("echo_request=38 undelivered=0 ..."),
# for a failure's message.
packets_detail() {
	local f
	for f in $(packets_files "$1"); do
		printf '%s=%s ' "$(basename "$f" | sed 's/^packets-//; s/-[0-9-]*$//')" \
			"$(tail -n 1 "$f" | awk -F, '{ printf "%d", $2 }')"
	done
}

nft_count() {
	nft list chain inet nlplugin pre | awk '/counter packets/ {
		for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}

# Wait until nft and collectd's "all" have stopped moving, and set NFT and
# SUM (and DETAIL, SUM type by type) to a pair read in one quiet window: a
# packet may still come later (the kernel's neighbour probe some seconds
# after a ping), and a sum read after the window would count it while NFT
# did not. The window outlasts the module's flush plus a collectd read, so
# a packet counted by nft in it shows in "all" by its end.
settle() {
	local i a b d kv n
	for i in $(seq 30); do
		a=$(packets_sum all)
		n=$(nft_count)
		sleep "$(awk -v s="$SCALE" 'BEGIN { print 2.2 * s }')"
		d=$(packets_detail all)
		b=0
		for kv in $d; do b=$((b + ${kv#*=})); done
		if [ "$a" = "$b" ] && [ "$n" = "$(nft_count)" ]; then
			NFT=$n
			SUM=$b
			DETAIL=$d
			return 0
		fi
	done
	fail "counts never settled"
}

# baseline NFT_BEFORE: the counts a test measures "all" from, once the
# plugin has registered, read in one quiet window: a late packet of an
# earlier test (a neighbour probe) that came before the registration then
# counts in neither. NFT_BEFORE, nft's count before collectd started,
# bounds what "all" may hold already: nothing from before it.
baseline() {
	settle || return 1
	N0=$NFT
	SUM0=$SUM
	[ "$SUM0" -le $((N0 - $1)) ] ||
		fail "all started at $SUM0 ($DETAIL), above the $((N0 - $1)) packets the kernel saw since collectd started"
}

# all_exact [NOTE]: once quiet, "all" (with undelivered) has grown since
# the baseline by what nft counted.
all_exact() {
	settle || return 1
	[ $((SUM - SUM0)) = $((NFT - N0)) ] ||
		fail "all (with undelivered) grew by $((SUM - SUM0)) (now $DETAIL), the kernel saw $((NFT - N0))${1:+ ($1)}"
}

# ---- notifications ----

# notifications SEVERITY INSTANCE [MESSAGE-PART]: how many were sent.
notifications() {
	local f n=0
	for f in "$DIR"/notif/n.*; do
		[ -f "$f" ] || continue
		grep -qx "Severity: $1" "$f" || continue
		grep -qx "PluginInstance: $2" "$f" ||
			{ [ -z "$2" ] && ! grep -q '^PluginInstance:' "$f"; } ||
			continue
		[ -z "${3:-}" ] || grep -qF -- "$3" "$f" || continue
		n=$((n + 1))
	done
	echo $n
}

# wait_notification SEVERITY INSTANCE [MESSAGE-PART] [SECONDS]
wait_notification() {
	local i
	for i in $(seq $((${4:-10} * 5))); do
		[ "$(notifications "$1" "$2" "${3:-}")" -ge 1 ] && return 0
		sleep 0.2
	done
	fail "no $1 notification for '$2' ${3:+($3)}; got: $(cat "$DIR"/notif/n.* 2>/dev/null | tr '\n' ' ' | cut -c1-400)"
}

# How many WARNINGs each single source of 198.51.100.0/24 got from the
# echo rules ("N 198.51.100.X" lines), in one pass over the files.
source_echo_warnings() {
	grep -lx "Severity: WARNING" "$DIR"/notif/n.* 2>/dev/null |
		xargs -r grep -ho "ICMP echo from 198\.51\.100\.[0-9]*:" |
		sort | uniq -c | awk '{ print $1, $5 }'
}

# The notification file of SEVERITY for INSTANCE.
notification_file() {
	grep -lx "Severity: $1" "$DIR"/notif/n.* 2>/dev/null |
		xargs -r grep -lx "PluginInstance: $2" | head -n 1
}

# ---- traffic ----

# Background pings of a test; wait_pings waits for them (a bare wait
# would wait for collectd too).
PINGS=()
wait_pings() {
	local p
	for p in "${PINGS[@]}"; do wait "$p" 2>/dev/null; done
	PINGS=()
}

# ping_from NS COUNT INTERVAL TARGET [ARGS...]: COUNT echo requests.
ping_from() {
	local ns=$1 c=$2 i=$3 t=$4
	shift 4
	ip netns exec "$ns" ping -q -n -c "$c" -i "$i" -W 2 "$@" "$t" \
		>/dev/null 2>&1
}

# ---- tests ----

# The commented example, loaded as is, gives exact per-source and per-type
# values; all adds up to what the kernel saw.
t_exact() {
	local n0
	n0=$(nft_count)
	start_collectd exact "Include \"$conf_example\"
<Plugin netlink_icmp>
  MinReads 1
  $QUIET
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered" || return 1
	baseline "$n0" || return 1
	ping_from s1 5 0.2 198.51.100.1 &
	PINGS+=($!)
	ping_from s2 20 0.05 198.51.100.1 &
	PINGS+=($!)
	ping_from s3 3 0.2 203.0.113.1 &
	PINGS+=($!)
	ping_from s6 4 0.2 2001:db8:1::1 -I 2001:db8:1::10 &
	PINGS+=($!)
	ping_from s6 6 0.2 2001:db8:1::1 -I 2001:db8:1::20 &
	PINGS+=($!)
	wait_pings
	wait_value 198.51.100.10 packets-echo_request 5 || return 1
	wait_value 198.51.100.10 total_bytes $((5 * 84)) || return 1
	wait_value 198.51.100.20 packets-echo_request 20 || return 1
	wait_value 198.51.100.20 total_bytes $((20 * 84)) || return 1
	wait_value 203.0.113.30 packets-echo_request 3 || return 1
	wait_value 2001:db8:1::_64 packets-echo_request 10 || return 1
	wait_value all packets-echo_request 38 || return 1
	wait_value all count-sources 4 || return 1
	all_exact || return 1
	[ "$(value all packets-malformed)" = 0 ] || fail "malformed" || return 1
	[ "$(value other packets-echo_request)" = none ] ||
		fail "echo requests in other" || return 1
	# 198.51.100.20 sent 20/s: below the example's WarningRate 100.
	[ "$(ls "$DIR/notif" | wc -l)" = 0 ] ||
		fail "unexpected notifications: $(cat "$DIR"/notif/n.*)"
}

# A spike from one source: WARNING once after Persist intervals, FAILURE
# at the failure rate, OKAY when it stops; fields as documented.
t_alerts() {
	local f warn fail
	# Above 10 the quiet 1/s source would reach the warning rate.
	[ "$SCALE" -ge 1 ] && [ "$SCALE" -le 10 ] ||
		fail "SCALE $SCALE: alerts needs 1 to 10" || return 1
	warn=$((20 / SCALE)) fail=$((150 / SCALE))
	start_collectd alerts "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  $QUIET
  <Alert>
    Type \"echo_request\"
    WarningRate $warn
    FailureRate $fail
    Hysteresis 20
    Persist 2
  </Alert>
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered" || return 1
	# 50/s (50/SCALE) for 5 s, and a quiet source that never alerts.
	ping_from s1 5 1 198.51.100.1 &
	PINGS+=($!)
	ping_from s2 $((250 / SCALE)) "$(awk -v s="$SCALE" 'BEGIN { printf "%.2f", 0.02 * s }')" 198.51.100.1 || :
	wait_notification WARNING 198.51.100.20 "" 5 || return 1
	f=$(notification_file WARNING 198.51.100.20)
	grep -qx "Plugin: netlink_icmp" "$f" &&
		grep -qx "Type: packets" "$f" &&
		grep -qx "TypeInstance: echo_request" "$f" &&
		grep -qx "source: 198.51.100.20" "$f" &&
		grep -qx "icmp_type: echo_request" "$f" &&
		grep -q "^rate: " "$f" && grep -q "^threshold: " "$f" &&
		grep -q "^ICMP echo_request from 198.51.100.20: [0-9]* packets/s, above warning threshold $warn$" "$f" ||
		fail "WARNING fields: $(tr '\n' '|' <"$f")" || return 1
	wait_notification OKAY 198.51.100.20 "back below" 6 || return 1
	[ "$(notifications WARNING 198.51.100.20)" = 1 ] ||
		fail "$(notifications WARNING 198.51.100.20) WARNING notifications, want 1" ||
		return 1
	# A flood: at least 150/s (150/SCALE; ping -f, 4 s) trips FAILURE,
	# then clears.
	# Eight in flight: one at a time, a debug kernel's round trip held
	# ping -f to 142/s.
	ip netns exec s3 ping -q -f -l 8 -w 4 203.0.113.1 >/dev/null 2>&1 || :
	wait_notification FAILURE 203.0.113.30 "above failure threshold $fail" 5 ||
		return 1
	wait_notification OKAY 203.0.113.30 "" 6 || return 1
	[ "$(notifications WARNING 198.51.100.10)" = 0 ] ||
		fail "the quiet source alerted" || return 1
	wait_pings
}

# rmmod while collectd runs: FAILURE, collectd keeps running; insmod: OKAY,
# and the counts go on from where they were.
t_reload() {
	start_collectd reload "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  MinReads 1
  $QUIET
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered" || return 1
	ping_from s1 3 0.2 198.51.100.1
	wait_value 198.51.100.10 packets-echo_request 3 || return 1
	sleep 0.5
	rmmod netlink_icmp || fail "rmmod failed" || return 1
	wait_notification FAILURE "" "unloaded" 5 || return 1
	sleep 2
	alive || fail "collectd died without the module" || return 1
	insmod "$KO" flush_ms=$FLUSH_MS || fail "insmod failed" || return 1
	wait_notification OKAY "" "registered with the module again" 5 ||
		return 1
	[ "$(notifications FAILURE "")" = 1 ] ||
		fail "$(notifications FAILURE "") FAILURE notifications, want 1" ||
		return 1
	ping_from s1 4 0.2 198.51.100.1
	wait_value 198.51.100.10 packets-echo_request 7 || return 1
	alive || fail "collectd died"
}

# Started without the module: FAILURE, then OKAY once it is loaded.
t_absent() {
	rmmod netlink_icmp 2>/dev/null
	start_collectd absent "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  MinReads 1
  $QUIET
</Plugin>" || return 1
	wait_notification FAILURE "" "module not loaded" 5 || return 1
	alive || fail "collectd died without the module" || return 1
	wait_value all packets-undelivered 0 3 || return 1
	insmod "$KO" flush_ms=$FLUSH_MS || fail "insmod failed" || return 1
	wait_notification OKAY "" "registered with the module again" 5 ||
		return 1
	ping_from s3 2 0.2 203.0.113.1
	wait_value 203.0.113.30 packets-echo_request 2
}

# both_named A B: both sources have a series within 10 s (times SCALE).
both_named() {
	local i
	for i in $(seq $((50 * SCALE))); do
		[ "$(value "$1" packets-echo_request)" != none ] &&
			[ "$(value "$2" packets-echo_request)" != none ] && return 0
		sleep 0.2
	done
	fail "not both named: $1 $(value "$1" packets-echo_request), $2 $(value "$2" packets-echo_request)"
}

# More sources than MaxSources: two busy sources hold the two places and
# are exact by name, two light ones land in other, all stays exact.
t_other() {
	local n0 tracked p
	n0=$(nft_count)
	start_collectd other "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  MaxSources 2
  MinReads 1
  IPv6Prefix 128
  $QUIET
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered" || return 1
	baseline "$n0" || return 1
	# ping itself is $! (ip netns exec execs it): the check below and the
	# runner's clean-up reach it.
	ip netns exec s3 ping -q -n -c 400 -i 0.05 -W 2 203.0.113.1 \
		>/dev/null 2>&1 &
	PINGS+=($!)
	ip netns exec s6 ping -q -n -c 400 -i 0.05 -W 2 -I 2001:db8:1::10 \
		2001:db8:1::1 >/dev/null 2>&1 &
	PINGS+=($!)
	# The light ones come once the busy ones hold the places (a fixed
	# second was not enough for a debug kernel's slow process start),
	# while the busy ones still send.
	both_named 203.0.113.30 2001:db8:1::10 || return 1
	for p in "${PINGS[@]}"; do
		kill -0 "$p" 2>/dev/null ||
			fail "set-up too slow: a busy source stopped before both were named" ||
			return 1
	done
	ping_from s1 5 0.2 198.51.100.1 &
	PINGS+=($!)
	ping_from s2 5 0.2 198.51.100.1 &
	PINGS+=($!)
	wait_pings
	wait_value all packets-echo_request 810 || return 1
	wait_value 203.0.113.30 packets-echo_request 400 || return 1
	wait_value 2001:db8:1::10 packets-echo_request 400 || return 1
	wait_value other packets-echo_request 10 || return 1
	wait_value all count-sources 2 || return 1
	[ "$(value 198.51.100.10 packets-echo_request)" = none ] ||
		fail "a light source was named" || return 1
	all_exact || return 1
	tracked=$(instances | grep -vx -e all -e other | tr '\n' ' ')
	[ "$tracked" = "2001:db8:1::10 203.0.113.30 " ] ||
		fail "tracked now: $tracked"
}

# A spoofed flood from 1000 IPv6 /64s, 20 times MaxSources, at 2 packets/s
# each; one source sending 10 times that is named within two intervals,
# and all stays exact.
t_heavy() {
	local n0 i brmac
	[ -n "${FLOOD:-}" ] || fail "no icmpflood" || return 1
	brmac=$(cat /sys/class/net/br0/address)
	n0=$(nft_count)
	start_collectd heavy "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  MaxSources 50
  MinReads 1
  $QUIET
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered" || return 1
	baseline "$n0" || return 1
	ip netns exec s6 "$FLOOD" -i eth0 -m "$brmac" -d 2001:db8:1::1 \
		-n 1000 -r -R 2000 -t 8 -q >"$DIR/flood.out" 2>&1 &
	PINGS+=($!)
	sleep 3
	[ "$(value all count-sources)" = 50 ] ||
		fail "the flood did not fill the table: $(value all count-sources)" ||
		return 1
	ping_from s1 60 0.05 198.51.100.1 &
	PINGS+=($!)
	for i in $(seq 10); do
		[ "$(value 198.51.100.10 packets-echo_request)" != none ] && break
		sleep 0.25
	done
	[ "$(value 198.51.100.10 packets-echo_request)" != none ] ||
		fail "the 10x source was not named within 2.5 s" || return 1
	wait_pings
	all_exact "$(cat "$DIR/flood.out")" || return 1
	[ "$(value other packets-echo_request)" != none ] ||
		fail "nothing in other" || return 1
	log "flood: $(cat "$DIR/flood.out"); 10x source: $(value 198.51.100.10 packets-echo_request) of 60 by name"
}

# reads_between T0 T1: the plugin's reads (its csv rows for all's source
# count) stamped after T0 and up to T1, epoch seconds.
reads_between() {
	cat "$DIR/csv/guest/netlink_icmp-all"/count-sources-* 2>/dev/null |
		awk -F, -v a="$1" -v b="$2" '$1 + 0 > a && $1 + 0 <= b { n++ }
			END { print n + 0 }'
}

# Under attack, at the defaults that matter (the module's flush_ms 1000,
# Interval 5, MinReads 2), one collectd for two scenarios:
# 1. 150 spoofed IPv6 sources at 1 packet/s each (icmpflood, cycled),
#    and 198.51.100.10 at 5 times that, spread over 20 local addresses:
#    it is tracked and alerted (WarningRate 3) within 3 of the plugin's
#    reads (counted, not timed: a TCG guest's reads run late; 4 on a
#    debug kernel).
# 2. Then a 60 s random spoofed flood (a fresh /64 per packet, 400/s):
#    it adds at most 2 x MaxSources distinct netlink_icmp-<source> series
#    at the csv writer, and the flood is in other.
ATTACK_MAX=50
t_attack() {
	local brmac i t0 tn reads n series p f before ap=()
	[ -n "${FLOOD:-}" ] || fail "no icmpflood" || return 1
	brmac=$(cat /sys/class/net/br0/address)
	rmmod netlink_icmp 2>/dev/null
	insmod "$KO" || fail "insmod with the default flush_ms failed" ||
		return 1
	for i in $(seq 100 119); do ip addr add "198.51.100.$i/24" dev br0; done
	start_collectd attack "<LoadPlugin netlink_icmp>
  Interval 5
</LoadPlugin>
<Plugin netlink_icmp>
  MaxSources $ATTACK_MAX
  $QUIET
  <Alert>
    Type \"echo_request\"
    WarningRate 3
    FailureRate 1000
  </Alert>
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered" || return 1
	ip netns exec s6 "$FLOOD" -i eth0 -m "$brmac" -d 2001:db8:1::1 \
		-n 150 -R 150 -t 40 -q >"$DIR/background.out" 2>&1 &
	PINGS+=($!)
	sleep 12
	for i in $(seq 100 119); do
		ip netns exec s1 ping -n -D -c 6 -i 4 -W 2 "198.51.100.$i" \
			>"$DIR/attack-ping.$i" 2>&1 &
		PINGS+=($!)
		ap+=($!)
	done
	wait_notification WARNING 198.51.100.10 "above warning" 60 ||
		return 1
	f=$(notification_file WARNING 198.51.100.10)
	tn=$(awk '/^Time:/ { print $2 }' "$f")
	# From its first packet (process start-up in a slow guest is not the
	# plugin's delay): the first answer, by ping's own clock (-D). Read
	# once they are done (their output is buffered); polled for, on a
	# debug kernel the start came after the alert.
	for p in "${ap[@]}"; do wait "$p" 2>/dev/null; done
	t0=$(sed -n 's/^\[\([0-9.]*\)\] [0-9]* bytes from .*/\1/p' "$DIR"/attack-ping.* |
		sort -n | head -n 1)
	[ -n "$t0" ] || fail "no echo of 198.51.100.10 answered" || return 1
	reads=$(reads_between "$t0" "$tn")
	log "5x source alerted at the plugin's read $reads after it started"
	# On a kernel SCALE times slower (the debug kernel: 4) the first
	# flush (flush_ms 1000) reached the plugin after its next read, 1.8 s
	# after the first packet: one read more there.
	[ "$reads" -ge 1 ] && [ "$reads" -le $((SCALE > 1 ? 4 : 3)) ] ||
		fail "alerted at read $reads after it started, want $((SCALE > 1 ? 4 : 3)) at most (t0 $t0, alert $tn; reads: $(cat "$DIR/csv/guest/netlink_icmp-all"/count-sources-* | tr '\n' ' '); $(grep -h 'took' "$DIR/collectd.log" | cut -c1-90 | tr '\n' ' '))" ||
		return 1
	n=$(grep -h '^PluginInstance:' "$DIR"/notif/n.* | sort -u | tr '\n' ' ')
	[ "$n" = "PluginInstance: 198.51.100.10 " ] ||
		fail "notifications about: $n" || return 1
	wait_pings
	sleep 11
	# Named after MinReads reads: its series holds what came after its
	# probation, up to the 120 it sent.
	p=$(value 198.51.100.10 packets-echo_request)
	[ "$p" != none ] && [ "$p" -ge 60 ] && [ "$p" -le 120 ] ||
		fail "the 5x source's series holds $p of its 120" || return 1
	before=$(ls -1 "$DIR/csv/guest" | grep -c '^netlink_icmp-')

	ip netns exec s6 "$FLOOD" -i eth0 -m "$brmac" -d 2001:db8:1::1 \
		-n 268435456 -r -R 400 -t 60 -q >"$DIR/flood.out" 2>&1 ||
		fail "flood: $(cat "$DIR/flood.out")" || return 1
	sleep 11
	# The series the flood added (the 150 background sources really
	# kept sending: those that got series before are theirs).
	series=$(($(ls -1 "$DIR/csv/guest" | grep -c '^netlink_icmp-') - before))
	log "flood: $(cat "$DIR/flood.out"); $series per-source series added, $before before"
	[ "$series" -le $((2 * ATTACK_MAX)) ] ||
		fail "$series per-source series, want at most $((2 * ATTACK_MAX))" ||
		return 1
	p=$(value other packets-echo_request)
	[ "$p" != none ] && [ "$p" -ge 10000 ] ||
		fail "the flood is not in other: $p" || return 1
	for i in $(seq 100 119); do ip addr del "198.51.100.$i/24" dev br0; done
	stop_collectd
	rmmod netlink_icmp
}

listeners() {
	"$CTL" stats | awk '$1 == "listeners" { print $2 }'
}

# collectd's shutdown unregisters the plugin and joins its thread: the
# daemon exits at once and the module has no listener left.
t_shutdown() {
	local i
	start_collectd shutdown "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  $QUIET
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered" || return 1
	[ "$(listeners)" = 1 ] || fail "listeners: $(listeners), want 1" ||
		return 1
	ping_from s1 3 0.2 198.51.100.1
	kill "$CPID"
	for i in $(seq 25); do
		alive || break
		sleep 0.2
	done
	alive && fail "collectd still running 5 s after SIGTERM" && return 1
	grep -q "Exiting normally" "$DIR/collectd.log" ||
		fail "no clean exit: $(tail -n 3 "$DIR/collectd.log")" || return 1
	[ "$(listeners)" = 0 ] || fail "listeners after exit: $(listeners)"
}

# A bad value: init fails naming key and value, collectd runs on.
t_badconfig() {
	start_collectd badconfig "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  IPv4Prefix 40
</Plugin>" || return 1
	grep -q "netlink_icmp plugin: invalid value for IPv4Prefix: 40" \
		"$DIR/collectd.log" || fail "no message naming IPv4Prefix 40" ||
		return 1
	grep -q "Initialization of plugin \`netlink_icmp' failed" \
		"$DIR/collectd.log" || fail "init did not fail" || return 1
	sleep 1
	alive || fail "collectd exited"
}

# ---- learned, aggregate and ICMP-class alerts (one collectd) ----

# One collectd for the three tests below (each starts it if run alone):
# a baseline on s1's echo requests, the sum of 198.51.100.0/24 beside a
# per-source rule at the same rate, and pmtu at 5/s, with MaxSources 8 so
# most of a distributed flood is never tracked by name; MinReads 1, so
# the per-source counts checked below are whole from the first read.
kinds_collectd() {
	if [ -n "$CPID" ] && [ "$DIR" = "$work/kinds" ] && alive; then
		return 0
	fi
	stop_collectd
	start_collectd kinds "LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  MaxSources 8
  MinReads 1
  $QUIET
  <Alert>
    Type \"echo_request\"
    Source \"198.51.100.10\"
    Baseline true
    LearnFor 6
    MinRate 20
  </Alert>
  <Alert>
    Type \"echo\"
    Source \"198.51.100.0/24\"
    Aggregate true
    WarningRate 200
    FailureRate 100000
  </Alert>
  <Alert>
    Type \"echo\"
    Source \"198.51.100.0/24\"
    WarningRate 200
    FailureRate 100000
  </Alert>
  <Alert>
    Type \"pmtu\"
    WarningRate 5
    FailureRate 100000
  </Alert>
</Plugin>" || return 1
	wait_log "registered as listener" 5 || fail "not registered"
}

# alert_fields FILE TYPE SOURCE SCOPE: the fields every alert notification
# has, its Type and its subject.
alert_fields() {
	grep -qx "Plugin: netlink_icmp" "$1" &&
		grep -qx "Type: packets" "$1" &&
		grep -qx "TypeInstance: $2" "$1" &&
		grep -qx "icmp_type: $2" "$1" &&
		grep -qx "source: $3" "$1" &&
		grep -qx "scope: $4" "$1" &&
		[ -n "$(meta_num "$1" rate)" ] && [ -n "$(meta_num "$1" threshold)" ]
}

# meta_of FILE NAME: a meta data item of a notification file; exec
# writes numbers as %e, meta_num prints them as %g.
meta_of() {
	sed -n "s/^$2: //p" "$1" | head -n 1
}
meta_num() {
	meta_of "$1" "$2" | awk 'NF { printf "%g\n", $1 }'
}

# A steady 5/s is learned (LearnFor 6); a step to 100/s raises FAILURE
# against the learned baseline (or MinRate 20 when that is higher), with
# what it learned in the message and meta data; back
# at 5/s, OKAY. Then the module is unloaded and loaded again: the next
# step fires at once, against the same baseline (a fresh one would have
# to learn for 6 s first, and would learn the step).
t_baseline_alert() {
	local f i n
	KEEP=1
	kinds_collectd || return 1
	ping_from s1 200 0.2 198.51.100.1 &
	PINGS+=($!)
	sleep 9
	[ "$(notifications FAILURE 198.51.100.10)$(notifications WARNING 198.51.100.10)" = 00 ] ||
		fail "notified while learning: $(cat "$DIR"/notif/n.*)" ||
		return 1
	ping_from s1 300 0.01 198.51.100.1 || :
	wait_notification FAILURE 198.51.100.10 "" 5 || return 1
	f=$(notification_file FAILURE 198.51.100.10)
	# The threshold is what the baseline and spread in the notification
	# make: mean + FailureDeviations (10) x spread (at least 10 % of the
	# mean), not below MinRate (20); the rate reached it.
	alert_fields "$f" echo_request 198.51.100.10 source &&
		awk -v b="$(meta_num "$f" baseline)" -v d="$(meta_num "$f" deviation)" \
			-v t="$(meta_num "$f" threshold)" -v r="$(meta_num "$f" rate)" \
			'BEGIN { s = d > b / 10 ? d : b / 10; e = b + 10 * s
				if (e < 20) e = 20
				exit !(b >= 2 && b <= 8 && t > e - 0.01 &&
				       t < e + 0.01 && r >= t) }' &&
		grep -q "^ICMP echo_request from 198.51.100.10: [0-9]* packets/s, above failure threshold [0-9.]* (baseline [0-9.]* packets/s, spread [0-9.]*)$" "$f" ||
		fail "FAILURE fields: $(tr '\n' '|' <"$f")" || return 1
	wait_notification OKAY 198.51.100.10 "back below" 6 || return 1
	# (A sender starved of CPU may ramp up instead of stepping, so a
	# WARNING may come first, and a burst may reach FAILURE twice.)
	n=$(notifications FAILURE 198.51.100.10 "(baseline")
	rmmod netlink_icmp || fail "rmmod failed" || return 1
	insmod "$KO" flush_ms=$FLUSH_MS || fail "insmod failed" || return 1
	wait_log "registered with the module again" 5 ||
		fail "not registered again" || return 1
	ping_from s1 300 0.01 198.51.100.1 || :
	for i in $(seq 25); do
		[ "$(notifications FAILURE 198.51.100.10 "(baseline")" -gt "$n" ] &&
			break
		sleep 0.2
	done
	[ "$(notifications FAILURE 198.51.100.10 "(baseline")" -gt "$n" ] ||
		fail "no FAILURE on the step after the module reload" ||
		return 1
	kill "${PINGS[@]}" 2>/dev/null
	wait_pings
}

# ICMP errors a router sends when a packet is too big for the next hop:
# IPv4 fragmentation needed (3/4) and ICMPv6 packet too big, each at 30/s,
# trip pmtu at 5/s; port unreachable (3/3) at the same rate does not. The
# metrics keep the type names (ReportCodes is off).
t_pmtu_alert() {
	local f
	KEEP=1
	kinds_collectd || return 1
	ip netns exec s2 "$top/tests/plugin/icmp_errors.py" frag_needed \
		198.51.100.1 90 30 &
	PINGS+=($!)
	ip netns exec s6 "$top/tests/plugin/icmp_errors.py" packet_too_big \
		2001:db8:1::1 90 30 &
	PINGS+=($!)
	ip netns exec s3 "$top/tests/plugin/icmp_errors.py" port_unreach \
		203.0.113.1 90 30 &
	PINGS+=($!)
	wait_pings
	wait_notification WARNING 198.51.100.20 "ICMP pmtu" 5 || return 1
	wait_notification WARNING 2001:db8:1::_64 "ICMP pmtu" 5 || return 1
	f=$(notification_file WARNING 198.51.100.20)
	alert_fields "$f" pmtu 198.51.100.20 source &&
		[ "$(meta_num "$f" threshold)" = 5 ] &&
		grep -q "^ICMP pmtu from 198.51.100.20: [0-9]* packets/s, above warning threshold 5$" "$f" ||
		fail "pmtu fields: $(tr '\n' '|' <"$f")" || return 1
	[ "$(notifications WARNING 203.0.113.30)" = 0 ] ||
		fail "port unreachable counted as pmtu" || return 1
	wait_value 198.51.100.20 packets-dest_unreach 90 || return 1
	wait_value 203.0.113.30 packets-dest_unreach 90 || return 1
	wait_value 2001:db8:1::_64 packets-packet_too_big 90 || return 1
	wait_notification OKAY 198.51.100.20 "ICMP pmtu" 6
}

# 50 spoofed sources of 198.51.100.0/24 at 10/s each (500/s together):
# the sum fires at 200/s while no source does, although MaxSources 8
# leaves most of them untracked; the top sources are named.
t_aggregate_alert() {
	local f brmac before
	KEEP=1
	[ -n "${FLOOD:-}" ] || fail "no icmpflood" || return 1
	kinds_collectd || return 1
	brmac=$(cat /sys/class/net/br0/address)
	# What the per-source echo rule said before (a burst of the baseline
	# test may have reached it): the flood must add nothing.
	before=$(source_echo_warnings)
	ip netns exec s3 "$FLOOD" -i eth0 -m "$brmac" -d 198.51.100.1 \
		-n 50 -R 500 -t 5 -c 2500 -q >"$DIR/flood.out" 2>&1 ||
		fail "icmpflood: $(cat "$DIR/flood.out")" || return 1
	wait_notification WARNING 198.51.100.0_24 "(sum)" 5 || return 1
	f=$(notification_file WARNING 198.51.100.0_24)
	alert_fields "$f" echo 198.51.100.0/24 network &&
		[ "$(meta_num "$f" threshold)" = 200 ] &&
		awk -v r="$(meta_num "$f" rate)" 'BEGIN { exit !(r >= 200) }' &&
		grep -q "^top1: 198\.51\.100\.[0-9]*$" "$f" &&
		grep -q "^top3: 198\.51\.100\.[0-9]*$" "$f" &&
		awk -v a="$(meta_num "$f" top1_rate)" \
			-v c="$(meta_num "$f" top3_rate)" \
			'BEGIN { exit !(a > 0 && c > 0 && a >= c) }' &&
		grep -q "^ICMP echo from 198.51.100.0/24 (sum): [0-9]* packets/s, above warning threshold 200; top: 198.51.100.[0-9]* [0-9]*/s, " "$f" ||
		fail "aggregate fields: $(tr '\n' '|' <"$f")" || return 1
	[ "$(source_echo_warnings)" = "$before" ] ||
		fail "a source alerted on its own: before '$before', now '$(source_echo_warnings)'" ||
		return 1
	[ "$(value all count-sources)" -le 8 ] ||
		fail "count-sources $(value all count-sources)" || return 1
	wait_notification OKAY 198.51.100.0_24 "(sum)" 6
}

# ---- runner ----

passed=0 failed=0 KEEP=''
run() {
	local name=$1 p t0=$SECONDS
	case " ${NLICMP_TESTS:-$name} " in
	*" $name "*) ;;
	*) return ;;
	esac
	REASON=''
	lsmod | grep -q '^netlink_icmp ' || insmod "$KO" flush_ms=$FLUSH_MS
	if "t_$name"; then
		echo "PASS $name ($((SECONDS - t0)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name: ${REASON:-failed} ($((SECONDS - t0)) s)"
		failed=$((failed + 1))
		[ -f "$DIR/collectd.log" ] && tail -n 15 "$DIR/collectd.log" | sed 's/^/    /' >&2
	fi
	# A test that shares its collectd with the next says KEEP=1.
	[ -n "$KEEP" ] || stop_collectd
	KEEP=''
	for p in "${PINGS[@]}"; do kill "$p" 2>/dev/null; done
	wait_pings
}

trap cleanup EXIT
if ! setup; then
	echo "FAIL setup: could not build the topology or load the module"
	echo "0 passed, 1 failed"
	exit 1
fi
run exact
run alerts
run reload
run absent
run other
run heavy
run shutdown
run badconfig
run attack
run baseline_alert
run pmtu_alert
run aggregate_alert
echo "$passed passed, $failed failed"
[ $failed = 0 ]
