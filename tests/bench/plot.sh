#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plots delivered vs offered ICMP rate for each path (1 vCPU, one source):
# the sweep runs at fixed offered rates plus the unlimited runs.
# usage: plot.sh RAW.csv OUT.png   (needs gnuplot, e.g. Debian's gnuplot-nox)
set -euo pipefail
raw=$1
png=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

awk -F, -v dir="$dir" '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$c["part"] == "a" && $c["mix"] == "s1" && $c["run"] != "0" &&
$c["path"] ~ /^(nft|bpf|nflog|ulogd|module)$/ && $c["consumer"] ~ /^[0-9]+$/ {
	printf "%.0f %.0f\n", $c["offered_pps"], $c["consumer"] / $c["seconds"] >> (dir "/" $c["path"] ".dat")
}' "$raw"

plots=""
for p in nft module bpf nflog ulogd; do
	[ -s "$dir/$p.dat" ] || continue
	sort -n -o "$dir/$p.dat" "$dir/$p.dat"
	case $p in
	nft) t="nft counter only (ceiling)" ;;
	module) t="netlink_icmp module + collectd" ;;
	bpf) t="tc-BPF per-source map" ;;
	nflog) t="NFLOG + minimal reader" ;;
	ulogd) t="NFLOG + ulogd2 (LOGEMU)" ;;
	esac
	plots+="${plots:+, }'$dir/$p.dat' using 1:2 with linespoints title '$t'"
done
[ -n "$plots" ] || { echo "plot.sh: nothing to plot" >&2; exit 1; }

gnuplot <<EOG
set terminal pngcairo size 900,600 noenhanced
set output '$png'
set title 'ICMP echo flood, 1 source, TCG guest with 1 vCPU: delivered vs offered'
set xlabel 'offered (packets/s sent by the generator)'
set ylabel 'delivered to the consumer (packets/s)'
set key right bottom
set grid
plot x with lines dashtype 2 lc rgb 'gray' title 'delivered = offered', $plots
EOG
