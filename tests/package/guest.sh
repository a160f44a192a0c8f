#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages on a real system, run as root in the VM guest by
# run.sh (cwd: the repository). Needs in the environment: DEBS (directory
# of release N's .debs), DEBS_NEXT (release N+1's), VERSION, VERSION_NEXT,
# MOK (a directory with a throwaway mok.key and mok.pub).
#
# The guest's root is the host's, read-only. An overlay (tmpfs upper) over
# it is the system under test: dpkg, DKMS, modprobe and collectd run
# chrooted in it and see the host's dpkg database, kernels and headers;
# nothing reaches the host. What the packages leave behind after a purge is
# what the overlay's upper layer holds that neither the lower layer nor the
# state before the install had.
#
# Steps, each a test, in order (a failed step fails the ones after it):
# install, signed, version, inert, e2e, upgrade, reload, purge.
set -uo pipefail

kver=$(uname -r)
ov=/tmp/nlicmp-ov
root=$ov/root
t=/tmp/pkgtest            # inside the overlay: $root$t outside
snippet=/etc/collectd/collectd.conf.d/netlink_icmp.conf
key_cn=$(openssl x509 -inform DER -in "$MOK/mok.pub" -noout -subject -nameopt multiline |
	sed -n 's/^ *commonName *= *//p')
pkgs="netlink-icmp-dkms collectd-netlink-icmp"
# Kernels that are not really there, for the postinst to cope with: one
# without headers, one whose headers do not build (an include/ and nothing
# else), one before 6.1 (dkms.conf's BUILD_EXCLUSIVE_KERNEL) whose build
# link is the running kernel's.
noheaders=6.1.0-0-nlicmp-noheaders
badbuild=6.1.0-0-nlicmp-badbuild
oldkver=5.10.0-0-nlicmp-old

REASON=''
fail() {
	REASON=$*
	return 1
}
log() { echo "    $*" >&2; }
R() { chroot "$root" "$@"; }

# ---- the overlay ----

overlay_up() {
	mkdir -p "$ov" && mount -t tmpfs -o size=1536m nlicmp-ov "$ov" &&
		mkdir -p "$ov/upper" "$ov/work" "$root" "$ov/lower" &&
		mount --bind / "$ov/lower" &&
		mount -t overlay overlay \
			-o "lowerdir=$ov/lower,upperdir=$ov/upper,workdir=$ov/work" "$root" ||
		return 1
	mount --rbind /dev "$root/dev" &&
		mount -t proc proc "$root/proc" &&
		mount --rbind /sys "$root/sys" &&
		mount -t tmpfs tmpfs "$root/run" &&
		mount -t tmpfs tmpfs "$root/tmp" || return 1
	mkdir -p "$root$t/notif" "$root$t/mok" && chmod 1777 "$root$t/notif"
}

overlay_down() {
	umount -R "$root" 2>/dev/null
	umount "$ov/lower" 2>/dev/null
	umount "$ov" 2>/dev/null
}

# The system as an operator has it before installing: Debian's default
# collectd.conf (what the collectd package installs from collectd-core's
# example), a DKMS MOK key pair, and the test's own collectd outputs.
system_up() {
	local k
	cp /usr/share/doc/collectd-core/examples/collectd.conf \
		"$root/etc/collectd/collectd.conf" || return 1
	# DKMS signs with mok_signing_key/mok_certificate (Debian 12 default
	# /var/lib/dkms/mok.key, mok.pub): run.sh's throwaway pair here.
	cp "$MOK/mok.key" "$MOK/mok.pub" "$root$t/mok/" || return 1
	printf 'mok_signing_key=%s\nmok_certificate=%s\n' \
		"$t/mok/mok.key" "$t/mok/mok.pub" \
		>"$root/etc/dkms/framework.conf.d/nlicmp-test.conf" || return 1
	# Debian's collectd.conf has FQDNLookup true: collectd exits unless
	# the host name resolves, as it does on an installed Debian system
	# (the installer writes "127.0.1.1 <name>" to /etc/hosts).
	grep -qw "$(hostname)" "$root/etc/hosts" ||
		printf '127.0.1.1\t%s\n' "$(hostname)" >>"$root/etc/hosts" || return 1
	# man-db's trigger would index every manual page over 9p under TCG
	# (minutes); t_inert finds the pages with man -w, which needs no index.
	rm -f "$root/var/lib/man-db/auto-update"
	# DKMS's own postinst builds for the running kernel and the newest
	# one (by /boot/config-*): with the others' configs hidden, that is
	# the running kernel only, and every other kernel is left to the
	# package's own loop, which this test is about.
	for k in "$root"/boot/config-*; do
		[ "${k##*/config-}" = "$kver" ] || rm -f "$k"
	done
	mkdir -p "$root/lib/modules/$noheaders" "$root/lib/modules/$badbuild/build/include" \
		"$root/lib/modules/$oldkver" || return 1
	ln -s "/lib/modules/$kver/build" "$root/lib/modules/$oldkver/build" || return 1
	# Outputs the test reads; this file sorts before netlink_icmp.conf so
	# its Interval applies to the plugin.
	mkdir -p "$root/etc/collectd/collectd.conf.d" || return 1
	cat >"$root/etc/collectd/collectd.conf.d/00-nlicmp-test.conf" <<EOF
Interval 1
LoadPlugin logfile
<Plugin logfile>
  File "$t/collectd.log"
  LogLevel info
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$t/csv"
  StoreRates false
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "$t/notify.sh" "$t/notif"
</Plugin>
EOF
	[ $? = 0 ] || return 1
	cat >"$root$t/notify.sh" <<'EOF'
#!/bin/sh
cat >"$(mktemp "$1/n.XXXXXXXX")"
EOF
	chmod 755 "$root$t" "$root$t/notify.sh"
}

upper_list() {
	(cd "$ov/upper" && find . -mindepth 1 ! -type c | sort)
}

# ---- traffic: two sources on a bridge ----

net_up() {
	local i ns
	ip link add br0 type bridge && ip link set br0 up &&
		ip addr add 198.51.100.1/24 dev br0 || return 1
	for i in 1 2; do
		ns=s$i
		ip netns add "$ns" &&
			ip link add "vs$i" type veth peer name eth0 netns "$ns" &&
			ip link set "vs$i" master br0 up &&
			ip -n "$ns" link set lo up &&
			ip -n "$ns" addr add "198.51.100.${i}0/24" dev eth0 &&
			ip -n "$ns" link set eth0 up || return 1
	done
}

# ping_from NS COUNT INTERVAL: echo requests to the host.
ping_from() {
	ip netns exec "$1" ping -q -n -c "$2" -i "$3" -W 2 198.51.100.1 \
		>/dev/null 2>&1
}

# ---- collectd, as installed ----

CPID=''
start_collectd() {
	: >"$root$t/collectd.log"
	R /usr/sbin/collectd -f -C /etc/collectd/collectd.conf \
		>"$root$t/collectd.out" 2>&1 &
	CPID=$!
	wait_log "Initialization complete" 30 ||
		fail "collectd did not start: $(tail -n 3 "$root$t/collectd.log" "$root$t/collectd.out")"
}

stop_collectd() {
	local i
	[ -n "$CPID" ] || return 0
	kill "$CPID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	CPID=''
}

wait_log() { # TEXT SECONDS
	local i
	for i in $(seq $(($2 * 5))); do
		grep -qF -- "$1" "$root$t/collectd.log" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# value SOURCE FILE: the last value collectd wrote, "none" if never.
value() {
	local f
	f=$(ls -1 "$root$t"/csv/*/"netlink_icmp-$1/$2"-[0-9]* 2>/dev/null | tail -n 1)
	[ -n "$f" ] || { echo none; return; }
	tail -n 1 "$f" | awk -F, '{ printf "%d\n", $2 }'
}

wait_value() { # SOURCE FILE WANT
	local i
	for i in $(seq 75); do
		[ "$(value "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
	done
	fail "netlink_icmp-$1/$2 is $(value "$1" "$2"), want $3"
}

# wait_notification SEVERITY-REGEX SOURCE MESSAGE-PART
wait_notification() {
	local i f
	for i in $(seq 75); do
		for f in "$root$t"/notif/n.*; do
			[ -f "$f" ] && grep -qxE "Severity: ($1)" "$f" &&
				grep -qx "PluginInstance: $2" "$f" &&
				grep -qF -- "$3" "$f" && return 0
		done
		sleep 0.2
	done
	fail "no $1 notification for '$2' ($3); got: $(cat "$root$t"/notif/n.* 2>/dev/null | tr '\n' ' ' | cut -c1-300)"
}

module_file() {
	R modinfo -n netlink_icmp 2>/dev/null
}

dkms_state() { # VERSION [KERNEL]: "installed", "built", ... or empty
	R dkms status -m netlink-icmp -v "$1" -k "${2:-$kver}" 2>/dev/null |
		sed -n 's/.*: \([a-z]*\).*/\1/p'
}

# Every kernel of the system that has its headers (the host's Debian
# kernels: 6.1 and 6.12), the running one among them.
header_kernels() {
	local d
	for d in "$root"/lib/modules/*/build/include; do
		[ -e "$d" ] || continue
		d=${d%/build/include}
		case ${d##*/} in
		*-nlicmp-*) ;;	# the fakes
		*) echo "${d##*/}" ;;
		esac
	done
}

# VERSION is built, installed and signed for every kernel with headers,
# and for no other.
built_everywhere() {
	local k n=0 f
	for k in $(header_kernels); do
		[ "$(dkms_state "$1" "$k")" = installed ] ||
			fail "$k: dkms status: $(R dkms status 2>&1 | tr '\n' ' ')" || return 1
		f=$(R modinfo -k "$k" -n netlink_icmp 2>/dev/null)
		case $f in
		/lib/modules/"$k"/updates/dkms/netlink_icmp.ko*) ;;
		*) fail "$k: modinfo -n: '$f'" || return 1 ;;
		esac
		[ "$(R modinfo -k "$k" -F version netlink_icmp)" = "$1" ] ||
			fail "$k: version $(R modinfo -k "$k" -F version netlink_icmp)" || return 1
		[ "$(R modinfo -k "$k" -F signer netlink_icmp)" = "$key_cn" ] ||
			fail "$k: not signed by '$key_cn'" || return 1
		n=$((n + 1))
	done
	[ $n -ge 2 ] || fail "only $n kernel(s) with headers: $(header_kernels | tr '\n' ' ')" || return 1
	for k in $noheaders $badbuild $oldkver; do
		case $(dkms_state "$1" "$k") in
		built | installed) fail "built for $k" || return 1 ;;
		esac
	done
	log "$1 built for $n kernels: $(header_kernels | tr '\n' ' ')"
}

# ---- tests ----

L0=''
t_install() {
	local rc
	L0=$(upper_list)
	R env DEBIAN_FRONTEND=noninteractive dpkg -i \
		"$DEBS/netlink-icmp-dkms_${VERSION}_all.deb" \
		"$DEBS/collectd-netlink-icmp_${VERSION}_amd64.deb" >"$ov/install.log" 2>&1
	rc=$?
	cat "$ov/install.log" >&2
	[ $rc = 0 ] || fail "dpkg -i failed (see the .err log)" || return 1
	built_everywhere "$VERSION" || return 1
	# The kernels it could not build for: said, and the install went on.
	grep -q "WARNING: no module for kernel $badbuild" "$ov/install.log" ||
		fail "no warning for $badbuild" || return 1
	grep -q "skipped $oldkver (before 6.1)" "$ov/install.log" ||
		fail "$oldkver not reported as skipped"
}

t_signed() {
	local signer
	signer=$(R modinfo -F signer netlink_icmp)
	[ "$signer" = "$key_cn" ] || fail "signer '$signer', want '$key_cn'"
}

# The version, the same everywhere, from the installed files.
t_version() {
	local v
	v=$(R modinfo -F version netlink_icmp)
	[ "$v" = "$VERSION" ] || fail "modinfo version $v" || return 1
	R modprobe netlink_icmp flush_ms=200 || fail "modprobe failed" || return 1
	[ "$(cat /sys/module/netlink_icmp/version)" = "$VERSION" ] ||
		fail "loaded version $(cat /sys/module/netlink_icmp/version)" || return 1
	v=$(R nlicmpctl --version)
	[ "${v%% *}" = nlicmpctl ] && [ "$(cut -d' ' -f2 <<<"$v")" = "$VERSION" ] ||
		fail "nlicmpctl --version: $v" || return 1
	v=$(R nlicmpctl echo hi)
	[ "$v" = "netlink_icmp $VERSION: hi" ] || fail "echo: $v" || return 1
	[ -f "$root/usr/src/netlink-icmp-$VERSION/dkms.conf" ] &&
		grep -qx "PACKAGE_VERSION=\"$VERSION\"" \
			"$root/usr/src/netlink-icmp-$VERSION/dkms.conf" ||
		fail "dkms.conf of $VERSION"
}

# Installed, nothing is switched on: the snippet and the modules-load.d
# entry are all comments; the man pages are there.
t_inert() {
	local f m
	for f in "$snippet" /etc/modules-load.d/netlink_icmp.conf; do
		[ -f "$root$f" ] || fail "$f missing" || return 1
		! grep -qv -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$root$f" ||
			fail "$f has active lines" || return 1
	done
	for m in nlicmpctl.8 collectd-netlink_icmp.5 netlink_icmp.4; do
		R man -w "${m%.*}" 2>/dev/null | grep -q "${m##*.}/$m" ||
			fail "man page $m not found" || return 1
	done
}

# Enabled as README.Debian says, collectd with Debian's collectd.conf runs
# the installed plugin: exact per-source counts, then an alert.
t_e2e() {
	R sed -i 's/^\([[:space:]]*\)#\([^[:space:]#]\)/\1\2/' "$snippet" ||
		return 1
	grep -qx 'LoadPlugin netlink_icmp' "$root$snippet" ||
		fail "enabling did not work" || return 1
	# Exact per-source counts from a source's first read on: without
	# probation (the default MinReads 2 counts a first read under "other").
	R sed -i 's/^\([[:space:]]*\)MinReads 2$/\1MinReads 1/' "$snippet" &&
		grep -qE '^[[:space:]]*MinReads 1$' "$root$snippet" ||
		fail "MinReads not set" || return 1
	start_collectd || return 1
	wait_log "netlink_icmp plugin: registered as listener" 10 ||
		fail "not registered: $(grep netlink_icmp "$root$t/collectd.log" | tail -n 3)" ||
		return 1
	ping_from s1 5 0.2 &
	ping_from s2 20 0.05
	# That ping only: a bare wait would wait for collectd too.
	wait $!
	wait_value 198.51.100.10 packets-echo_request 5 || return 1
	wait_value 198.51.100.10 total_bytes $((5 * 84)) || return 1
	wait_value 198.51.100.20 packets-echo_request 20 || return 1
	# The snippet's example alert: echo_request from 198.51.100.0/24
	# at WarningRate 100 (per second).
	ip netns exec s2 ping -q -n -f -w 3 198.51.100.1 >/dev/null 2>&1
	# Under TCG the flood's rate varies: WARNING or, past 1000/s, FAILURE.
	wait_notification 'WARNING|FAILURE' 198.51.100.20 "threshold" || return 1
	wait_notification OKAY 198.51.100.20 ""
}

# N+1 over N while the module is loaded and collectd runs: DKMS builds
# N+1 and removes N; the loaded module, collectd and the operator's
# enabled snippet are left as they are.
t_upgrade() {
	local n
	# No --force-confold: the snippet is the same in N and N+1, so dpkg
	# keeps the operator's edits without asking; a prompt (stdin is
	# /dev/null) fails the step.
	R env DEBIAN_FRONTEND=noninteractive dpkg -i \
		"$DEBS_NEXT/netlink-icmp-dkms_${VERSION_NEXT}_all.deb" \
		"$DEBS_NEXT/collectd-netlink-icmp_${VERSION_NEXT}_amd64.deb" </dev/null >&2 ||
		fail "dpkg -i failed (see the .err log)" || return 1
	built_everywhere "$VERSION_NEXT" || return 1
	[ -z "$(R dkms status -m netlink-icmp -v "$VERSION")" ] &&
		[ ! -e "$root/usr/src/netlink-icmp-$VERSION" ] ||
		fail "release $VERSION still in DKMS" || return 1
	[ "$(R modinfo -F version netlink_icmp)" = "$VERSION_NEXT" ] ||
		fail "on disk: $(R modinfo -F version netlink_icmp)" || return 1
	[ "$(R modinfo -F signer netlink_icmp)" = "$key_cn" ] ||
		fail "N+1 not signed" || return 1
	[ "$(cat /sys/module/netlink_icmp/version)" = "$VERSION" ] ||
		fail "the loaded module was replaced" || return 1
	kill -0 "$CPID" 2>/dev/null || fail "collectd stopped" || return 1
	grep -qx 'LoadPlugin netlink_icmp' "$root$snippet" ||
		fail "the enabled snippet was reset" || return 1
	n=$(value 198.51.100.10 packets-echo_request)
	ping_from s1 3 0.2
	wait_value 198.51.100.10 packets-echo_request $((n + 3))
}

# The operator reloads the module: N+1 runs, collectd registers again by
# itself and counts on.
t_reload() {
	local n
	R rmmod netlink_icmp || fail "rmmod" || return 1
	R modprobe netlink_icmp flush_ms=200 || fail "modprobe" || return 1
	[ "$(cat /sys/module/netlink_icmp/version)" = "$VERSION_NEXT" ] ||
		fail "loaded $(cat /sys/module/netlink_icmp/version)" || return 1
	[ "$(R nlicmpctl echo x)" = "netlink_icmp $VERSION_NEXT: x" ] ||
		fail "echo: $(R nlicmpctl echo x)" || return 1
	# The OKAY notification, as the logfile plugin writes it.
	wait_log "registered with the module again" 15 ||
		fail "collectd did not register again" || return 1
	n=$(value 198.51.100.10 packets-echo_request)
	ping_from s1 4 0.2
	wait_value 198.51.100.10 packets-echo_request $((n + 4))
}

# apt purge: no file of the packages, and none they made, is left; the
# loaded module stays loaded until the operator unloads it.
t_purge() {
	local p lists left
	stop_collectd
	lists=$(R dpkg -L $pkgs) || fail "dpkg -L" || return 1
	R env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs >&2 ||
		fail "apt-get purge failed (see the .err log)" || return 1
	for p in $pkgs; do
		! R dpkg -s "$p" >/dev/null 2>&1 || fail "$p still known to dpkg" ||
			return 1
	done
	left=''
	while read -r p; do
		[ -n "$p" ] && [ "$p" != /. ] || continue
		if [ -d "$root$p" ]; then
			# A directory may stay if it was there before the install.
			[ -d "$ov/lower$p" ] || grep -qxF ".$p" <<<"$L0" ||
				left+=" $p/"
		elif [ -e "$root$p" ] || [ -L "$root$p" ]; then
			left+=" $p"
		fi
	done <<<"$lists"
	[ -z "$left" ] || fail "dpkg -L paths left:$left" || return 1
	# New in the upper layer since before the install, and not a changed
	# copy of a lower file: only dpkg's and apt's own records, logs,
	# caches and the test's files may be there.
	left=$(comm -13 <(echo "$L0") <(upper_list) | while read -r p; do
		[ -e "$ov/lower/${p#./}" ] && continue
		case $p in
		./var/lib/dpkg/* | ./var/log/* | ./var/cache/* | ./var/lib/apt/* | \
			./var/lib/collectd | ./var/lib/collectd/*) ;;
		*) echo "$p" ;;
		esac
	done)
	[ -z "$left" ] || fail "left behind: $(tr '\n' ' ' <<<"$left")" ||
		return 1
	[ "$(cat /sys/module/netlink_icmp/version 2>/dev/null)" = "$VERSION_NEXT" ] ||
		fail "purge unloaded the module" || return 1
	rmmod netlink_icmp || fail "rmmod after purge"
}

# ---- runner ----

passed=0 failed=0 broken=''
run() {
	local name=$1 s e
	if [ -n "$broken" ]; then
		echo "FAIL $name: not run, $broken failed"
		failed=$((failed + 1))
		return
	fi
	REASON=''
	s=$(date +%s)
	log "$name: started"
	if "t_$name"; then
		e=$(date +%s)
		echo "PASS $name ($((e - s)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name: ${REASON:-failed}"
		failed=$((failed + 1))
		broken=$name
		[ -f "$root$t/collectd.log" ] &&
			tail -n 15 "$root$t/collectd.log" | sed 's/^/    /' >&2
	fi
}

cleanup() {
	stop_collectd
	rmmod netlink_icmp 2>/dev/null
	overlay_down
}
trap cleanup EXIT

for v in DEBS DEBS_NEXT VERSION VERSION_NEXT MOK key_cn; do
	[ -n "${!v:-}" ] || { echo "FAIL setup: $v not set"; echo "0 passed, 1 failed"; exit 1; }
done
if ! overlay_up || ! system_up || ! net_up; then
	echo "FAIL setup: overlay, system or network"
	echo "0 passed, 1 failed"
	exit 1
fi
run install
run signed
run version
run inert
run e2e
run upgrade
run reload
run purge
echo "$passed passed, $failed failed"
[ $failed = 0 ]
