#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages: builds them (dpkg-buildpackage, from a copy of the
# tree), runs lintian, renders the man pages, checks that every place
# states the same version; then builds release N+1 and, in a VM guest per
# kernel, installs N, runs collectd on it, upgrades to N+1 and purges
# (tests/package/guest.sh).
#   tests/package/run.sh [KVER|6.1|6.12]...  (default: every installed kernel)
# The guests run with NLICMP_PACKAGE_GUEST=yes only: in each, DKMS
# compiles the module for both kernels at the install and again at the
# upgrade, under TCG (about 25 min per guest).
# Prints "PASS name" / "FAIL name: why" per test, then "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=$top/build/tests/package
mkdir -p "$out"

passed=0 failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
	echo "$passed passed, $failed failed"
	[ $failed = 0 ] && [ $passed -gt 0 ]
	exit
}

version=$(sh scripts/version.sh)
next=$version+1
s=$(date +%s)
if ! tests/package/build.sh "$out/n" >/dev/null; then
	fail "build: see $out/n/build.log"
	finish
fi
pass "build $version ($(($(date +%s) - s)) s)"
dkms_deb=$out/n/netlink-icmp-dkms_${version}_all.deb
plugin_deb=$out/n/collectd-netlink-icmp_${version}_amd64.deb

# lintian: no error and no warning that is not overridden (with a reason,
# in debian/*.lintian-overrides).
if lint=$(lintian --fail-on error,warning "$dkms_deb" "$plugin_deb" 2>&1 |
	grep -v '^running with root privileges'); [ -z "$lint" ]; then
	pass lintian
else
	fail "lintian: $lint"
fi

x=$out/n/extract
rm -rf "$x" && mkdir -p "$x"
dpkg-deb -x "$dkms_deb" "$x" && dpkg-deb -x "$plugin_deb" "$x" || fail extract
for m in man8/nlicmpctl.8 man5/collectd-netlink_icmp.5 man4/netlink_icmp.4; do
	f=$x/usr/share/man/$m.gz
	if [ ! -f "$f" ]; then
		fail "man ${m#*/}: not in the packages"
	elif w=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null) && [ -z "$w" ] &&
		[ "$(MANWIDTH=80 man -l "$f" 2>/dev/null | wc -l)" -gt 20 ]; then
		pass "man ${m#*/}"
	else
		fail "man ${m#*/}: $w"
	fi
done

# One version: the header (scripts/version.sh), debian/changelog, both
# packages, the DKMS tree's name and dkms.conf, nlicmpctl --version. The
# module's MODULE_VERSION is checked where DKMS builds it, below.
why=''
[ "$(dpkg-parsechangelog -SVersion)" = "$version" ] || why+=" changelog"
for d in "$dkms_deb" "$plugin_deb"; do
	[ "$(dpkg-deb -f "$d" Version)" = "$version" ] || why+=" ${d##*/}"
done
grep -qx "PACKAGE_VERSION=\"$version\"" "$x/usr/src/netlink-icmp-$version/dkms.conf" 2>/dev/null ||
	why+=" dkms.conf"
grep -qx "PACKAGE_NAME=\"netlink-icmp\"" "$x/usr/src/netlink-icmp-$version/dkms.conf" 2>/dev/null ||
	why+=" dkms-name"
grep -q "^#define NLICMP_RELEASE[[:space:]]*\"$version\"" "$x/usr/src/netlink-icmp-$version/netlink_icmp.h" ||
	why+=" dkms-header"
[ "$("$x/usr/bin/nlicmpctl" --version | cut -d' ' -f1,2)" = "nlicmpctl $version" ] ||
	why+=" nlicmpctl"
if [ -z "$why" ]; then pass "version $version"; else fail "version $version: differs in$why"; fi

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(tests/vm/kernels.sh)
fi

# A throwaway MOK pair for DKMS to sign with (made here: the guest's
# entropy pool takes long to fill under TCG).
mkdir -p "$out/mok"
if ! openssl req -new -x509 -nodes -days 2 -subj "/CN=netlink_icmp throwaway test key" \
	-newkey rsa:2048 -keyout "$out/mok/mok.key" -outform DER \
	-out "$out/mok/mok.pub" >/dev/null 2>&1; then
	fail "openssl: no MOK key pair"
	finish
fi

# Secure Boot: DKMS, building the packaged source tree, signs the module
# with the MOK pair it is pointed at (mok_signing_key, mok_certificate in
# framework.conf.d), and the module's version is the release. A private
# mount namespace keeps the host's /etc/dkms as it is.
for k in "${kernels[@]}"; do
	kver=$(tests/vm/kernels.sh "$k") || { fail "kernel $k: not installed"; continue; }
	d=$(mktemp -d) && mkdir "$d/tree"
	unshare -m bash -c '
		mount -t tmpfs tmpfs /etc/dkms/framework.conf.d &&
		printf "mok_signing_key=%s\nmok_certificate=%s\n" "$1/mok.key" "$1/mok.pub" \
			>/etc/dkms/framework.conf.d/test.conf &&
		dkms add "netlink-icmp/$2" --sourcetree "$3" --dkmstree "$4" &&
		dkms build "netlink-icmp/$2" -k "$5" --sourcetree "$3" --dkmstree "$4"' \
		_ "$out/mok" "$version" "$x/usr/src" "$d/tree" "$kver" >"$d/log" 2>&1
	ko=$(find "$d/tree" -name 'netlink_icmp.ko*' 2>/dev/null | head -n 1)
	if [ -z "$ko" ]; then
		fail "dkms sign [$kver]: no module built: $(tail -n 5 "$d/log")"
	elif [ "$(modinfo -F signer "$ko")" != "netlink_icmp throwaway test key" ]; then
		fail "dkms sign [$kver]: signer '$(modinfo -F signer "$ko")'"
	elif [ "$(modinfo -F version "$ko")" != "$version" ]; then
		fail "dkms sign [$kver]: MODULE_VERSION $(modinfo -F version "$ko")"
	else
		pass "dkms sign [$kver]"
	fi
	rm -rf "$d"
done

# BUILD_EXCLUSIVE_KERNEL: DKMS skips a kernel older than 6.1 (exit 77,
# which DKMS's postinst reports as "Skipped." and goes on) instead of
# failing to compile for it and failing the package's install.
# A 6.1 kernel is not excluded (it fails further on: no headers here).
d=$(mktemp -d) && mkdir "$d/tree"
dkms add "netlink-icmp/$version" --sourcetree "$x/usr/src" --dkmstree "$d/tree" >"$d/log" 2>&1
dkms build "netlink-icmp/$version" -k 5.10.0-0-nlicmp-old \
	--sourcetree "$x/usr/src" --dkmstree "$d/tree" >>"$d/log" 2>&1
rc=$?
dkms build "netlink-icmp/$version" -k 6.1.0-0-nlicmp-new \
	--sourcetree "$x/usr/src" --dkmstree "$d/tree" >"$d/log61" 2>&1
rc61=$?
if [ $rc = 77 ] && grep -q BUILD_EXCLUSIVE "$d/log" &&
	[ $rc61 != 77 ] && ! grep -q BUILD_EXCLUSIVE "$d/log61"; then
	pass "dkms skips kernels before 6.1"
else
	fail "dkms skips kernels before 6.1: 5.10 exit status $rc, 6.1 exit status $rc61: $(tail -n 3 "$d/log" "$d/log61")"
fi
rm -rf "$d"

[ "${NLICMP_PACKAGE_GUEST:-no}" = yes ] || finish

s=$(date +%s)
if ! tests/package/build.sh "$out/next" "$next" >/dev/null; then
	fail "build $next: see $out/next/build.log"
	finish
fi
pass "build $next ($(($(date +%s) - s)) s)"

for k in "${kernels[@]}"; do
	kver=$(tests/vm/kernels.sh "$k") || { fail "kernel $k: not installed"; continue; }
	log=$out/guest-$kver.log
	s=$(date +%s)
	# 2 vCPUs: DKMS builds with make -j2. Four DKMS builds under TCG
	# (two kernels, install and upgrade): the guest gets 60 min.
	tests/vm/vm.sh -k "$kver" -c 2 -m 1536 -t 3600 -- \
		env DEBS="$out/n" DEBS_NEXT="$out/next" VERSION="$version" \
		VERSION_NEXT="$next" MOK="$out/mok" bash tests/package/guest.sh >"$log" 2>"$log.err"
	rc=$?
	nfail=0
	while read -r line; do
		case $line in
		PASS*) echo "$line [$kver]"; passed=$((passed + 1)) ;;
		FAIL*) echo "$line [$kver]"; nfail=$((nfail + 1)) ;;
		esac
	done <"$log"
	failed=$((failed + nfail))
	if [ $rc != 0 ] && { [ $rc != 1 ] || [ $nfail = 0 ]; }; then
		fail "vm [$kver]: exit status $rc (see $log, $log.err)"
		tail -n 20 "$log.err" | sed 's/^/  /' >&2
	fi
	echo "    guest $kver: $(($(date +%s) - s)) s" >&2
done
finish
