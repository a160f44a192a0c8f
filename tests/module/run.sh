#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module tests: build the module for one kernel, boot it in the VM test bed
# and run tests/module/t_*.sh there (tests/module/guest.sh).
#   tests/module/run.sh [KVER|6.1|6.12]     (default: every installed kernel)
# NLICMP_TESTS="echo sources" runs only those tests.
# Prints "PASS name" / "FAIL name: why" per test, then "N passed, N failed";
# exits non-zero if any test failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=$top/build/tests/module
mkdir -p "$out"

# Helpers, built on the host (the guest shares its root read-only).
cc -O2 -Wall -Wextra -Werror -Iinclude -o "$out/nlicmp_modtool" \
	tests/module/nlicmp_modtool.c || exit 2
if [ -x plugin/nlicmpctl ] && [ -z "${NLICMPCTL:-}" ]; then
	NLICMPCTL=$top/plugin/nlicmpctl
fi
if [ -z "${NLICMPCTL:-}" ]; then
	# No configured tree: build the CLI alone from its sources.
	# shellcheck disable=SC2046
	cc -O2 -Wall -Iinclude -Iplugin -o "$out/nlicmpctl" plugin/nlicmpctl.c \
		plugin/nlicmp_client.c plugin/icmp_names.c \
		$(pkg-config --cflags --libs libnl-genl-3.0) || exit 2
	NLICMPCTL=$out/nlicmpctl
fi
FLOOD=""
if [ -f tests/bench/icmpflood.c ]; then
	cc -O2 -fno-strict-aliasing -Wall -o "$out/icmpflood" \
		tests/bench/icmpflood.c -lm && FLOOD=$out/icmpflood
fi

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(tests/vm/kernels.sh)
fi

passed=0 failed=0
for k in "${kernels[@]}"; do
	kver=$(tests/vm/kernels.sh "$k") || { echo "FAIL kernel $k: not installed"; failed=$((failed + 1)); continue; }
	if ! ko=$(tests/vm/build-kmod.sh "$kver" W=1 2>"$out/build-$kver.log"); then
		echo "FAIL build [$kver]: $(tail -n 5 "$out/build-$kver.log")"
		failed=$((failed + 1))
		continue
	fi
	log=$out/guest-$kver.log
	NLICMP_TESTS=${NLICMP_TESTS:-} tests/vm/vm.sh -k "$kver" -c 2 -m 1024 -t $((2400 + ${NLICMP_USERNS_N:-24} * 12)) -- \
		env KO="$ko" CTL="$NLICMPCTL" TOOL="$out/nlicmp_modtool" \
		FLOOD="$FLOOD" NLICMP_TESTS="${NLICMP_TESTS:-}" \
		bash tests/module/guest.sh >"$log" 2>"$log.err"
	rc=$?
	while read -r line; do
		case $line in
		PASS*) echo "${line%% (*} [$kver]"; passed=$((passed + 1)) ;;
		FAIL*) echo "${line} [$kver]"; failed=$((failed + 1)) ;;
		esac
	done <"$log"
	grep -v '^\[' "$log.err" | sed 's/^/  /' | grep -v '^  $' >&2 || :
	if [ $rc != 0 ]; then
		echo "FAIL vm [$kver]: vm.sh exit status $rc (see $log.err)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
