# SPDX-License-Identifier: GPL-2.0
# Helpers for the module tests (sourced in the guest by guest.sh).
# Expects KO (the module), CTL (nlicmpctl), TOOL (nlicmp_modtool),
# FLOOD (icmpflood, may be empty) in the environment.
#
# Topology (topo_up): the guest's initial namespace is "the host"; three
# source namespaces nlsrc1..3 hang off it on veth pairs h1..h3:
#   nlsrc1  198.51.100.1/30  -> host 198.51.100.2   2001:db8:1::1 -> ::2
#   nlsrc2  198.51.100.5/30  -> host 198.51.100.6   2001:db8:2::1 -> ::2
#   nlsrc3  203.0.113.1/30   -> host 203.0.113.2    2001:db8:3::1 -> ::2
# IPv6 is set up to stay quiet (no DAD, no router solicitations, long
# neighbour reachability) so that only the tests' own traffic flows.

FLUSH_MS=${FLUSH_MS:-200}

src4=(x 198.51.100.1 198.51.100.5 203.0.113.1)
host4=(x 198.51.100.2 198.51.100.6 203.0.113.2)
src6=(x 2001:db8:1::1 2001:db8:2::1 2001:db8:3::1)
host6=(x 2001:db8:1::2 2001:db8:2::2 2001:db8:3::2)

log() { echo "    $*" >&2; }

# Inside a test (a subshell): end it as failed, saying why.
fail() {
	echo "$*" >&3
	exit 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

load() {
	rmmod netlink_icmp 2>/dev/null
	insmod "$KO" flush_ms="$FLUSH_MS" "$@"
}

unload() {
	rmmod netlink_icmp 2>/dev/null || :
}

quiet_ipv6() {
	local ns=$1 k
	for k in net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.all.accept_dad=0; do
		ip netns exec "$ns" sysctl -qw "$k" >/dev/null
	done
}

topo_up() {
	local i ns k
	for k in net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.accept_ra=0; do
		sysctl -qw "$k" >/dev/null
	done
	for i in 1 2 3; do
		ns=nlsrc$i
		ip netns add $ns
		quiet_ipv6 $ns
		ip link add h$i type veth peer name eth0 netns $ns
		ip addr add "${host4[i]}/30" dev h$i
		ip addr add "${host6[i]}/64" dev h$i nodad
		ip link set h$i up
		ip -n $ns link set lo up
		ip -n $ns addr add "${src4[i]}/30" dev eth0
		ip -n $ns addr add "${src6[i]}/64" dev eth0 nodad
		ip -n $ns link set eth0 up
		# No reachability probes in the middle of a measurement: a
		# neighbour learnt from a solicitation would be probed 5 s later.
		for k in base_reachable_time_ms=600000 delay_first_probe_time=600; do
			sysctl -qw net.ipv6.neigh.h$i.$k
			ip netns exec $ns sysctl -qw net.ipv6.neigh.eth0.$k
		done
	done
	# Let link-up chatter (MLD reports) pass before anything is measured.
	sleep 3
}

topo_down() {
	local i
	for i in 1 2 3; do
		ip netns del nlsrc$i 2>/dev/null
	done
	return 0
}

# nft counter of every ICMP/ICMPv6 packet at prerouting in the host ns.
nft_up() {
	nft add table inet nltest
	nft add chain inet nltest pre \
		'{ type filter hook prerouting priority -500; }'
	nft add rule inet nltest pre meta l4proto '{ icmp, ipv6-icmp }' counter
}

nft_count() {
	nft list chain inet nltest pre | awk '/counter packets/ {
		for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}

nft_down() {
	nft delete table inet nltest 2>/dev/null
	return 0
}

# stat KEY [NETNS]: one counter of nlicmpctl stats.
stat() {
	local out
	if [ -n "${2:-}" ]; then
		out=$(ip netns exec "$2" "$CTL" stats) || return 1
	else
		out=$("$CTL" stats) || return 1
	fi
	echo "$out" | awk -v k="$1" '$1 == k { print $2 }'
}

# listener_field FIELD [N] [NETNS]: FIELD of the Nth listener line.
listener_field() {
	local n=${2:-1} out
	if [ -n "${3:-}" ]; then
		out=$(ip netns exec "$3" "$CTL" stats) || return 1
	else
		out=$("$CTL" stats) || return 1
	fi
	echo "$out" | awk -v f="$1" -v n="$n" '$1 == "listener" && ++c == n {
		for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }'
}

# wait_listeners N [NETNS]: until the namespace has N listeners (5 s).
wait_listeners() {
	local i
	for i in $(seq 50); do
		[ "$(stat listeners "${2:-}")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Start a listener in the background (NETNS may be ""): its records go to
# FILE. Sets LPID.
listen_bg() {
	local ns=$1 file=$2
	shift 2
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$CTL" listen -v "$@" >"$file" 2>"$file.err" &
	else
		"$CTL" listen -v "$@" >"$file" 2>"$file.err" &
	fi
	LPID=$!
	echo "$LPID" >>"$PIDS_FILE"
}

# Background job of a test, killed after it if still running.
track() {
	echo "$1" >>"$PIDS_FILE"
}

# Stop a listener the friendly way (it unregisters and drains).
listen_stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# Packets of every record in a listener's output (-v: "event" lines are
# not records).
records_sum() {
	awk '/^event / { next }
		{ for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) }
		END { print s + 0 }' "$1"
}

# Each event carries the listener's "delivered" counter before it: it must
# equal the packets of all the records received before, whatever was lost
# in between. Prints the first mismatch, if any.
events_consistent() {
	awk '/^event / {
			for (i = 2; i < NF; i++) if ($i == "delivered") d = $(i + 1)
			if (d != s) { print "event " $3 ": delivered " d \
				" but " s " received before"; exit }
			next
		}
		{ for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) }' "$1"
}

# After traffic: wait until nothing moves across two flush intervals, so
# that everything nft counted has been flushed. Sets NFT and STATS.
settle() {
	local i n1 n2 wait_s
	wait_s=$(awk -v ms="$FLUSH_MS" 'BEGIN { printf "%.2f", ms * 2.5 / 1000 }')
	for i in $(seq 20); do
		n1=$(nft_count)
		sleep "$wait_s"
		STATS=$("$CTL" stats)
		n2=$(nft_count)
		# A neighbour still being resolved (replies to spoofed on-link
		# sources) ends in ICMP host unreachable to ourselves, seconds
		# later: 40 such packets came after a settle, before UNREGISTER's
		# final flush.
		if [ "$n1" = "$n2" ] && [ -z "$(ip neigh show nud incomplete)" ]; then
			NFT=$n1
			return 0
		fi
	done
	return 1
}

# Field of the settled STATS: stats_get KEY, stats_listener FIELD [N].
stats_get() {
	echo "$STATS" | awk -v k="$1" '$1 == k { print $2 }'
}

stats_listener() {
	echo "$STATS" | awk -v f="$1" -v n="${2:-1}" '$1 == "listener" &&
		++c == n { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }'
}

# Problems the kernel logged since the mark (dmesg lines after it).
dmesg_mark() {
	echo "nlicmp-test mark $1" >/dev/kmsg
}

dmesg_problems() {
	dmesg | sed -n "/nlicmp-test mark $1/,\$p" |
		grep -E 'BUG|WARNING|Oops|general protection|Call Trace|Objects remaining|leak|Poison|Redzone|corrupt' || :
}
