#!/bin/bash
# The demo's guest half (scripts/demo.sh boots the guest and runs this):
# loads the module, starts collectd with the plugin, starts bounded ICMP
# traffic from four kinds of source in their own network namespaces and
# prints what collectd sees, every two seconds, with the alerts it raised.
#
#   scripts/demo-guest.sh KVER SECONDS [CLEAR]   CLEAR=1: redraw in place
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kver=$1
duration=$2
work=/tmp/nlicmp-demo
alerts=$work/alerts.log
clear_screen=${3:-0}

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -f "$work/collectd.pid" ] && kill "$(cat "$work/collectd.pid")" 2>/dev/null
	wait 2>/dev/null || true
	rmmod netlink_icmp 2>/dev/null || true
}
trap cleanup EXIT

mkdir -p "$work/plugins" "$work/collectd"
# Several flushes per collectd interval keep the per-interval rates smooth.
insmod "$top/build/kmod/$kver/netlink_icmp.ko" flush_ms=200

# Sources: one namespace each, on a bridge in the host's namespace.
ip link add br0 type bridge
ip link set br0 up
ip addr add 198.51.100.1/24 dev br0
ip addr add 203.0.113.1/24 dev br0
ip addr add 2001:db8:1::1/64 dev br0 nodad
n=0
add_source() { # name address...
	local ns=$1; shift
	n=$((n + 1))
	ip netns add "$ns"
	ip link add "veth$n" type veth peer name eth0 netns "$ns"
	ip link set "veth$n" master br0 up
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	local a
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a/64" dev eth0 nodad ;;
		*) ip -n "$ns" addr add "$a/24" dev eth0 ;;
		esac
	done
}
add_source quiet 198.51.100.10
add_source busy 198.51.100.20
add_source flood 203.0.113.66
add_source lan6 2001:db8:1::10 2001:db8:1::20 2001:db8:1::30

# collectd has one PluginDir and loads regular files only: copy what the
# demo loads. collectd runs as root; exec runs the alert hook as nobody.
for p in logfile csv exec; do cp "/usr/lib/collectd/$p.so" "$work/plugins/"; done
cp "$top/plugin/.libs/netlink_icmp.so" "$work/plugins/netlink_icmp.so"
: >"$alerts"
chown nobody "$alerts"
cat >"$work/collectd.conf" <<CONF
Hostname "demo-host"
BaseDir "$work/collectd"
PIDFile "$work/collectd.pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db"
Interval 2
LoadPlugin logfile
<Plugin logfile>
  File "$work/collectd.log"
  LogLevel info
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$work/csv"
  StoreRates true
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "$top/scripts/demo-alert.sh" "$alerts"
</Plugin>
LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  IPv6Prefix 64
  <Alert>
    Type "echo_request"
    WarningRate 100
    FailureRate 500
    Hysteresis 20
    Persist 2
  </Alert>
</Plugin>
CONF
collectd -C "$work/collectd.conf" -f >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -d "$work/csv" ] && break; sleep 0.2; done

# Traffic, every stream bounded by a deadline (-w).
ping_from() { # ns deadline args...
	local ns=$1 w=$2; shift 2
	ip netns exec "$ns" ping -q -w "$w" "$@" >/dev/null 2>&1 &
	pids+=($!)
}
flood_at=$((duration / 4))
flood_for=$((duration / 3))
live=$((duration + 5))
ping_from quiet "$live" -i 1 198.51.100.1
ping_from busy "$live" -i 0.02 198.51.100.1
for a in 10 20 30; do
	ping_from lan6 "$live" -i 0.2 -I "2001:db8:1::$a" 2001:db8:1::1
done
( sleep "$flood_at"
  exec ip netns exec flood ping -q -i 0.001 -l 8 -w "$flood_for" 203.0.113.1 ) >/dev/null 2>&1 &
pids+=($!)

# The newest line of each csv file (StoreRates: packets/s, bytes/s), read
# by one awk per frame: cheap even while the flood keeps the guest busy.
# Prints "source packets/s bytes/s types", then "undelivered R", "sources N".
rates() {
	local files
	files=$(find "$work/csv" -type f -name '*-[0-9]*' 2>/dev/null)
	[ -n "$files" ] || return 0
	# shellcheck disable=SC2086 # paths without spaces, made by collectd
	awk -F, 'FNR > 1 { last[FILENAME] = $2 }
	     END {
		for (f in last) {
			n = split(f, part, "/")
			inst = part[n - 1]; sub(/^netlink_icmp-/, "", inst)
			val = part[n]; sub(/-[0-9]+-[0-9]+-[0-9]+$/, "", val)
			v = last[f] + 0
			if (val == "count-sources") { printf "sources %.0f\n", v; continue }
			if (val == "packets-undelivered") { printf "undelivered %.1f\n", v; continue }
			if (val == "total_bytes") { bytes[inst] = v; seen[inst] = 1; continue }
			if (val !~ /^packets-/) continue
			t = substr(val, 9); seen[inst] = 1; pps[inst] += v
			if (v >= 0.05)
				types[inst] = types[inst] sprintf("%s%s %.1f", types[inst] ? ", " : "", t, v)
		}
		for (i in seen)
			printf "%-22s %10.1f %10.0f  %s\n", i, pps[i], bytes[i], types[i]
	     }' $files | sort -k2,2nr
}

show() { # seconds elapsed
	local t=$1 table
	table=$(rates)
	[ "$clear_screen" = 1 ] && printf '\033[H\033[2J'
	printf '\nnetlink_icmp demo, %ss of %ss. This guest is pinged from network namespaces:\n' "$t" "$duration"
	printf '  a quiet host 198.51.100.10 (1/s), a busy one 198.51.100.20 (50/s),\n'
	printf '  three IPv6 hosts in 2001:db8:1::/64 (5/s each, shown as one /64: IPv6Prefix 64),\n'
	printf '  and a flood from 203.0.113.66 between %ss and %ss (alert: WARNING at 100/s,\n' "$flood_at" "$((flood_at + flood_for))"
	printf '  FAILURE at 500/s, for 2 intervals of 2 s; OKAY when it stops). "all" is the host total.\n\n'
	printf '%-22s %10s %10s  %s\n' SOURCE PACKETS/S BYTES/S 'BY ICMP TYPE (packets/s)'
	grep -v -e '^undelivered ' -e '^sources ' <<<"$table"
	printf '\nsources tracked: %s   packets the kernel could not deliver: %s/s\n' \
		"$(sed -n 's/^sources //p' <<<"$table")" \
		"$(sed -n 's/^undelivered //p' <<<"$table")"
	printf '\nALERTS (collectd notifications, newest last):\n'
	tail -n 8 "$alerts" | sed 's/^/  /'
}

start=$(date +%s)
while :; do
	now=$(( $(date +%s) - start ))
	[ "$now" -ge "$duration" ] && break
	show "$now"
	sleep 2
done
show "$duration"
printf '\nkernel counters (nlicmpctl stats):\n'
"$top/plugin/nlicmpctl" stats | sed 's/^/  /'
cat <<'EOF2'

What you saw: the module counted every ICMP packet this guest received and
handed them, batched, to collectd's netlink_icmp plugin, which turned them
into per-source rates (the table) and raised WARNING, FAILURE and OKAY
notifications when the flood crossed and left the thresholds. "seen" above
is every ICMP packet the kernel saw; the listener line says how many reached
collectd (delivered) and how many could not (undelivered).
Done: the guest, its namespaces and collectd go away now.
EOF2
