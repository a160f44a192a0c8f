#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The guest half of tests/backends/run.sh (runs as root in the VM, whose only
# network is loopback plus the namespaces made here).
#
# Environment: KO (netlink_icmp.ko), PLUGIN_SO (netlink_icmp.so), OUT (a
# directory shared with the host: the whisper files go there for the
# graphite-web half, which runs on the host, with graphite.expect, the
# Graphite expectations from the traffic actually sent);
# NLICMP_VM_TIMEOUT_SCALE (vm.sh passes it on; default 1): a slow (debug)
# kernel's factor, which scales collectd's Interval, Prometheus' scrape
# interval, the light sources' pace and every wait below.
#
# Layout (addresses from the documentation prefixes only):
#   main netns = host "edge-a": module + collectd with the plugin, writing
#       to carbon (write_graphite), serving /metrics (write_prometheus,
#       :9103) and sending to InfluxDB's collectd input (network plugin)
#     a1 --veth-- 198.51.100.7/26, 2001:db8:a::7/64 -> 198.51.100.1, 2001:db8:a::1
#     a2 --veth-- 198.51.100.70/26 -> 198.51.100.65
#   main netns also runs the central collectd ("central"): network plugin
#       listening on 203.0.113.1, forwarding to InfluxDB, carbon and its
#       own /metrics (:9104); carbon-cache, influxd, prometheus (scraping
#       :9103 and :9104) on 127.0.0.1.
#   netns edgeb = host "edge-b": module (its own netns state) + collectd
#       with the plugin (MaxSources 2), sending to 203.0.113.1 (network)
#     edgeb 203.0.113.2/28 --veth-- 203.0.113.1/28 main
#     b1 --veth-- 203.0.113.18..21/28 -> 203.0.113.17 (edgeb)
# Prints PASS/FAIL lines; the host counts them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
NLB_DIR=$(mktemp -d /tmp/nlb.XXXXXX)
chmod 755 "$NLB_DIR"
# shellcheck source=lib/servers.sh
. "$here/lib/servers.sh"

T0=$(date +%s)
# A debug kernel under TCG runs 5-10 times slower: at collectd's Interval 1
# its reads took 1-7 s, the catch-up reads that followed bunched values
# and the backends saw them out of order.  S scales the intervals and waits.
S=${NLICMP_VM_TIMEOUT_SCALE:-1}
case $S in '' | *[!0-9]* | 0) echo "FAIL setup: NLICMP_VM_TIMEOUT_SCALE '$S' is not a positive integer"; exit 1 ;; esac
# shellcheck disable=SC2034 # used by lib/servers.sh
NLB_PROM_SCRAPE_S=$S
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
elapsed() { echo $(($(date +%s) - T0)); }

cleanup() {
	nlb_stop_all
	for ns in a1 a2 b1 edgeb; do ip netns del "$ns" 2>/dev/null; done
}
trap cleanup EXIT

# Bail out of the whole run: what follows depends on it.
abort() {
	fail "$1" "$2"
	for f in "$NLB_DIR"/log/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

# ------------------------------------------------------------ network --

setup_net() {
	ip link set lo up
	ip netns add a1 && ip netns add a2 && ip netns add edgeb && ip netns add b1 || return 1
	for ns in edgeb b1; do
		# edge-b watches IPv4 only: no IPv6 neighbour discovery noise
		# competing for its two source slots.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	for ns in a1 a2 edgeb b1; do ip -n "$ns" link set lo up || return 1; done

	ip link add va1 type veth peer name eth0 netns a1 &&
		ip addr add 198.51.100.1/26 dev va1 &&
		ip addr add 2001:db8:a::1/64 dev va1 nodad &&
		ip link set va1 up &&
		ip -n a1 addr add 198.51.100.7/26 dev eth0 &&
		ip -n a1 addr add 2001:db8:a::7/64 dev eth0 nodad &&
		ip -n a1 link set eth0 up || return 1

	ip link add va2 type veth peer name eth0 netns a2 &&
		ip addr add 198.51.100.65/26 dev va2 && ip link set va2 up &&
		ip -n a2 addr add 198.51.100.70/26 dev eth0 &&
		ip -n a2 link set eth0 up || return 1

	ip link add vb type veth peer name eth0 netns edgeb &&
		ip addr add 203.0.113.1/28 dev vb && ip link set vb up &&
		ip -n edgeb addr add 203.0.113.2/28 dev eth0 &&
		ip -n edgeb link set eth0 up || return 1

	ip -n edgeb link add vb1 type veth peer name eth0 netns b1 &&
		ip -n edgeb addr add 203.0.113.17/28 dev vb1 &&
		ip -n edgeb link set vb1 up || return 1
	for a in 18 19 20 21; do
		ip -n b1 addr add "203.0.113.$a/28" dev eth0 || return 1
	done
	ip -n b1 link set eth0 up
}

# --------------------------------------------------------- collectd --

collectd_common() {	# HOSTNAME
	# One write thread: values reach the cache (uc_update runs in the
	# write threads), the writers and the network in the order they were
	# read.  With collectd's 5, two reads close together (a read slower
	# than the Interval is followed by one at once) were written out of
	# order: the older value refused as "too old" by the cache, and
	# write_graphite's StoreRates, which takes the cache's current rate,
	# wrote one read's rate under another's time (on a debug kernel a third
	# of 198.51.100.7's pings were missing from its Graphite rates).
	cat <<EOF
Hostname "$1"
FQDNLookup false
Interval $S
WriteThreads 1
PluginDir "$NLB_DIR/plugins"
TypesDB "/usr/share/collectd/types.db"
BaseDir "$NLB_DIR/$1"
PIDFile "$NLB_DIR/$1/collectd.pid"
LoadPlugin logfile
<Plugin logfile>
  File STDOUT
  LogLevel info
  Timestamp true
</Plugin>
EOF
}

# The guest's whole run (vm.sh -t 900, scaled).
SOURCE_TIMEOUT=$((900 * S))

write_configs() {
	mkdir -p "$NLB_DIR/plugins" "$NLB_DIR/edge-a" "$NLB_DIR/edge-b" "$NLB_DIR/central"
	# collectd has one PluginDir and loads regular files only: copy the
	# plugins these configs use next to the one under test.
	for p in logfile network write_graphite write_prometheus; do
		cp "/usr/lib/collectd/$p.so" "$NLB_DIR/plugins/" || return 1
	done
	cp "$PLUGIN_SO" "$NLB_DIR/plugins/netlink_icmp.so" || return 1

	# edge-a: the writer examples from conf/, included as shipped.
	{
		collectd_common edge-a
		cat <<EOF
LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  Family "any"
  MaxSources 1000
  # exact per-source counts from the first read (no probation)
  MinReads 1
  # Longer than the run: the checks read the sources after the traffic,
  # which on a slow kernel took longer than the default 300 s.
  SourceTimeout $SOURCE_TIMEOUT
  IgnoreSource "127.0.0.0/8"
  IgnoreSource "fe80::/10"
</Plugin>
Include "$top/conf/write_graphite.conf"
Include "$top/conf/write_prometheus.conf"
Include "$top/conf/network-influxdb.conf"
EOF
	} >"$NLB_DIR/edge-a.conf"

	# edge-b: a second host; only the network plugin leaves it.
	{
		collectd_common edge-b
		cat <<EOF
LoadPlugin netlink_icmp
<Plugin netlink_icmp>
  Family "ipv4"
  MaxSources 2
  MinReads 1
  SourceTimeout $SOURCE_TIMEOUT
  # Low enough for the busy sources below (20/s asked; 3-9/s on a debug
  # kernel): the alert is raised here, at the edge, and travels to the
  # central collectd as a notification.
  <Alert>
    Type "echo_request"
    Source "203.0.113.16/28"
    WarningRate 3
    FailureRate 1000
    Persist 1
  </Alert>
</Plugin>
<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
  <Server "203.0.113.1" "25826">
  </Server>
</Plugin>
EOF
	} >"$NLB_DIR/edge-b.conf"

	# central: receives edges, forwards to InfluxDB, writes to carbon
	# and serves /metrics for Prometheus.  No read plugins of its own.
	{
		collectd_common central
		cat <<EOF
<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
  <Listen "203.0.113.1" "25826">
  </Listen>
  <Server "127.0.0.1" "25826">
  </Server>
  Forward true
</Plugin>
Include "$top/conf/write_graphite.conf"
LoadPlugin write_prometheus
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "9104"
</Plugin>
EOF
	} >"$NLB_DIR/central.conf"
}

metrics_has() {	# URL STRING
	curl -sf --max-time $((5 * S)) "$1" | grep -qF "$2"
}

udp_listening() {	# ADDR:PORT
	ss -Hlun | grep -qF "$1"
}

carbon_clients() {	# N: established connections to carbon's line port
	[ "$(ss -Htn state established "( sport = :$NLB_CARBON_PORT )" | wc -l)" -ge "$1" ]
}

# -------------------------------------------------------------- run --

setup_net || abort setup "network namespaces"
insmod "$KO" || abort setup "insmod $KO"
write_configs || abort setup "collectd plugins"
for c in central edge-a edge-b; do
	collectd -t -C "$NLB_DIR/$c.conf" >"$NLB_DIR/$c.conftest" 2>&1 ||
		abort setup "collectd -t $c.conf: $(tail -n 3 "$NLB_DIR/$c.conftest")"
done

nlb_start_carbon
nlb_start_influxd
nlb_start_prometheus 127.0.0.1:9103 127.0.0.1:9104
nlb_wait_alive influxd influxd $((480 * S)) 0.5 nlb_http_ok "http://127.0.0.1:$NLB_INFLUX_HTTP_PORT/ping" ||
	abort servers "influxd did not answer /ping"
nlb_wait_alive prometheus prometheus $((480 * S)) 0.5 nlb_http_ok "http://127.0.0.1:$NLB_PROM_PORT/-/ready" ||
	abort servers "prometheus not ready"
echo "influxd, prometheus ready after $(elapsed) s" >&2

# Receivers first: a datagram to a closed port would draw an ICMP port
# unreachable that the plugin would then count.  carbon-cache (Python,
# slow to start under TCG) may come later: write_graphite reconnects, and
# the traffic below waits for it.
nlb_start_collectd central "$NLB_DIR/central.conf"
nlb_wait_alive central central-listen $((240 * S)) 0.5 udp_listening 203.0.113.1:25826 ||
	abort collectd "central collectd not listening on 203.0.113.1:25826"
nlb_start_collectd edge-a "$NLB_DIR/edge-a.conf"
nlb_start_collectd edge-b "$NLB_DIR/edge-b.conf" edgeb
nlb_wait_alive edge-a edge-a $((240 * S)) 0.5 metrics_has http://127.0.0.1:9103/metrics \
	'collectd_netlink_icmp_count{netlink_icmp="all",type="sources",instance="edge-a"}' ||
	abort collectd "edge-a: no netlink_icmp values on :9103"
nlb_wait_alive edge-b edge-b $((240 * S)) 0.5 metrics_has http://127.0.0.1:9104/metrics \
	'collectd_netlink_icmp_count{netlink_icmp="all",type="sources",instance="edge-b"}' ||
	abort collectd "edge-b: no netlink_icmp values via central on :9104"
echo "collectd instances reporting after $(elapsed) s" >&2
nlb_wait_alive carbon carbon $((480 * S)) 0.5 nlb_tcp_open 127.0.0.1 "$NLB_CARBON_PORT" ||
	abort servers "carbon-cache not listening"
# write_graphite retries its connection when it next flushes; see both
# writers connected before the traffic starts.
nlb_wait carbon-clients $((120 * S)) 0.5 carbon_clients 2 ||
	abort servers "edge-a and central did not connect to carbon-cache"
echo "carbon ready after $(elapsed) s" >&2
pass servers_start

# Known traffic.  Each ping's summary goes to $PINGS/TAG: what it sent, and
# in what time (edge-b's busy sources send until stopped; Graphite's
# tolerance is one interval at each source's actual pace).
PINGS=$NLB_DIR/pings
mkdir -p "$PINGS"
# ping_n TAG NS COUNT ARGS...: COUNT pings, $PING_INTERVAL apart, -W 1 for
# the last reply.
ping_n() {
	local tag=$1 ns=$2 n=$3
	shift 3
	ip netns exec "$ns" ping -q -n -c "$n" -i "$PING_INTERVAL" -W 1 "$@" >"$PINGS/$tag" 2>&1
}
sent() { sed -n 's/^\([0-9][0-9]*\) packets transmitted.*/\1/p' "$PINGS/$1"; }
sent_ms() { sed -n 's/^[0-9][0-9]* packets transmitted.*, time \([0-9][0-9]*\)ms.*/\1/p' "$PINGS/$1"; }
# tol TAG...: what the sources TAG... send in one collectd interval at the
# pace they kept, rounded up, plus one (Graphite's rates integrate to the
# count within one interval, see run.sh).
tol() {
	local t rates=""
	for t in "$@"; do rates="$rates $(sent "$t"):$(sent_ms "$t")"; done
	awk -v s="$S" -v rates="$rates" 'BEGIN {
		k = split(rates, r, " ")
		for (i = 1; i <= k; i++) {
			split(r[i], f, ":")
			sum += f[2] > 0 ? (f[1] - 1) * 1000 / f[2] : f[1]
		}
		x = sum * s
		print int(x) + (x > int(x)) + 1
	}'
}
# 5 packets/s per source, so every count spans several intervals; divided
# by S as the Interval is multiplied, so that a count spans as many
# intervals as on a stock kernel and Graphite's tolerance stays one
# interval's worth of it (6 of 40, not 19 of 40 as at 5/s with Interval 4).
PING_INTERVAL=$(awk -v s="$S" 'BEGIN { print 0.2 * s }')
# One ping per named source first, and wait until collectd has dispatched
# it: a series' first value yields no rate, so Graphite (StoreRates) then
# sees exactly the known counts that follow, and the counter backends the
# counts plus this one.
ping_n p-a7 a1 1 198.51.100.1 && ping_n p-a7v6 a1 1 -6 2001:db8:a::1 &&
	ping_n p-a70 a2 1 198.51.100.65 &&
	ping_n p-b18 b1 1 -I 203.0.113.18 203.0.113.17 &&
	ping_n p-b19 b1 1 -I 203.0.113.19 203.0.113.17 ||
	abort traffic "priming pings failed"
A=edge-a/netlink_icmp
B=edge-b/netlink_icmp
chk() { "$PY" "$here/check_series.py" "$@"; }
chk primed_edge_a exporter http://127.0.0.1:9103/metrics --tries $((60 * S)) --delay 0.5 \
	"$A-198.51.100.7/packets-echo_request=1" "$A-2001:db8:a::_64/packets-echo_request=1" \
	"$A-198.51.100.70/packets-echo_request=1" >&2 || abort traffic "edge-a did not report the priming pings"
chk primed_edge_b exporter http://127.0.0.1:9104/metrics --tries $((60 * S)) --delay 0.5 \
	"$B-203.0.113.18/packets-echo_request=1" "$B-203.0.113.19/packets-echo_request=1" \
	"$B-all/packets-echo_request=2" >&2 ||
	abort traffic "edge-b did not report the priming ping"
T_TRAFFIC=$(date +%s)
pings=()
ping_n a7 a1 40 198.51.100.1 &
pings+=($!)
ping_n a7v6 a1 20 -6 2001:db8:a::1 &
pings+=($!)
ping_n a70 a2 10 198.51.100.65 &
pings+=($!)
# ICMP errors, as routers on the path would send them, for the
# dashboards' errors row: 20 of each at 5/s.
for k in frag_needed port_unreach ttl_exceeded; do
	ip netns exec a2 "$PY" "$top/tests/plugin/icmp_errors.py" "$k" \
		198.51.100.65 20 5 &
	pings+=($!)
done
ip netns exec a1 "$PY" "$top/tests/plugin/icmp_errors.py" packet_too_big \
	2001:db8:a::1 20 5 &
pings+=($!)

# edge-b (MaxSources 2): two busy sources hold both places; two light ones,
# sent only while the busy ones are, never outweigh them and land in
# "other" (the plugin names a newcomer once it weighs more than 9/8 of the
# lightest tracked source and twice that one's previous interval).  On a
# debug kernel processes started tens of seconds apart and ping -i 0.05
# kept 3-9/s, not 20: light sources started a fixed second after the busy
# ones sent once those had finished, and took their places.  So the busy
# ones send until edge-b has counted the light ones (then SIGINT: ping
# prints what it sent; -w bounds them), and the light ones start once
# edge-b counts the busy ones' traffic, at one ping per 0.4 s (times S).
busy=()
for a in 18 19; do
	# ip netns exec execs ping: $! is ping's pid.
	ip netns exec b1 ping -q -n -i 0.05 -w $((300 * S)) -I "203.0.113.$a" \
		203.0.113.17 >"$PINGS/b$a" 2>&1 &
	busy+=($!)
done
stop_busy() { kill -INT "${busy[@]}" 2>/dev/null; wait "${busy[@]}"; }
if ! chk busy_edge_b exporter http://127.0.0.1:9104/metrics --tries $((120 * S)) --delay 0.5 \
	"$B-203.0.113.18/packets-echo_request>3" "$B-203.0.113.19/packets-echo_request>3" >&2; then
	stop_busy
	abort traffic "edge-b did not count the busy sources' pings"
fi
LIGHT_INTERVAL=$(awk -v s="$S" 'BEGIN { print 0.4 * s }')
lights=()
for a in 20 21; do
	PING_INTERVAL=$LIGHT_INTERVAL ping_n "b$a" b1 8 -I "203.0.113.$a" 203.0.113.17 &
	lights+=($!)
done
wait "${lights[@]}"
# The light ones' last packets reach the plugin with a module flush and a
# read later: the busy ones go on until edge-b reports them.
chk light_edge_b exporter http://127.0.0.1:9104/metrics --tries $((60 * S)) --delay 0.5 \
	"$B-other/packets-echo_request=16" >&2 ||
	echo "edge-b's other never reached 16 (see fleet_* below)" >&2
stop_busy
# Only the pings: a bare `wait` would wait for the servers too.
wait "${pings[@]}"
echo "traffic sent after $(elapsed) s" >&2
for t in a7 a7v6 a70 b18 b19 b20 b21; do
	echo "  $t: $(sent "$t") sent in $(sent_ms "$t") ms" >&2
done
n18=$(sent b18) n19=$(sent b19)
if [ -z "$n18" ] || [ -z "$n19" ]; then
	abort traffic "no summary from edge-b's busy pings: $(cat "$PINGS/b18" "$PINGS/b19" | tr '\n' ' ')"
fi
for t in a7:40 a7v6:20 a70:10 b20:8 b21:8; do
	[ "$(sent "${t%:*}")" = "${t#*:}" ] ||
		abort traffic "ping ${t%:*} sent '$(sent "${t%:*}")', not ${t#*:}: $(tr '\n' ' ' <"$PINGS/${t%:*}")"
done

# For run.sh's Graphite checks (rates, after the priming ping: the counts
# sent, within one interval at the pace kept; edge-b's all had its first
# value at the first priming ping).
{
	echo "t_traffic $T_TRAFFIC"
	for e in "$A-198.51.100.7/packets-echo_request=40~$(tol a7)" \
		"$A-2001:db8:a::_64/packets-echo_request=20~$(tol a7v6)" \
		"$A-198.51.100.70/packets-echo_request=10~$(tol a70)" \
		"$A-198.51.100.7/total_bytes>0" "$A-all/count-sources>2"; do
		echo "graphite_series $e"
	done
	for e in "$B-203.0.113.18/packets-echo_request=$n18~$(tol b18)" \
		"$B-203.0.113.19/packets-echo_request=$n19~$(tol b19)" \
		"$B-all/packets-echo_request=$((n18 + n19 + 16))~$(tol b18 b19 b20 b21)" \
		"$B-other/packets-echo_request>0" "$B-all/count-sources=2" \
		"!$B-203.0.113.20/packets-echo_request" "!$B-203.0.113.21/packets-echo_request" \
		"!$B-198.51.100.7/packets-echo_request" "!$A-203.0.113.18/packets-echo_request"; do
		echo "fleet_graphite $e"
	done
} >"$OUT/graphite.expect"

EXPECT_A=("$A-198.51.100.7/packets-echo_request=41" "$A-2001:db8:a::_64/packets-echo_request=21"
	"$A-198.51.100.70/packets-echo_request=11" "$A-all/packets-undelivered=0"
	"$A-198.51.100.70/packets-dest_unreach=40" "$A-198.51.100.70/packets-time_exceeded=20"
	"$A-2001:db8:a::_64/packets-packet_too_big=20"
	"$A-198.51.100.7/total_bytes>0" "$A-all/count-sources>2")
EXPECT_B=("$B-203.0.113.18/packets-echo_request=$((n18 + 1))"
	"$B-203.0.113.19/packets-echo_request=$((n19 + 1))"
	"$B-all/packets-echo_request=$((n18 + n19 + 2 + 16))" "$B-other/packets-echo_request=16"
	"!$B-203.0.113.20/packets-echo_request" "!$B-203.0.113.21/packets-echo_request"
	"$B-all/packets-undelivered=0" "$B-all/count-sources=2")
# Per-host identity: neither host's sources show up under the other.
DISTINCT=("!$B-198.51.100.7/packets-echo_request" "!$A-203.0.113.18/packets-echo_request")

# The checks (and the dashboard validator below) are independent: run
# them side by side, Python starts slowly under TCG; print in order.
checks=()
bg_chk() {	# NAME ARGS...
	chk "$@" >"$NLB_DIR/chk.$1" 2>&1 &
	checks+=("$1:$!")
}
bg_chk exporter_edge_a exporter http://127.0.0.1:9103/metrics --tries 60 --delay "$S" "${EXPECT_A[@]}"
bg_chk prometheus_scrape prometheus http://127.0.0.1:9090 --tries 30 --delay "$S" "${EXPECT_A[@]}"
bg_chk influxdb_series influxdb http://127.0.0.1:8086 --tries 30 --delay "$S" "${EXPECT_A[@]}"
bg_chk fleet_influxdb influxdb http://127.0.0.1:8086 --tries 30 --delay "$S" "${EXPECT_B[@]}" "${DISTINCT[@]}"
bg_chk fleet_prometheus prometheus http://127.0.0.1:9090 --tries 30 --delay "$S" "${EXPECT_B[@]}" "${DISTINCT[@]}"
"$PY" "$here/validate_dashboards.py" --influxdb http://127.0.0.1:8086 \
	--prometheus http://127.0.0.1:9090 --expect-host edge-a --expect-host edge-b \
	--range $((900 * S)) --timeout $((30 * S)) "$top/contrib/grafana/netlink_icmp-influxdb.json" \
	"$top/contrib/grafana/netlink_icmp-prometheus.json" >"$NLB_DIR/validate.log" 2>&1 &
validate_pid=$!
for c in "${checks[@]}"; do
	if wait "${c#*:}"; then
		grep -E '^PASS' "$NLB_DIR/chk.${c%%:*}"
	else
		grep -E '^FAIL' "$NLB_DIR/chk.${c%%:*}" || fail "${c%%:*}" "check_series.py failed: $(tail -n 2 "$NLB_DIR/chk.${c%%:*}")"
	fi
	grep -vE '^(PASS|FAIL)' "$NLB_DIR/chk.${c%%:*}" >&2
done

# Alerts at the edge: edge-b raised the WARNING for its busy source itself
# (its own log) and the central collectd received it over the network
# plugin, still naming edge-b (logfile prints notifications).
has_warning() {	# LOG
	grep -E 'Notification: severity = WARNING, host = edge-b, plugin = netlink_icmp, plugin_instance = 203\.0\.113\.18' "$1"
}
if nlb_wait alert-edge-b $((30 * S)) 0.5 has_warning "$NLB_DIR/log/edge-b.log" &&
	nlb_wait alert-central $((30 * S)) 0.5 has_warning "$NLB_DIR/log/central.log"; then
	pass fleet_alert_at_edge
	has_warning "$NLB_DIR/log/central.log" | head -n 1 >&2
else
	fail fleet_alert_at_edge "no WARNING for 203.0.113.18 from edge-b in edge-b's and central's logs: $(grep -h Notification "$NLB_DIR"/log/edge-b.log "$NLB_DIR"/log/central.log | head -n 3 | tr '\n' ' ')"
fi

# Dashboards whose servers run here (the validator started above).
if wait "$validate_pid"; then
	pass dashboards_influxdb_prometheus
else
	fail dashboards_influxdb_prometheus "$(grep -E '^FAIL' "$NLB_DIR/validate.log" | head -n 5 | tr '\n' ' ')"
fi
sed 's/^/  /' "$NLB_DIR/validate.log" >&2

# Let a few more points reach carbon (the graphite checks sum rates),
# then stop the writers first and carbon last: it drains its cache to the
# whisper files on SIGTERM.
nlb_stop edge-a 20
nlb_stop edge-b 20
nlb_stop central 20
nlb_stop prometheus 20
# influxd takes ~30 s to stop; its data dir is fresh each run and the
# guest powers off next, so do not wait that long.
nlb_stop influxd 5
nlb_stop carbon 60
if cp -a "$NLB_DIR/carbon/storage/whisper" "$OUT/whisper"; then
	pass carbon_whisper_saved
else
	fail carbon_whisper_saved "cannot copy the whisper files to $OUT"
fi
for f in "$NLB_DIR"/log/*.log; do cp "$f" "$OUT/" 2>/dev/null; done
echo "guest done after $(elapsed) s" >&2
