#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of the benchmark (tests/bench/run.sh boots the VM and runs
# this as root). It builds a veth pair between a "gen" namespace and the
# guest's initial namespace, where every path under test counts the ICMP
# that the generator (icmpflood) sends, and appends one CSV line per run to
# RAW. Traffic: documentation prefixes only, every run bounded by count and
# time.
#
# usage: guest.sh PART RAW
#   PART  a: 1 vCPU, every path;  b: 2 vCPUs, the loss comparison;
#         p: perf profiles of a flood, nft alone and with the module
# Environment: see lib.sh.
set -uo pipefail

part=$1
raw=$2
# shellcheck source=tests/bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- main ---------------------------------------------------------------------
# shellcheck disable=SC2086 # lists of words on purpose
want() { case " ${BENCH_PATHS:-nft bpf nflog ulogd l4 module} " in *" $1 "*) return 0 ;; esac; return 1; }
[ -s "$raw" ] || echo "$csv_header" >"$raw"
setup_net
log "guest $(uname -r), $(nproc) vCPU, duration ${dur}s, runs $runs, mixes: $mixes"

have_module=0
if [ -n "$ko" ] && [ -n "$ctl" ] && [ -n "$plugin" ]; then
	have_module=1
else
	log "module/CLI/plugin missing: the module rows are skipped"
fi

# Warm-up (the first run after boot is slower): not recorded.
ip netns exec gen "$bin/icmpflood" -i va -m "$mac_b" -d 203.0.113.254 \
	-c 100000000 -t 1 -q >/dev/null

case $part in
a)
	# nft alone costs the same whatever the sources: its IPv6 baseline for
	# 10k sources is the 1M-source run (report.sh).
	nft_mixes=""
	for m in $mixes; do
		[ "$m" = s10k ] && [[ " $mixes " == *" s1M "* ]] && continue
		nft_mixes+=" $m"
	done
	want nft && bench nft $nft_mixes
	# The BPF map's interesting mixes: few sources, and an overflow.
	bpf_mixes=""
	for m in $mixes; do
		case $m in s1 | s100 | s1M) bpf_mixes+=" $m" ;; esac
	done
	want bpf && bench bpf $bpf_mixes
	want nflog && bench nflog s1 s100
	want ulogd && bench ulogd s1
	if [ "$have_module" = 1 ] && want module; then
		insmod "$ko" max_entries=$table_entries || { log "insmod failed"; have_module=0; }
	fi
	if [ "$have_module" = 1 ] && want module; then
		slab_before=$(slab_kb)
		bench module $mixes
		grep -i nlicmp /proc/slabinfo >&2 || true
		log "slab after the module runs: $(( $(slab_kb) - slab_before )) kB more than before"
	fi
	# UDP/TCP without the module, then with it and collectd registered,
	# alternated run by run so that a drift of the host hits both alike.
	if want l4; then
		l4_runs unloaded 0	# warm-up, not in the report
		for r in $(seq "$runs"); do
			module_loaded && rmmod netlink_icmp
			l4_runs unloaded "$r"
			[ "$have_module" = 1 ] && want module || continue
			insmod "$ko" max_entries=$table_entries || break
			cur_mix=s1
			start_module || break
			l4_runs listener "$r"
			kill -TERM "$consumer_pid"
			wait "$consumer_pid"
		done
		[ "$have_module" = 1 ] && ! module_loaded && insmod "$ko" max_entries=$table_entries
	fi
	if [ -n "$sweep" ]; then
		# Offered rates: fractions of this boot's nft-only ceiling (s1).
		ceiling=$(awk -F, '$1 == "a" && $2 == "nft" && $3 == "s1" && $6 != "0" { print $11 }' "$raw" |
			sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
		rates=""
		for f in $sweep; do
			rates+=" $(awk -v c="$ceiling" -v f="$f" 'BEGIN { printf "%d", c * f }')"
		done
		sweep=$rates
		log "sweep at $sweep pps (ceiling $ceiling)"
		for p in nft nflog ulogd module; do
			[ "$p" = module ] && [ "$have_module" != 1 ] && continue
			want "$p" && sweep_path "$p"
		done
	fi
	;;
p)	# Profiles (perf, cpu-clock: TCG has no PMU; run.sh boots this part
	# with -icount, so samples fall every N guest instructions) of a
	# 100-source flood: nft alone, the module + collectd, NFLOG + reader;
	# no echo replies, as in the cost runs.
	no_echo_replies || exit 1
	for p in nft module nflog; do
		want "$p" || continue
		[ "$p" = module ] && { [ "$have_module" = 1 ] && insmod "$ko" max_entries=$table_entries || continue; }
		[ "$p" = nflog ] && module_loaded && rmmod netlink_icmp
		cur_mix=s100
		"start_$p" || continue
		# Bounded by count: under -icount the guest runs ~20M
		# instructions per host second.
		perf record -q -e cpu-clock -F 10000 -a -o "$tmp/perf.$p" -- \
			ip netns exec gen "$bin/icmpflood" -i va -m "$mac_b" \
			-d 203.0.113.254 -n 100 -c 20000 -t "$dur" -q >&2
		[ -n "$consumer_pid" ] && { kill -TERM "$consumer_pid"; wait "$consumer_pid"; }
		[ "$p" = nflog ] && stop_nflog
		# The consumer's share of the busy samples (idle, "swapper", left
		# out: it depends on the window); run.sh adds the module's, from
		# its nlicmp_ symbols (perf files them under kallsyms).
		perf report -q -i "$tmp/perf.$p" --no-children --sort comm 2>/dev/null |
			awk -v p="$p" '{ v = $1 + 0 }
				$2 == "swapper" { idle += v; next }
				$2 ~ /^(collectd|reader#|writer#|nflog_count)/ { c += v }
				END { b = 100 - idle; if (b <= 0) b = 1
					printf "=== %s: share of busy samples in the consumer: %.2f%% (idle %.1f%% of all)\n",
						p, 100 * c / b, idle }' >&2
		echo "=== $p: top symbols (self) ===" >&2
		perf report -q -i "$tmp/perf.$p" --no-children --sort sym \
			--percent-limit 1 2>/dev/null | head -25 >&2
		echo "=== $p: by command and object ===" >&2
		perf report -q -i "$tmp/perf.$p" --no-children --sort comm,dso \
			--percent-limit 0.5 2>/dev/null | head -25 >&2
		echo "=== $p: netlink_icmp symbols ===" >&2
		perf report -q -i "$tmp/perf.$p" --no-children --sort dso,sym \
			2>/dev/null | grep -i 'netlink_icmp\|nlicmp' | head -15 >&2
	done
	;;
b*)	# ulogd2 against the module with 2 or 4 vCPUs (the loss target)
	want ulogd && bench ulogd s1
	if [ "$have_module" = 1 ] && want module && insmod "$ko" max_entries=$table_entries; then
		bench module s1
	fi
	;;
esac
grep -h . /proc/net/snmp6 | grep -E 'Icmp6InCsumErrors' >&2
nstat -az 2>/dev/null | grep -E 'IcmpInCsumErrors|Icmp6InCsumErrors' | sed "s/^/$part,csum,/" >&2
awk '/Icmp6InCsumErrors/ {print "csum6=" $2}' /proc/net/snmp6 >"$raw.csum.$part"
awk '/^Icmp:/ && !h {for (i = 1; i <= NF; i++) n[i] = $i; h = 1; next}
     /^Icmp:/ {for (i = 1; i <= NF; i++) if (n[i] == "InCsumErrors") print "csum4=" $i}' /proc/net/snmp >>"$raw.csum.$part"
module_loaded && rmmod netlink_icmp
exit 0
