#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end backend tests: the real module and collectd plugin feeding real
# Graphite (carbon-cache + graphite-web), InfluxDB 1.x and Prometheus, a
# two-host fleet, and the Grafana dashboards' queries against those servers.
#   tests/backends/run.sh [KVER|6.1|6.12]      (default: the newest kernel)
# One guest boot runs the module, three collectd instances, carbon-cache,
# influxd and prometheus (tests/backends/guest.sh); graphite-web then serves
# the whisper files carbon wrote there from this side (Django under TCG
# takes minutes to start), for the Graphite value and dashboard checks.
# Needs the plugin built (./autogen.sh && ./configure && make, or
# NLICMP_PLUGIN_SO=/path/netlink_icmp.so).
# Prints "PASS name" / "FAIL name: why" per test, then "N passed, N failed";
# exits non-zero if any test failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
PY=/usr/bin/python3
out=$top/build/tests/backends
mkdir -p "$out"

passed=0 failed=0
result() {	# LINE
	echo "$1"
	case $1 in
	PASS*) passed=$((passed + 1)) ;;
	FAIL*) failed=$((failed + 1)) ;;
	esac
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

for p in carbon-cache influxd prometheus promtool collectd curl; do
	command -v "$p" >/dev/null || { result "FAIL deps: $p not installed (scripts/deps.sh)"; finish; }
done

plugin=${NLICMP_PLUGIN_SO:-$top/plugin/.libs/netlink_icmp.so}
[ -f "$plugin" ] || {
	result "FAIL build: $plugin missing (./autogen.sh && ./configure && make)"
	finish
}
# The guest sees this machine's root except /tmp, /run and /var (its own).
cp "$plugin" "$out/netlink_icmp.so" || { result "FAIL build: cannot copy $plugin"; finish; }
plugin=$out/netlink_icmp.so
if [ $# -gt 0 ]; then
	kver=$(tests/vm/kernels.sh "$1") || { result "FAIL kernel $1: not installed"; finish; }
else
	kver=$(tests/vm/kernels.sh | tail -n 1)
fi
if ! ko=$(tests/vm/build-kmod.sh "$kver" 2>"$out/build-$kver.log"); then
	result "FAIL build [$kver]: $(tail -n 5 "$out/build-$kver.log")"
	finish
fi

# The dashboards in the tree are what generate.py writes.
gen=$(mktemp -d)
stale=""
"$PY" contrib/grafana/generate.py "$gen" >/dev/null || stale="generate.py failed"
for f in "$gen"/*.json; do
	cmp -s "$f" "contrib/grafana/${f##*/}" || stale="$stale ${f##*/}"
done
if [ -n "$stale" ]; then
	result "FAIL dashboards_generated: differ from generate.py's output:$stale"
else
	result "PASS dashboards_generated"
fi
rm -rf "$gen"

# The Prometheus alerting rules: valid, and alerting as their unit tests
# say (promtool ships with Debian's prometheus).
for t in "check rules netlink_icmp.rules.yml" \
	"test rules netlink_icmp.rules.test.yml"; do
	name=prometheus_rules_${t%% *}
	# shellcheck disable=SC2086 # t is two words and a file name
	if msg=$(cd contrib/prometheus && promtool $t 2>&1); then
		result "PASS $name"
	else
		result "FAIL $name: $(tr '\n' ' ' <<<"$msg" | cut -c1-600)"
	fi
done

# A slow (debug) kernel's factor: vm.sh scales its timeout by it and passes
# it to the guest (NLICMP_* variables), where guest.sh scales collectd's
# Interval, the traffic's pace and its waits.
scale=${NLICMP_VM_TIMEOUT_SCALE:-1}
case $scale in '' | *[!0-9]* | 0) result "FAIL setup: NLICMP_VM_TIMEOUT_SCALE '$scale' is not a positive integer"; finish ;; esac
rm -f "$out/graphite.expect"
share=$(mktemp -d "$out/run.XXXXXX")
trap 'rm -rf "$share"' EXIT
t0=$(date +%s)
tests/vm/vm.sh -k "$kver" -c 2 -m 2048 -t 900 -w "$share" -- \
	env KO="$ko" PLUGIN_SO="$plugin" OUT="$share" bash tests/backends/guest.sh \
	>"$out/guest.log" 2>"$out/guest.err"
rc=$?
while read -r line; do
	case $line in PASS* | FAIL*) result "$line [$kver]" ;; esac
done <"$out/guest.log"
[ $rc = 0 ] || result "FAIL vm [$kver]: exit status $rc (see $out/guest.err)"
echo "guest: $(($(date +%s) - t0)) s" >&2
cp "$share"/*.log "$share"/graphite.expect "$out/" 2>/dev/null

# graphite-web on this side, over the whisper files carbon wrote in the guest.
if [ -d "$share/whisper" ]; then
	# shellcheck disable=SC2034 # used by lib/servers.sh
	NLB_DIR=$share
	NLB_GRAPHITE_WEB_PORT=${NLB_GRAPHITE_WEB_PORT:-18080}
	# shellcheck source=lib/servers.sh
	. "$here/lib/servers.sh"
	mkdir -p "$share/carbon/storage"
	mv "$share/whisper" "$share/carbon/storage/whisper"
	nlb_start_graphite_web
	if nlb_wait_graphite_web 240; then
		g=http://127.0.0.1:$NLB_GRAPHITE_WEB_PORT
		chk() { result "$("$PY" "$here/check_series.py" "$@" 2>>"$out/check-graphite.log") [$kver]"; }
		# Graphite holds rates (StoreRates true).  The guest primed every
		# named source with one ping before the counted ones, so the rates
		# integrate to the counted pings, within one interval: collectd's
		# reads drift under TCG, and when two land in one whisper slot the
		# earlier is overwritten (one interval at 5 pings/s: 5, 6 with the
		# rate jitter seen; at edge-b's 20/s: 21).  edge-b's busy sources
		# send until stopped and on a slow kernel every pace differs, so the
		# guest writes the expectations (graphite.expect): the counts sent,
		# within one interval at the pace each source kept, plus one.
		# edge-b's other is not primed: its first value yields no rate.  The
		# counter backends are checked exactly, in the guest.
		rm -f "$out/check-graphite.log"
		# From the traffic's start, whatever the guest's checks took.
		range=$((1800 * scale))
		t_traffic=$(sed -n 's/^t_traffic \([0-9][0-9]*\)$/\1/p' "$share/graphite.expect" 2>/dev/null)
		[ -z "$t_traffic" ] || [ $(($(date +%s) - t_traffic + 600)) -le "$range" ] ||
			range=$(($(date +%s) - t_traffic + 600))
		for t in graphite_series fleet_graphite; do
			mapfile -t exp < <(sed -n "s/^$t //p" "$share/graphite.expect" 2>/dev/null)
			if [ ${#exp[@]} = 0 ]; then
				result "FAIL $t [$kver]: no expectations from the guest ($share/graphite.expect)"
				continue
			fi
			chk "$t" graphite "$g" --tries 3 --range "$range" "${exp[@]}"
		done
		if "$PY" "$here/validate_dashboards.py" --graphite "$g" --range "$range" \
			--expect-host edge-a --expect-host edge-b \
			contrib/grafana/netlink_icmp-graphite.json >"$out/validate-graphite.log" 2>&1; then
			result "PASS dashboards_graphite [$kver]"
		else
			result "FAIL dashboards_graphite [$kver]: $(grep -E '^FAIL' "$out/validate-graphite.log" | head -n 5 | tr '\n' ' ')"
		fi
		sed 's/^/  /' "$out/validate-graphite.log" >&2
	else
		result "FAIL graphite_web: not ready ($(tail -n 3 "$share/log/graphite-web.log" 2>/dev/null))"
	fi
	nlb_stop_all
	# Keep the last run's whisper files for a look (graphite-web/whisper-dump).
	rm -rf "$out/whisper"
	mv "$share/carbon/storage/whisper" "$out/whisper"
else
	result "FAIL graphite_series [$kver]: no whisper files came back from the guest"
fi
finish
