#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plots of the deterministic costs (cost-report.sh's summary), with the
# min..max of the runs as error bars:
#   perf-pps.png      consumer CPU per second against the packet rate,
#                     100 sources: collectd (module path) and the NFLOG reader
#   perf-sources.png  kernel cost per packet of each path (nft only is the
#                     baseline), and collectd's CPU per read, against the
#                     number of sources
# usage: cost-plot.sh SUMMARY.csv OUTDIR   (needs gnuplot, e.g. gnuplot-nox)
set -euo pipefail
sum=$1
outdir=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# figure,median,min,max,spread_pct,runs,x,path -> DIR/<kind>-<path>.dat
# "x median min max", in ms (per s, per read) or ns (per packet).
awk -F, -v dir="$dir" '
NR == 1 { next }
{
	split($1, f, "|"); kind = f[1]; x = $7
	if (kind == "cons_s") { s = 1e-6; if (x == "") next }
	else if (kind == "read") s = 1e-6
	else if (kind == "kernel") s = 1
	else next
	printf "%s %.4f %.4f %.4f\n", x, $2 * s, $3 * s, $4 * s >> (dir "/" kind "-" $8 ".dat")
}' "$sum"
for f in "$dir"/*.dat; do
	[ -e "$f" ] && sort -g -o "$f" "$f"
done

label() {
	case $1 in
	module) echo "netlink_icmp module + listener" ;;
	modnl) echo "module loaded, no listener" ;;
	bpf) echo "tc-BPF per-source map" ;;
	nflog) echo "NFLOG (kernel side)" ;;
	nft) echo "nft counter only" ;;
	*) echo "$1" ;;
	esac
}
series() {	# KIND PATH... -> gnuplot plot clauses, lines + error bars
	local kind=$1 p out=""
	shift
	for p; do
		[ -s "$dir/$kind-$p.dat" ] || continue
		out+="${out:+, }'$dir/$kind-$p.dat' using 1:2:3:4 with yerrorlines title '$(label "$p")'"
	done
	echo "$out"
}

pps=""
[ -s "$dir/cons_s-module.dat" ] &&
	pps+="'$dir/cons_s-module.dat' using 1:2:3:4 with yerrorlines title 'collectd (module path)'"
[ -s "$dir/cons_s-nflog.dat" ] &&
	pps+="${pps:+, }'$dir/cons_s-nflog.dat' using 1:2:3:4 with yerrorlines title 'minimal NFLOG reader'"
if [ -n "$pps" ]; then
	gnuplot <<-EOG
	set terminal pngcairo size 900,560 noenhanced
	set output '$outdir/perf-pps.png'
	set title 'User-space CPU against the packet rate, 100 sources (QEMU -icount: 1 ms = 1M guest instructions)'
	set xlabel 'packets per second (guest time)'
	set ylabel 'consumer CPU, ms per second'
	set key left top
	set grid
	set yrange [0:*]
	plot $pps
	EOG
fi

kern=$(series kernel nft module modnl bpf nflog)
reads=$(series read module)
if [ -n "$kern" ]; then
	gnuplot <<-EOG
	set terminal pngcairo size 1100,520 noenhanced
	set output '$outdir/perf-sources.png'
	set multiplot layout 1,2 title 'Costs against the number of sources (QEMU -icount: 1 ns = 1 guest instruction)'
	set logscale x
	set grid
	set key left top
	set title 'kernel cost per packet (generator and stack included)'
	set xlabel 'sources in the flood'
	set ylabel 'ns (guest instructions) per packet'
	plot $kern
	set title 'collectd CPU per read, idle after the flood'
	set ylabel 'ms (M guest instructions) per read'
	set logscale y
	plot ${reads:-1/0 notitle}
	unset multiplot
	EOG
fi
