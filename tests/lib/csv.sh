# SPDX-License-Identifier: GPL-2.0
#
# What the suites that read collectd's csv output share (tests/plugin in
# the guest, tests/bench), sourced.
# shellcheck shell=bash

# csv_newest: reads csv file paths, one a line, and prints the newest file
# of each series, sorted. collectd's csv writer starts a file a day
# (NAME-YYYY-MM-DD): a run over midnight has two for one series, and only
# the newest holds its last value.
csv_newest() {
	sort | awk '{ t = $0; sub(/-[0-9]+-[0-9]+-[0-9]+$/, "", t); last[t] = $0 }
		END { for (t in last) print last[t] }' | sort
}
