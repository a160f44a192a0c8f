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
sock=$work/collectd.sock
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
insmod "$top/build/kmod/$kver/netlink_icmp.ko" flush_ms=1000

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
for p in logfile unixsock exec; do cp "/usr/lib/collectd/$p.so" "$work/plugins/"; done
cp "$top/plugin/.libs/netlink_icmp.so" "$work/plugins/netlink_icmp.so"
: >"$alerts"
chown nobody "$alerts"
cat >"$work/collectd.conf" <<CONF
Hostname "demo-host"
BaseDir "$work/collectd"
PIDFile "$work/collectd.pid"
PluginDir "$work/plugins"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin logfile
<Plugin logfile>
  File "$work/collectd.log"
  LogLevel info
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$sock"
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
    FailureRate 1000
    Hysteresis 20
    Persist 2
  </Alert>
</Plugin>
CONF
collectd -C "$work/collectd.conf" -f >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.2; done

# Traffic, every stream bounded by a deadline (-w).
ping_from() { # ns deadline args...
	local ns=$1 w=$2; shift 2
	ip netns exec "$ns" ping -q -w "$w" "$@" >/dev/null 2>&1 &
	pids+=($!)
}
flood_at=$((duration / 4))
flood_for=$((duration / 3))
ping_from quiet "$duration" -i 1 198.51.100.1
ping_from busy "$duration" -i 0.02 198.51.100.1
for a in 10 20 30; do
	ping_from lan6 "$duration" -i 0.2 -I "2001:db8:1::$a" 2001:db8:1::1
done
( sleep "$flood_at"
  exec ip netns exec flood ping -q -f -w "$flood_for" 203.0.113.1 ) >/dev/null 2>&1 &
pids+=($!)

value() { collectdctl -s "$sock" getval "$1" 2>/dev/null | sed -n 's/^value=//p'; }

show() { # seconds elapsed
	local t=$1 inst type v
	[ "$clear_screen" = 1 ] && printf '\033[H\033[2J'
	printf '\nnetlink_icmp demo, %ss of %ss. Sources ping this guest from their own\n' "$t" "$duration"
	printf 'namespaces: quiet 198.51.100.10 (1/s), busy 198.51.100.20 (50/s),\n'
	printf 'three IPv6 hosts in 2001:db8:1::/64 (5/s each, shown as one /64),\n'
	printf 'and a flood from 203.0.113.66 between %ss and %ss.\n\n' "$flood_at" "$((flood_at + flood_for))"
	printf '%-22s %-16s %12s %12s\n' SOURCE TYPE PACKETS/S BYTES/S
	collectdctl -s "$sock" listval 2>/dev/null |
		sed -n 's|^demo-host/netlink_icmp-\([^/]*\)/packets-\(.*\)$|\1 \2|p' |
		sort | while read -r inst type; do
			v=$(value "demo-host/netlink_icmp-$inst/packets-$type")
			[ "$type" = undelivered ] && continue
			printf '%-22s %-16s %12.1f %12.0f\n' "$inst" "$type" "${v:-0}" \
				"$(value "demo-host/netlink_icmp-$inst/total_bytes" || echo 0)"
		done
	v=$(value "demo-host/netlink_icmp-all/count-sources")
	printf '\nsources tracked: %s   undelivered packets/s: %s\n' "${v:-?}" \
		"$(value demo-host/netlink_icmp-all/packets-undelivered)"
	printf '\nALERTS (collectd notifications):\n'
	tail -n 6 "$alerts" | sed 's/^/  /'
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
printf '\nDone: the guest, its namespaces and collectd go away now.\n'
