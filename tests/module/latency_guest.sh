#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/module/latency.sh: prints the figures.
here=$(cd "$(dirname "$0")" && pwd)
: "${KO:?}" "${CTL:?}" "${TOOL:?}" "${FLOOD:?}"
PIDS_FILE=$(mktemp)
# shellcheck source=tests/module/lib.sh
. "$here/lib.sh"
fail() {
	echo "latency: $*" >&2
	exit 1
}

# measure WHAT: GETFAMILY round trips while nobody loops GET_STATS
# (stopped once both runs are done). Back to back, the requester is
# itself CPU-bound and waits out the scheduler's slices behind the other
# busy tasks (the stats loop, the flood) whatever the module does; on a
# fixed schedule, one due every 5 ms and timed from when it was due, it
# is what a tool such as ip or iw sees, late wakeups included.
measure() {
	local sp a b
	# As nobody; setpriv execs the loop: $! is the loop, for the SIGINT.
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$TOOL" statsloop 120 >/tmp/statsloop.out &
	sp=$!
	sleep 1
	a=$("$TOOL" getfamily nlctrl 1000) || fail "$1: getfamily failed"
	b=$("$TOOL" getfamily nlctrl 1000 5) || fail "$1: getfamily failed"
	kill -INT "$sp"
	wait "$sp" || fail "$1: the GET_STATS loop failed"
	echo "$1: $a"
	echo "$1: $b"
	echo "$1: $(cat /tmp/statsloop.out)"
}

# idle_ms 20 s: longer than the generator takes to cycle through its
# 65536 sources under TCG (7-9 s at 7-10k pps), so the table stays full,
# while the reaping scan still walks it every 5 s (idle_ms / 4).
load max_entries=65536 idle_ms=20000 || fail "insmod failed"
topo_up
measure "idle (no listener, no traffic)"

mac=$(cat /sys/class/net/h1/address)
# 65536 sources cycled: once a listener registers, the table fills and
# stays full, every entry hot. First the flood alone (no listener: no
# entry, no flush), so that what the guest's load costs the requests is
# told apart from what the module's flushes cost them.
# The flood is paced (LAT_PPS, default 8000: each source comes back
# every 8 s, well within idle_ms) rather than as fast as one vCPU can
# send: unpaced, the generator and its softirq keep a vCPU busy, and the
# requests then wait for CPU whatever the module does.
# (ip netns exec execs the generator: $! is its pid, SIGINT ends it.)
ip netns exec nlsrc1 "$FLOOD" -q -i eth0 -m "$mac" -d "${host6[1]}" \
	-n 65536 -R "${LAT_PPS:-8000}" -c 200000000 -t 600 >/tmp/flood.out 2>&1 &
fp=$!
stop_flood() {
	kill -INT "$fp" 2>/dev/null
	wait "$fp" 2>/dev/null
}
sleep 2
measure "flood, no listener (no table, no flush)"

listen_bg "" /dev/null
wait_listeners 1 || fail "listener did not register"
end=$((SECONDS + 120))
while [ "$SECONDS" -lt "$end" ] && kill -0 "$fp" 2>/dev/null; do
	[ "$(stat entries)" -ge 65000 ] 2>/dev/null && break
	sleep 0.5
done
n=$(stat entries)
echo "table: $n entries before the measurement"
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 65000 ]; then
	stop_flood
	fail "the table did not fill: $n entries (flood: $(cat /tmp/flood.out))"
fi
f0=$(stat flushes)
measure "full table, flushes running"
echo "table: $(stat entries) entries, $(($(stat flushes) - f0)) flushes during the measurement"
kill -0 "$fp" 2>/dev/null || echo "the flood ended before the measurement did"
stop_flood
echo "flood: $(cat /tmp/flood.out)"
kill "$LPID" 2>/dev/null
wait 2>/dev/null
topo_down
unload
