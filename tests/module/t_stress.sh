# SPDX-License-Identifier: GPL-2.0
# Floods (bounded in count and time) and unloading under load.

# Pingers from every source, both families, in the background; their pids
# in PINGERS.
flood_pings() {
	local count=$1 i
	PINGERS=""
	for i in 1 2 3; do
		ip netns exec nlsrc$i ping -q -f -c "$count" -w 30 "${host4[i]}" \
			>/dev/null 2>&1 &
		track $!
		PINGERS+=" $!"
		ip netns exec nlsrc$i ping -q -f -c "$count" -w 30 "${host6[i]}" \
			>/dev/null 2>&1 &
		track $!
		PINGERS+=" $!"
	done
}

# Many distinct sources (icmpflood): many records, many messages per flush.
flood_sources() {
	local mac
	[ -n "${FLOOD:-}" ] && [ -x "$FLOOD" ] || return 0
	mac=$(cat /sys/class/net/h1/address)
	ip netns exec nlsrc1 "$FLOOD" -q -i eth0 -m "$mac" -d "${host6[1]}" \
		-n 3000 -c 30000 -t 20 >/tmp/flood6.txt 2>&1 &
	track $!
	PINGERS+=" $!"
	mac=$(cat /sys/class/net/h2/address)
	ip netns exec nlsrc2 "$FLOOD" -q -i eth0 -m "$mac" -d "${host4[2]}" \
		-n 504 -c 20000 -t 20 >/tmp/flood4.txt 2>&1 &
	track $!
	PINGERS+=" $!"
}

test_flood_identity() {
	local nft0 seen0 pa pb t0 t1 qf min
	load || fail "insmod failed"
	topo_up
	nft_up
	listen_bg "" /tmp/fa.out
	pa=$LPID
	# One at a time: stats lists listeners in registration order.
	wait_listeners 1 || fail "listener A did not register"
	# A tiny receive buffer, and stopped during the flood: its queue fills.
	listen_bg "" /tmp/fb.out --rcvbuf 4K
	pb=$LPID
	wait_listeners 2 || fail "listeners did not register"
	nft0=$(nft_count)
	seen0=$(stat seen)
	kill -STOP "$pb"
	t0=$(date +%s.%N)
	flood_pings 3000
	flood_sources
	# shellcheck disable=SC2086
	wait $PINGERS
	t1=$(date +%s.%N)
	kill -CONT "$pb"
	settle || fail "traffic did not settle"
	listen_stop "$pa"
	listen_stop "$pb"
	log "flood: $((NFT - nft0)) ICMP packets in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s ($(cat /tmp/flood6.txt /tmp/flood4.txt 2>/dev/null | tr '\n' ' '))"
	log "entries $(stats_get entries) unattributed $(stats_get unattributed) nomem $(stats_get nomem) flushes $(stats_get flushes)"
	log "A: $(echo "$STATS" | awk '$1 == "listener" && ++c == 1')"
	log "B: $(echo "$STATS" | awk '$1 == "listener" && ++c == 2')"
	check_identity "listener A (4M buffer)" /tmp/fa.out 1 "$nft0" "$seen0"
	check_identity "listener B (4K buffer, stopped)" /tmp/fb.out 2 "$nft0" "$seen0"
	qf=$(stats_listener queue_full 2)
	[ "$qf" -gt 0 ] || fail "listener B never hit a full queue"
	# The floods are bounded in time (20 s): a stock kernel sends about
	# 50000 packets in it, the debug kernel 7000-9000 on a busy host;
	# either is many times what B's 4 KiB queue holds. The debug and RT
	# kernels run with NLICMP_VM_TIMEOUT_SCALE > 1.
	min=36000
	[ "${NLICMP_VM_TIMEOUT_SCALE:-1}" = 1 ] || min=5000
	[ $((NFT - nft0)) -ge $min ] || fail "flood too small: $((NFT - nft0)) < $min"
}

# A record carries its packets with all their bytes. With 8 entries, two
# floods of equal-sized echo requests from two namespaces (two CPUs
# counting) are nearly all unattributed, harvested by flushes while the
# CPUs count. Every echo request record's bytes must be its packets times
# the one size of its family's requests, and no record may carry bytes
# without packets.
test_records_whole() {
	local bad n
	[ -n "${FLOOD:-}" ] && [ -x "$FLOOD" ] || fail "icmpflood not built"
	# Flushes every 20 ms: many harvests while the CPUs count.
	load max_entries=8 flush_ms=20 || fail "insmod failed"
	topo_up
	listen_bg "" /tmp/whole.out
	wait_listeners 1 || fail "listener did not register"
	PINGERS=""
	flood_sources
	# shellcheck disable=SC2086
	wait $PINGERS
	settle || fail "traffic did not settle"
	listen_stop "$LPID"
	n=$(grep -c ' unattributed echo_request ' /tmp/whole.out)
	log "$n unattributed echo_request records; $(records_sum /tmp/whole.out) packets in all records"
	bad=$(awk '/^event / || !/ echo_request / { next }
		{ p = $(NF - 2); b = $NF }
		p == 0 || b % p || ($1 in size && size[$1] != b / p) { print; if (++n == 3) exit; next }
		{ size[$1] = b / p }' /tmp/whole.out | tr '\n' ';')
	[ -z "$bad" ] || fail "records whose bytes are not their packets times one size: $bad"
	[ "$n" -ge 20 ] || fail "$n unattributed echo_request records, want >= 20"
}

test_rmmod_under_traffic() {
	local mark=rmmod rc out
	load || fail "insmod failed"
	topo_up
	listen_bg "" /tmp/rm.out
	wait_listeners 1 || fail "listener did not register"
	dmesg_mark $mark
	flood_pings 20000
	flood_sources
	sleep 2
	rmmod netlink_icmp || fail "rmmod failed"
	# The listener only learns of it when it talks to the family again.
	sleep 0.5
	kill -TERM "$LPID"
	wait "$LPID"
	rc=$?
	[ $rc = 2 ] || fail "listener exit status $rc after rmmod, want 2"
	# shellcheck disable=SC2086
	kill $PINGERS 2>/dev/null
	# shellcheck disable=SC2086
	wait $PINGERS 2>/dev/null
	# Load again, register, unload again: nothing left behind.
	load || fail "second insmod failed"
	listen_bg "" /tmp/rm2.out
	wait_listeners 1 || fail "listener did not register after reload"
	ip netns exec nlsrc1 ping -q -c 5 -i 0.01 "${host4[1]}" >/dev/null
	rmmod netlink_icmp || fail "second rmmod failed"
	listen_stop "$LPID"
	out=$(dmesg_problems $mark)
	[ -z "$out" ] || fail "kernel complained: $out"
}
