#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The race soak (tests/debugkernel/soak_guest.sh) in a 2-vCPU guest booting
# the debug kernel (build.sh; NLICMP_VM_KERNEL_DIR picks another kernel
# directory). The soak's loops stop after 8 minutes (SOAK_MAX_S); the guest,
# boot and set-up included, is killed 6 minutes after that at the latest. Any
# KASAN, lockdep, RCU, kmemleak or sleep-in-atomic report, or a taint, fails
# it (vm.sh exits 125).
#   tests/debugkernel/soak.sh [KVER|6.1|6.12]   (SOAK_S, SOAK_MAX_S,
#                 CHAOS_S, RELOADS, CYCLES: see soak_guest.sh)
# KVER: an installed stock kernel instead (no checkers but slub_debug, and
# KFENCE on 6.12), for a soak where the debug kernel is not built.
# Prints PASS/FAIL lines and "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=$top/build/tests/soak
mkdir -p "$out"

if [ $# -gt 0 ]; then
	unset NLICMP_VM_KERNEL_DIR
	kver=$(tests/vm/kernels.sh "$1") || exit 2
else
	if [ -z "${NLICMP_VM_KERNEL_DIR:-}" ]; then
		NLICMP_VM_KERNEL_DIR=$(bash tests/debugkernel/build.sh) || {
			echo "FAIL debug kernel: build failed"
			echo "0 passed, 1 failed"
			exit 1
		}
	fi
	export NLICMP_VM_KERNEL_DIR
	kver=$(tests/vm/kernels.sh | tail -n 1)
fi

cc -O2 -Wall -Wextra -Werror -Iinclude -o "$out/nlicmp_modtool" \
	tests/module/nlicmp_modtool.c || exit 2
cc -O2 -fno-strict-aliasing -Wall -o "$out/icmpflood" tests/bench/icmpflood.c -lm || exit 2
ctl=$top/plugin/nlicmpctl
if [ ! -x "$ctl" ]; then
	ctl=$out/nlicmpctl
	# shellcheck disable=SC2046
	cc -O2 -Wall -Iinclude -Iplugin -o "$ctl" plugin/nlicmpctl.c \
		plugin/nlicmp_client.c plugin/icmp_names.c \
		$(pkg-config --cflags --libs libnl-genl-3.0) || exit 2
fi
if ! ko=$(tests/vm/build-kmod.sh "$kver" W=1 2>"$out/build.log"); then
	echo "FAIL build [$kver]: $(tail -n 5 "$out/build.log")"
	echo "0 passed, 1 failed"
	exit 1
fi

log=$out/guest-$kver.log
# Boot and topology took up to 4 min on the debug kernel under TCG: the
# guest is killed 6 min after SOAK_MAX_S at the latest.
cap=$((${SOAK_MAX_S:-480} + 360))
NLICMP_VM_LOG=$out/kernel-$kver.log tests/vm/vm.sh -k "$kver" -c 2 -m 1536 -t "$cap" -- \
	env KO="$ko" CTL="$ctl" TOOL="$out/nlicmp_modtool" FLOOD="$out/icmpflood" \
	SOAK_S="${SOAK_S:-300}" SOAK_MAX_S="${SOAK_MAX_S:-480}" \
	CHAOS_S="${CHAOS_S:-20}" RELOADS="${RELOADS:-10}" CYCLES="${CYCLES:-200}" \
	bash tests/debugkernel/soak_guest.sh >"$log" 2>"$log.err"
rc=$?
passed=0 failed=0
while read -r line; do
	case $line in
	PASS*) echo "$line [$kver]"; passed=$((passed + 1)) ;;
	FAIL*) echo "$line [$kver]"; failed=$((failed + 1)) ;;
	soak:*) echo "$line" ;;
	esac
done <"$log"
# soak_guest.sh exits 1 when a check failed; anything else is the VM's.
if [ $rc != 0 ] && { [ $rc != 1 ] || [ $failed = 0 ]; }; then
	echo "FAIL vm [$kver]: vm.sh exit status $rc (kernel log: $out/kernel-$kver.log)"
	grep -v '^    ' "$log.err" | tail -n 60 | sed 's/^/  /'
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
