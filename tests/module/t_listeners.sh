# SPDX-License-Identifier: GPL-2.0
# Registration rules: permissions, limits, dead listeners.

test_register_eperm() {
	local rc
	load || fail "insmod failed"
	capsh --drop=cap_net_admin -- -c "$CTL listen --timeout 1" \
		>/dev/null 2>/tmp/eperm.err
	rc=$?
	expect_eq "nlicmpctl exit status without CAP_NET_ADMIN" $rc 3
	grep -qi "not permitted\|permission" /tmp/eperm.err ||
		fail "no permission error: $(cat /tmp/eperm.err)"
	expect_eq "listeners" "$(stat listeners)" 0
	# The same process as nobody: also refused.
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$CTL" listen --timeout 1 >/dev/null 2>&1
	expect_eq "exit status as nobody" $? 3
}

test_max_listeners() {
	local out
	load max_listeners=2 || fail "insmod failed"
	out=$("$TOOL" fill 3)
	echo "$out" | grep -q "register 1 errno 0 " || fail "first: $out"
	echo "$out" | grep -q "register 2 errno 0 " || fail "second: $out"
	echo "$out" | grep -q "register 3 errno 28 extack \"netlink_icmp: too many" ||
		fail "third not ENOSPC with a message: $out"
	# The tool exited: its sockets closed, NETLINK_URELEASE dropped them.
	expect_eq "listeners after the sockets closed" "$(stat listeners)" 0
}

test_sigkill_drops_listener() {
	load || fail "insmod failed"
	listen_bg "" /tmp/k.out
	wait_listeners 1 || fail "listener did not register"
	kill -KILL "$LPID"
	wait "$LPID" 2>/dev/null
	wait_listeners 0 || fail "killed listener still registered: $("$CTL" stats | grep listener)"
	# Traffic afterwards must not try to reach it.
	ping -q -c 3 -i 0.05 127.0.0.1 >/dev/null
	sleep 0.5
	expect_eq "listeners" "$(stat listeners)" 0
}

test_malformed_requests() {
	local out mark=malformed
	load || fail "insmod failed"
	dmesg_mark $mark
	out=$("$TOOL" badreq) || fail "$(echo "$out" | grep FAIL)"
	"$CTL" echo still-alive >/dev/null || fail "module dead after bad requests"
	out=$(dmesg_problems $mark)
	[ -z "$out" ] || fail "kernel complained: $out"
}

# userns_listeners=1 (GENL_UNS_ADMIN_PERM): the admin of a user namespace
# may listen to the network namespaces it owns (their own traffic only),
# not to the host's. test_userns_refused: not by default.
test_register_userns() {
	local out
	load userns_listeners=1 || fail "insmod failed"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --net \
		sh -c "ip link set lo up; $CTL listen -v & lp=\$!
		       for i in \$(seq 100); do
			       $CTL stats | grep -q '^listeners 1$' && break
			       sleep 0.1
		       done
		       ping -q -c 3 -i 0.05 127.0.0.1 >/dev/null; sleep 1;
		       $CTL stats; kill \$lp; wait" 2>&1) ||
		fail "listen in an owned netns failed: $out"
	echo "$out" | grep -q "^listeners 1$" || fail "no listener in the new netns: $out"
	# Child namespaces get the smaller caps.
	echo "$out" | grep -q "^max_listeners 2$" || fail "child cap not shown: $out"
	expect_eq "echo requests received in the owned netns" \
		"$(echo "$out" | awk '/^ipv4 127.0.0.1 > 127.0.0.1 echo_request / {
			for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1)
		} END { print s + 0 }')" 3
	expect_eq "host listeners" "$(stat listeners)" 0
	# Root of that user namespace, but the host's netns: refused.
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user "$CTL" listen --timeout 1 >/dev/null 2>&1
	expect_eq "exit status in the host netns" $? 3
}
