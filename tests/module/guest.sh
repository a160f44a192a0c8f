#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest (tests/module/run.sh boots it): every test_* function
# of tests/module/t_*.sh, or only those named in $NLICMP_TESTS, each in its
# own subshell with the module freshly loaded by the test itself.
# Prints "PASS name" / "FAIL name: why" per test.
here=$(cd "$(dirname "$0")" && pwd)
: "${KO:?}" "${CTL:?}" "${TOOL:?}"
export KO CTL TOOL FLOOD
. "$here/lib.sh"
for f in "$here"/t_*.sh; do
	. "$f"
done

tests=${NLICMP_TESTS:-$(declare -F | awk '$3 ~ /^test_/ { sub(/^test_/, "", $3); print $3 }')}
reason=$(mktemp)
PIDS_FILE=$(mktemp)
export PIDS_FILE
for t in $tests; do
	: >"$reason"
	: >"$PIDS_FILE"
	start=$(date +%s)
	(set -u; "test_$t") 3>"$reason"
	rc=$?
	# Whatever the test left behind.
	for pid in $(cat "$PIDS_FILE"); do
		kill -KILL "$pid" 2>/dev/null
	done
	topo_down
	nft_down
	unload
	dur=$(($(date +%s) - start))
	if [ $rc = 0 ]; then
		echo "PASS $t (${dur}s)"
	else
		why=$(tr '\n' ' ' <"$reason")
		echo "FAIL $t: ${why:-exit status $rc} (${dur}s)"
	fi
done
rm -f "$reason" "$PIDS_FILE"
