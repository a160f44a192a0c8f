# SPDX-License-Identifier: GPL-2.0
#
# The runner of the self-checks (tests/vm/selftest.sh,
# tests/bench/selftest.sh), sourced: check NAME COMMAND... runs COMMAND
# and prints "ok   NAME" or "FAIL NAME"; checks_done prints "N passed,
# N failed" and fails if a check did.
# shellcheck shell=bash
passed=0
failed=0

check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		failed=$((failed + 1))
	fi
}

checks_done() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
