#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End-to-end tests of the collectd plugin: the real collectd daemon loads the
# built netlink_icmp.so in a VM guest running the real module, namespace
# sources send known ICMP, and the tests read what collectd wrote (csv) and
# the notifications it sent (exec's NotificationExec).
#   tests/plugin/run.sh [KVER|6.1|6.12]   (default: every installed kernel)
# NLICMP_TESTS="exact alerts" runs only those tests; NLICMP_PLUGIN_SO picks
# another build of the plugin (default plugin/.libs/netlink_icmp.so);
# NLICMP_PLUGIN_JOBS guests at once (default 2).
# Prints "PASS name" / "FAIL name: why" per test, then "N passed, N failed";
# exits non-zero if any test failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=$top/build/tests/plugin
mkdir -p "$out"

so=${NLICMP_PLUGIN_SO:-$top/plugin/.libs/netlink_icmp.so}
if [ ! -f "$so" ]; then
	echo "FAIL build: $so not found (./configure && make first)"
	echo "0 passed, 1 failed"
	exit 1
fi
# The guest sees the host's root read-only, /tmp excepted: keep a copy
# under build/.
cp "$so" "$out/netlink_icmp.so" || exit 2
# The CLI, to look at the module's listeners.
if [ -x plugin/nlicmpctl ]; then
	ctl=$top/plugin/nlicmpctl
else
	ctl=$out/nlicmpctl
	# shellcheck disable=SC2046
	cc -O2 -Wall -Iinclude -Iplugin -o "$ctl" plugin/nlicmpctl.c \
		plugin/nlicmp_client.c plugin/icmp_names.c \
		$(pkg-config --cflags --libs libnl-genl-3.0) || exit 2
fi
# The spoofed-flood generator of the benchmarks.
cc -O2 -fno-strict-aliasing -Wall -o "$out/icmpflood" \
	tests/bench/icmpflood.c -lm || exit 2

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(tests/vm/kernels.sh)
fi

# One single-vCPU guest per kernel, all at once (NLICMP_PLUGIN_JOBS, default
# 2: one per host core); the results are reported in kernel order. Every
# module is built first, so no compile competes with a running guest.
jobs=${NLICMP_PLUGIN_JOBS:-2}
case $jobs in
'' | *[!0-9]* | 0) echo "run.sh: NLICMP_PLUGIN_JOBS must be a positive integer, not '$jobs'" >&2; exit 2 ;;
esac
passed=0 failed=0
kvers=() kos=()
for k in "${kernels[@]}"; do
	kver=$(tests/vm/kernels.sh "$k") || {
		echo "FAIL kernel $k: not installed"
		failed=$((failed + 1))
		continue
	}
	case " ${kvers[*]} " in *" $kver "*) continue ;; esac
	if ! ko=$(tests/vm/build-kmod.sh "$kver" 2>"$out/build-$kver.log"); then
		echo "FAIL build [$kver]: $(tail -n 5 "$out/build-$kver.log")"
		failed=$((failed + 1))
		continue
	fi
	kvers+=("$kver")
	kos+=("$ko")
done
for i in "${!kvers[@]}"; do
	kver=${kvers[i]}
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	log=$out/guest-$kver.log
	rm -f "$log.rc"
	(
		# Guests side by side keep their kernel logs apart.
		NLICMP_VM_LOG=${NLICMP_VM_LOG:+$NLICMP_VM_LOG.$kver} \
			tests/vm/vm.sh -k "$kver" -c 1 -m 1024 -t 1500 -- \
			env KO="${kos[i]}" PLUGIN_SO="$out/netlink_icmp.so" FLOOD="$out/icmpflood" CTL="$ctl" \
			NLICMP_TESTS="${NLICMP_TESTS:-}" SCALE="${NLICMP_VM_TIMEOUT_SCALE:-1}" \
			bash tests/plugin/guest.sh >"$log" 2>"$log.err"
		echo $? >"$log.rc"
	) &
done
wait

for kver in "${kvers[@]}"; do
	log=$out/guest-$kver.log
	rc=$(cat "$log.rc" 2>/dev/null || echo 125)
	nfail=0
	while read -r line; do
		case $line in
		PASS*) echo "$line [$kver]"; passed=$((passed + 1)) ;;
		FAIL*) echo "$line [$kver]"; nfail=$((nfail + 1)) ;;
		esac
	done <"$log"
	failed=$((failed + nfail))
	# guest.sh exits 1 when a test failed; anything else is the VM's.
	if [ "$rc" != 0 ] && { [ "$rc" != 1 ] || [ $nfail = 0 ]; }; then
		echo "FAIL vm [$kver]: exit status $rc (see $log, $log.err)"
		tail -n 20 "$log.err" | sed 's/^/  /' >&2
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
