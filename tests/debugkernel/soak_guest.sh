#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The race soak, run as root in the guest by tests/debugkernel/soak.sh
# (cwd: the repository; KO, CTL, TOOL, FLOOD in the environment).
#
# Rounds until SOAK_S seconds have passed (default 300). Each round loads
# the module, registers a listener L in the host namespace, then for
# CHAOS_S seconds (default 20) runs at once, each loop at least once (a
# round fails if no listener of a churn loop was running when killed),
# the floods until the loops are done:
#   - spoofed floods from nlsrc1 (IPv6, 2001:db8::/32 sources) and nlsrc2
#     (IPv4, 198.51.100.0/24 and 203.0.113.0/24 sources), plus ping floods;
#   - listener churn in the host namespace: nlicmpctl listeners stopped by
#     SIGKILL or SIGTERM after a random moment, nlicmp_modtool fill;
#   - namespace churn: a namespace created, a listener and a spoofed flood
#     on its lo inside, the namespace deleted and the listener killed;
#   - an unprivileged GET_STATS loop (nobody).
# Then, at the quiet point, L's accounting identity must be exact (nft
# delta == seen delta == delivered + undelivered, records == delivered,
# every event consistent), L leaves, and RELOADS (default 10) cycles of
# insmod, a listener registering (every other cycle), rmmod under a ping
# flood follow.
# Once SOAK_S is over, cycles continue until CYCLES (default 200) are done,
# but not past SOAK_MAX_S (default 480): the whole run stays bounded.
# Kernel reports, taint and kmemleak are vm.sh's and init's to judge.
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${KO:?}" "${CTL:?}" "${TOOL:?}" "${FLOOD:?}"
FLUSH_MS=${FLUSH_MS:-100}
SOAK_S=${SOAK_S:-300}
SOAK_MAX_S=${SOAK_MAX_S:-480}
CHAOS_S=${CHAOS_S:-20}
RELOADS=${RELOADS:-10}
CYCLES=${CYCLES:-200}
PIDS_FILE=$(mktemp)
export PIDS_FILE
# The module suite's helpers (topology, nft counter, stats, identity).
# shellcheck source=tests/module/lib.sh
. "$here/../module/lib.sh"

t0=$(date +%s)
now() { echo $(($(date +%s) - t0)); }
REASON=/tmp/soak.reason
exec 3>>"$REASON"

rounds=0 round_fail=0 cycles=0 cycle_fail=0 nsloops=0 churned=0

# Loops of the chaos, each until $1 (seconds since t0), and at least once:
# on the debug kernel, under the floods, a loop could start after its end
# and the round then had no churn at all. Each writes how many of its
# listeners were still running when killed (one refused by a full cap
# has exited already): a round where none was fails. Their own timeouts
# (-t 600) only bound them: on the debug kernel one pass of the namespace
# loop took 100 s, and a 10 s listener was gone before its kill.
churn_listeners() {
	local end=$1 p i=0 n=0
	while [ "$i" = 0 ] || [ "$(now)" -lt "$end" ]; do
		"$CTL" listen -t 600 >/dev/null 2>&1 &
		p=$!
		sleep "0.$((RANDOM % 5))"
		if [ $((i % 2)) = 0 ]; then kill -KILL $p; else kill -TERM $p; fi 2>/dev/null &&
			n=$((n + 1))
		wait $p 2>/dev/null
		[ $((i % 5)) != 0 ] || "$TOOL" fill 4 >/dev/null 2>&1
		i=$((i + 1))
	done
	echo "$n" >/tmp/soak.churned
}

churn_netns() {
	local end=$1 ns p i=0 n=0 alive
	while [ "$i" = 0 ] || [ "$(now)" -lt "$end" ]; do
		ns=soak$i
		ip netns add $ns || break
		ip -n $ns link set lo up
		ip -n $ns addr add 2001:db8:ff::1/128 dev lo nodad
		ip netns exec $ns "$CTL" listen -t 600 >/dev/null 2>&1 &
		p=$!
		ip netns exec $ns "$FLOOD" -q -i lo -m 00:00:00:00:00:00 \
			-d 2001:db8:ff::1 -n 200 -c 400 -t 2 >/dev/null 2>&1
		ip netns exec $ns ping -q -c 3 -i 0.01 127.0.0.1 >/dev/null 2>&1
		# Half the time the namespace goes first, then its listener.
		alive=0
		if [ $((i % 2)) = 0 ]; then
			ip netns del $ns
			kill -KILL $p 2>/dev/null && alive=1
		else
			kill -KILL $p 2>/dev/null && alive=1
			ip netns del $ns
		fi
		wait $p 2>/dev/null
		n=$((n + alive))
		i=$((i + 1))
	done
	echo "$n" >/tmp/soak.nsloops
}

stats_loop() {
	local end=$1 n=0
	while [ "$n" = 0 ] || [ "$(now)" -lt "$end" ]; do
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$CTL" stats >/dev/null 2>&1
		n=$((n + 1))
	done
	echo "$n" >/tmp/soak.stats
}

# Background jobs of the chaos, waited for at the quiet point (L runs on).
# The floods run until the loops are done (killed then), however long
# the loops take.
chaos=() flooders=()
floods() {
	local secs=600 mac
	mac=$(cat /sys/class/net/h1/address)
	ip netns exec nlsrc1 "$FLOOD" -q -i eth0 -m "$mac" -d "${host6[1]}" \
		-n 3000 -c 20000 -t "$secs" >/dev/null 2>&1 &
	flooders+=($!)
	mac=$(cat /sys/class/net/h2/address)
	ip netns exec nlsrc2 "$FLOOD" -q -i eth0 -m "$mac" -d "${host4[2]}" \
		-n 504 -c 20000 -t "$secs" >/dev/null 2>&1 &
	flooders+=($!)
	ip netns exec nlsrc3 ping -q -f -c 5000 -w "$secs" "${host4[3]}" \
		>/dev/null 2>&1 &
	flooders+=($!)
	ip netns exec nlsrc3 ping -q -f -c 5000 -w "$secs" "${host6[3]}" \
		>/dev/null 2>&1 &
	flooders+=($!)
}

# One round: chaos around listener L, then its identity at the quiet point.
round() {
	local nft0 seen0 lp end out seen del undel recs bad churn ns
	load || { echo "insmod failed" >&3; return 1; }
	listen_bg "" /tmp/soak.l
	lp=$LPID
	wait_listeners 1 || { echo "L did not register" >&3; return 1; }
	nft0=$(nft_count)
	seen0=$(stat seen)
	end=$(($(now) + CHAOS_S))
	chaos=() flooders=()
	rm -f /tmp/soak.churned /tmp/soak.nsloops /tmp/soak.stats
	floods
	churn_listeners "$end" &
	chaos+=($!)
	churn_netns "$end" &
	chaos+=($!)
	stats_loop "$end" &
	chaos+=($!)
	wait "${chaos[@]}"
	kill "${flooders[@]}" 2>/dev/null
	wait "${flooders[@]}" 2>/dev/null
	churn=$(cat /tmp/soak.churned) ns=$(cat /tmp/soak.nsloops)
	log "round $rounds chaos over at $(now)s (end was ${end}s): $churn listeners, $ns namespaces killed while running, $(cat /tmp/soak.stats) stats calls"
	[ "$churn" -gt 0 ] && [ "$ns" -gt 0 ] ||
		{ echo "round $rounds: no churn: $churn listeners, $ns namespaces killed while running" >&3; return 1; }
	churned=$((churned + churn))
	nsloops=$((nsloops + ns))
	# The quiet point: only L is left.
	wait_listeners 1 || { echo "listeners left after the churn: $("$CTL" stats | grep listener)" >&3; return 1; }
	settle || { echo "traffic did not settle" >&3; return 1; }
	listen_stop "$lp"
	seen=$(stats_get seen)
	del=$(stats_listener delivered 1)
	undel=$(stats_listener undelivered 1)
	recs=$(records_sum /tmp/soak.l)
	out="nft $((NFT - nft0)) seen $((seen - seen0)) delivered $del undelivered $undel records $recs"
	log "round $rounds at $(now)s: $out"
	if [ $((seen - seen0)) != $((NFT - nft0)) ] ||
		[ $((del + undel)) != $((seen - seen0)) ] || [ "$recs" != "$del" ]; then
		echo "round $rounds: identity broken: $out" >&3
		return 1
	fi
	bad=$(events_consistent /tmp/soak.l)
	[ -z "$bad" ] || { echo "round $rounds: $bad" >&3; return 1; }
	[ $((NFT - nft0)) -gt 0 ] || { echo "round $rounds: no traffic" >&3; return 1; }
	return 0
}

# One reload cycle under a ping flood: a listener registering while the
# module goes away.
reload() {
	local p=""
	insmod "$KO" flush_ms="$FLUSH_MS" ||
		{ echo "insmod failed in cycle $cycles" >&3; return 1; }
	# Every other cycle: a listener registering as the module goes.
	if [ $((cycles % 2)) = 0 ]; then
		"$CTL" listen -t 3 >/dev/null 2>&1 &
		p=$!
	fi
	rmmod netlink_icmp || { echo "rmmod failed in cycle $cycles" >&3; return 1; }
	# It learns of the unload only when it next talks to the family.
	[ -z "$p" ] || { kill -TERM $p 2>/dev/null; wait $p 2>/dev/null; }
	return 0
}

reloads() {
	local n=$1 limit=$2 i
	ip netns exec nlsrc1 ping -q -f -c 100000 -w "$((limit - $(now)))" \
		"${host4[1]}" >/dev/null 2>&1 &
	local pp=$!
	for ((i = 0; i < n; i++)); do
		[ "$(now)" -lt "$limit" ] || break
		reload || cycle_fail=$((cycle_fail + 1))
		cycles=$((cycles + 1))
	done
	kill $pp 2>/dev/null
	wait $pp 2>/dev/null
}

topo_up
nft_up
log "topology up in $(now)s"
# SOAK_S and SOAK_MAX_S count from here.
t0=$(date +%s)
while [ "$(now)" -lt "$SOAK_S" ]; do
	rounds=$((rounds + 1))
	round || round_fail=$((round_fail + 1))
	# Whatever a failed round left running.
	for p in $(cat "$PIDS_FILE") "${chaos[@]}" "${flooders[@]}"; do kill -KILL "$p" 2>/dev/null; done
	: >"$PIDS_FILE"
	wait
	for ns in $(ip netns list | awk '$1 ~ /^soak/ { print $1 }'); do
		ip netns del "$ns"
	done
	unload
	reloads "$RELOADS" "$SOAK_MAX_S"
	log "$cycles cycles at $(now)s"
done
[ "$cycles" -ge "$CYCLES" ] || reloads $((CYCLES - cycles)) "$SOAK_MAX_S"
nft_down
topo_down

passed=0 failed=0
why=$(tr '\n' ' ' <"$REASON")
if [ "$round_fail" = 0 ]; then
	echo "PASS soak_identity ($rounds rounds of ${CHAOS_S}s chaos, $churned listeners churned, $nsloops namespaces, identity exact at every quiet point)"
	passed=$((passed + 1))
else
	echo "FAIL soak_identity: $round_fail of $rounds rounds: $why"
	failed=$((failed + 1))
fi
if [ "$cycle_fail" = 0 ] && [ "$cycles" -ge "$CYCLES" ]; then
	echo "PASS soak_reload ($cycles rmmod/insmod cycles)"
	passed=$((passed + 1))
else
	echo "FAIL soak_reload: $cycle_fail of $cycles cycles failed, $CYCLES wanted: $why"
	failed=$((failed + 1))
fi
echo "soak: $(now)s in all"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
