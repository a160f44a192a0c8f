# SPDX-License-Identifier: GPL-2.0
# Traffic from the source namespaces into the host namespace, checked
# against what the listeners received and an nft counter.

# rec_sum FILE REGEX: "packets bytes" summed over matching record lines.
rec_sum() {
	awk -v re="$2" '$0 ~ re {
		for (i = 1; i < NF; i++) {
			if ($i == "packets") p += $(i + 1)
			if ($i == "bytes") b += $(i + 1)
		}
	} END { print p + 0, b + 0 }' "$1"
}

# The accounting identity for listener N (its records in FILE):
# nft delta == seen delta == delivered + undelivered, records == delivered,
# and every event's delivered counter == the records received before it.
check_identity() {
	local what=$1 file=$2 n=$3 nft0=$4 seen0=$5
	local seen del undel recs bad
	seen=$(stats_get seen)
	del=$(stats_listener delivered "$n")
	undel=$(stats_listener undelivered "$n")
	recs=$(records_sum "$file")
	log "$what: nft $((NFT - nft0)) seen $((seen - seen0)) delivered $del undelivered $undel records $recs"
	expect_eq "$what: seen delta vs nft" $((seen - seen0)) $((NFT - nft0))
	expect_eq "$what: delivered+undelivered vs seen delta" \
		$((del + undel)) $((seen - seen0))
	bad=$(events_consistent "$file")
	[ -z "$bad" ] || fail "$what: $bad"
	[ "$recs" = "$del" ] ||
		fail "$what: records received $recs, delivered $del; last records: $(grep -v '^event' "$file" | tail -n 4 | tr '\n' ';')"
}

# ping_all COUNT4[] COUNT6[] SIZE[] from each source to the host.
c4=(x 7 11 13)
c6=(x 5 3 9)
sz=(x 56 100 200)
ping_sources() {
	local i
	for i in 1 2 3; do
		ip netns exec nlsrc$i ping -q -c "${c4[i]}" -i 0.01 -s "${sz[i]}" \
			"${host4[i]}" >/dev/null || fail "ping from nlsrc$i"
		ip netns exec nlsrc$i ping -q -c "${c6[i]}" -i 0.01 -s "${sz[i]}" \
			"${host6[i]}" >/dev/null || fail "ping6 from nlsrc$i"
	done
}

check_sources() {
	local file=$1 i got total=0
	for i in 1 2 3; do
		got=$(rec_sum "$file" "^ipv4 ${src4[i]} > ${host4[i]} echo_request code 0 ")
		expect_eq "nlsrc$i IPv4 echo requests (packets bytes)" "$got" \
			"${c4[i]} $((c4[i] * (28 + sz[i])))"
		got=$(rec_sum "$file" "^ipv6 ${src6[i]} > ${host6[i]} echo_request code 0 ")
		expect_eq "nlsrc$i IPv6 echo requests (packets bytes)" "$got" \
			"${c6[i]} $((c6[i] * (48 + sz[i])))"
		total=$((total + c4[i] + c6[i]))
	done
	got=$(rec_sum "$file" " echo_request ")
	expect_eq "echo requests from anywhere" "${got% *}" "$total"
}

test_sources() {
	local nft0 seen0
	load || fail "insmod failed"
	topo_up
	nft_up
	listen_bg "" /tmp/src.out
	wait_listeners 1 || fail "listener did not register"
	nft0=$(nft_count)
	seen0=$(stat seen)
	ping_sources
	settle || fail "traffic did not settle"
	listen_stop "$LPID"
	check_sources /tmp/src.out
	check_identity "listener" /tmp/src.out 1 "$nft0" "$seen0"
}

test_two_listeners() {
	local nft0 seen0 pa pb
	load || fail "insmod failed"
	topo_up
	nft_up
	listen_bg "" /tmp/a.out
	pa=$LPID
	# One at a time: stats lists listeners in registration order.
	wait_listeners 1 || fail "listener A did not register"
	listen_bg "" /tmp/b.out
	pb=$LPID
	wait_listeners 2 || fail "listeners did not register"
	nft0=$(nft_count)
	seen0=$(stat seen)
	ping_sources
	settle || fail "traffic did not settle"
	listen_stop "$pa"
	listen_stop "$pb"
	check_sources /tmp/a.out
	check_sources /tmp/b.out
	check_identity "listener A" /tmp/a.out 1 "$nft0" "$seen0"
	check_identity "listener B" /tmp/b.out 2 "$nft0" "$seen0"
	# Same records, message boundaries aside.
	[ "$(grep -v '^event' /tmp/a.out | sort | md5sum)" = \
	  "$(grep -v '^event' /tmp/b.out | sort | md5sum)" ] ||
		fail "the two listeners received different records"
}

test_netns_isolation() {
	local seen0 p1
	load || fail "insmod failed"
	topo_up
	listen_bg nlsrc1 /tmp/iso1.out
	p1=$LPID
	wait_listeners 1 nlsrc1 || fail "listener in nlsrc1 did not register"
	listen_bg "" /tmp/isoh.out
	wait_listeners 1 || fail "host listener did not register"
	seen0=$(stat seen nlsrc1)
	# nlsrc2 pings the host: nothing of it may reach nlsrc1.
	ip netns exec nlsrc2 ping -q -c 10 -i 0.01 "${host4[2]}" >/dev/null ||
		fail "ping from nlsrc2"
	ip netns exec nlsrc2 ping -q -c 10 -i 0.01 "${host6[2]}" >/dev/null ||
		fail "ping6 from nlsrc2"
	sleep 1
	expect_eq "nlsrc1 seen delta" $(($(stat seen nlsrc1) - seen0)) 0
	listen_stop "$p1"
	listen_stop "$LPID"
	[ -s /tmp/iso1.out ] && fail "nlsrc1 listener got events: $(head -3 /tmp/iso1.out)"
	expect_eq "host listener echo requests" \
		"$(rec_sum /tmp/isoh.out " echo_request " | cut -d' ' -f1)" 20
}

test_truncated_icmp() {
	local nft0 seen0 mal0
	load || fail "insmod failed"
	topo_up
	nft_up
	listen_bg "" /tmp/tr.out
	wait_listeners 1 || fail "listener did not register"
	nft0=$(nft_count)
	seen0=$(stat seen)
	mal0=$(stat malformed)
	ip netns exec nlsrc1 "$TOOL" truncated 4 "${host4[1]}" 5 || fail "send v4"
	ip netns exec nlsrc1 "$TOOL" truncated 6 "${host6[1]}" 4 || fail "send v6"
	settle || fail "traffic did not settle"
	listen_stop "$LPID"
	expect_eq "malformed delta" $(($(stats_get malformed) - mal0)) 9
	expect_eq "IPv4 malformed records" "$(rec_sum /tmp/tr.out '^ipv4 malformed ')" "5 120"
	expect_eq "IPv6 malformed records" "$(rec_sum /tmp/tr.out '^ipv6 malformed ')" "4 176"
	check_identity "listener" /tmp/tr.out 1 "$nft0" "$seen0"
}

test_table_full() {
	local nft0 seen0 got total
	# No entry ages out while the six sources ping one after the other
	# (on a debug kernel each "ip netns exec ping" takes seconds): the
	# table stays full.
	load max_entries=4 idle_ms=600000 || fail "insmod failed"
	topo_up
	nft_up
	listen_bg "" /tmp/full.out
	wait_listeners 1 || fail "listener did not register"
	nft0=$(nft_count)
	seen0=$(stat seen)
	ping_sources
	settle || fail "traffic did not settle"
	listen_stop "$LPID"
	total=$((7 + 11 + 13 + 5 + 3 + 9))
	got=$(rec_sum /tmp/full.out " echo_request ")
	expect_eq "echo requests, attributed or not" "${got% *}" "$total"
	grep -q " unattributed echo_request " /tmp/full.out ||
		fail "no unattributed echo_request record"
	[ "$(stats_get entries)" -le 4 ] || fail "entries $(stats_get entries) > 4"
	[ "$(stats_get unattributed)" -gt 0 ] || fail "unattributed counter is 0"
	expect_eq "unattributed counter vs records" "$(stats_get unattributed)" \
		"$(rec_sum /tmp/full.out ' unattributed ' | cut -d' ' -f1)"
	check_identity "listener" /tmp/full.out 1 "$nft0" "$seen0"
}

test_idle_entries_freed() {
	local nft0 seen0 during scale=${NLICMP_VM_TIMEOUT_SCALE:-1}
	# idle_ms long enough that the entry is still there when looked at
	# right after the pings on a busy host (and on a debug kernel, where
	# "ip netns exec" alone takes seconds).
	FLUSH_MS=100 load idle_ms=$((2000 * scale)) || fail "insmod failed"
	FLUSH_MS=100
	topo_up
	nft_up
	listen_bg "" /tmp/idle.out
	wait_listeners 1 || fail "listener did not register"
	nft0=$(nft_count)
	seen0=$(stat seen)
	ip netns exec nlsrc1 ping -q -c 20 -i 0.01 "${host4[1]}" >/dev/null ||
		fail "ping"
	during=$(stat entries)
	[ "$during" -ge 1 ] || fail "no entry right after the pings"
	sleep $((3 * scale))
	settle || fail "traffic did not settle"
	expect_eq "entries after idle_ms" "$(stats_get entries)" 0
	listen_stop "$LPID"
	expect_eq "echo requests" \
		"$(rec_sum /tmp/idle.out "^ipv4 ${src4[1]} > ${host4[1]} echo_request " | cut -d' ' -f1)" 20
	check_identity "listener" /tmp/idle.out 1 "$nft0" "$seen0"
}
