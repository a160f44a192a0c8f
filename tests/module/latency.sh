#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Measurement, not a test (issue 9): how long other Generic Netlink users
# wait while the module flushes a full table. In a 2-vCPU guest, with a
# 65536-entry table kept full and hot by spoofed IPv6 sources (idle_ms
# 20 s: the reaping scan walks it every 5 s; the flood paced at LAT_PPS,
# default 8000), it times 1000 CTRL_CMD_GETFAMILY round trips for
# "nlctrl" (an unrelated family), back to back and then 5 ms apart, while
# nobody loops GET_STATS, and prints p50/p99/max: idle, under the flood
# alone (the control), and with the full table. It fails if the table
# does not fill. The scheduled figure is the one to judge a stall by; the
# back-to-back one reads the same under the flood alone. LAT_PPS=0 floods
# unpaced (under TCG about 16k pps, every record a flush's).
#   tests/module/latency.sh [KVER|6.1|6.12] [REF]
# REF (a git revision, e.g. main) builds the module from REF's kernel/ and
# include/ in a temporary directory instead of the working tree.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
kver=$(tests/vm/kernels.sh "${1:-6.1}" | head -n1)
ref=${2:-}
pps=${LAT_PPS:-8000}
[[ $pps =~ ^[0-9]+$ ]] || { echo "latency.sh: LAT_PPS must be a whole number of packets a second (0: unpaced), not '$pps'" >&2; exit 2; }
out=$top/build/tests/module
mkdir -p "$out"

cc -O2 -Wall -Wextra -Werror -Iinclude -o "$out/nlicmp_modtool" \
	tests/module/nlicmp_modtool.c
cc -O2 -fno-strict-aliasing -Wall -o "$out/icmpflood" tests/bench/icmpflood.c -lm
if [ -x plugin/nlicmpctl ]; then
	ctl=$top/plugin/nlicmpctl
else
	# shellcheck disable=SC2046
	cc -O2 -Wall -Iinclude -Iplugin -o "$out/nlicmpctl" plugin/nlicmpctl.c \
		plugin/nlicmp_client.c plugin/icmp_names.c \
		$(pkg-config --cflags --libs libnl-genl-3.0)
	ctl=$out/nlicmpctl
fi

if [ -n "$ref" ]; then
	src=$top/build/latency-src-$kver
	rm -rf "$src"
	mkdir -p "$src"
	for f in $(git ls-tree --name-only "$ref" kernel/); do
		git show "$ref:$f" >"$src/${f#kernel/}"
	done
	git show "$ref:include/netlink_icmp.h" >"$src/netlink_icmp.h"
	make -s -C "/lib/modules/$kver/build" M="$src" modules >&2
	ko=$src/netlink_icmp.ko
else
	ko=$(tests/vm/build-kmod.sh "$kver")
fi

echo "module: ${ref:-working tree} on $kver"
tests/vm/vm.sh -k "$kver" -c 2 -m 1024 -t 900 -- \
	env KO="$ko" CTL="$ctl" TOOL="$out/nlicmp_modtool" LAT_PPS="$pps" \
	FLOOD="$out/icmpflood" bash tests/module/latency_guest.sh
