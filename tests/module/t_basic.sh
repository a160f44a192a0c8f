# SPDX-License-Identifier: GPL-2.0
# Health check, counters, family registration, parameter validation.

test_echo() {
	local out prefix
	prefix="netlink_icmp $(sh "$here/../../scripts/version.sh"): "
	load || fail "insmod failed"
	out=$("$CTL" echo "hello world") || fail "nlicmpctl echo failed"
	expect_eq "echo reply" "$out" "${prefix}hello world"
	# The longest text the ABI allows (255 bytes).
	out=$("$CTL" echo "$(printf '%0255d' 0)") || fail "echo of 255 bytes failed"
	expect_eq "long echo length" "${#out}" $((${#prefix} + 255))
}

test_stats() {
	load max_listeners=3 max_entries=1234 || fail "insmod failed"
	expect_eq "seen" "$(stat seen)" 0
	expect_eq "listeners" "$(stat listeners)" 0
	expect_eq "max_listeners" "$(stat max_listeners)" 3
	expect_eq "max_entries" "$(stat max_entries)" 1234
	expect_eq "flush_ms" "$(stat flush_ms)" "$FLUSH_MS"
	ping -q -c 3 -i 0.05 127.0.0.1 >/dev/null || fail "ping lo"
	# Request and reply both cross PRE_ROUTING on lo.
	expect_eq "seen after 3 pings on lo" "$(stat seen)" 6
	expect_eq "entries without listener" "$(stat entries)" 0
	# Unprivileged callers may read counters.
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" stats >/dev/null ||
		fail "stats as nobody failed"
}

test_genl_ctrl() {
	load || fail "insmod failed"
	genl ctrl list | grep -q "Name: netlink_icmp" ||
		fail "netlink_icmp not in genl ctrl list"
	genl ctrl get name netlink_icmp | grep -q "Version: 0x1" ||
		fail "family version is not 1"
	unload
	genl ctrl list | grep -q "Name: netlink_icmp" &&
		fail "family still listed after rmmod"
	return 0
}

test_params() {
	local p
	for p in max_listeners=0 flush_ms=1 max_entries=0 idle_ms=0 \
		batch_records=0 max_entries=99999999 child_max_listeners=0 \
		max_listeners_total=0 child_max_entries=0 max_entries_total=0; do
		insmod "$KO" "$p" 2>/dev/null && fail "insmod $p succeeded"
		dmesg | tail -n 3 | grep -q "netlink_icmp: ${p%%=*}=" ||
			fail "no clear message for $p"
	done
	return 0
}
