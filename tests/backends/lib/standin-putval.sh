#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Development stand-in for the netlink_icmp plugin: collectd's exec plugin
# runs it and it prints PUTVAL lines with the plugin's identifiers and
# counter shapes (DERIVE packets/total_bytes, GAUGE count).  It exists to
# develop the servers and dashboards before the real plugin lands; the
# backend tests themselves never use it.  Bounded: exits after $1 seconds.
host=${COLLECTD_HOSTNAME:-standin}
dur=${1:-120}
declare -A pk=() by=()
srcs=(198.51.100.7 203.0.113.9 2001:db8:1::_64 other)
for ((t = 0; t < dur; t++)); do
	tot=0
	for i in "${!srcs[@]}"; do
		s=${srcs[$i]}
		pk[$s]=$(( ${pk[$s]:-0} + (i + 1) * 10 ))
		by[$s]=$(( ${by[$s]:-0} + (i + 1) * 840 ))
		tot=$((tot + ${pk[$s]}))
		echo "PUTVAL \"$host/netlink_icmp-$s/packets-echo_request\" interval=1 N:${pk[$s]}"
		echo "PUTVAL \"$host/netlink_icmp-$s/total_bytes\" interval=1 N:${by[$s]}"
	done
	# ICMP errors from one source, for the dashboards' errors row.
	err=$((t * 2))
	for e in dest_unreach time_exceeded packet_too_big; do
		echo "PUTVAL \"$host/netlink_icmp-203.0.113.9/packets-$e\" interval=1 N:$err"
		echo "PUTVAL \"$host/netlink_icmp-all/packets-$e\" interval=1 N:$err"
	done
	echo "PUTVAL \"$host/netlink_icmp-all/packets-echo_request\" interval=1 N:$tot"
	echo "PUTVAL \"$host/netlink_icmp-all/packets-undelivered\" interval=1 N:0"
	echo "PUTVAL \"$host/netlink_icmp-all/total_bytes\" interval=1 N:$((tot * 84))"
	echo "PUTVAL \"$host/netlink_icmp-all/count-sources\" interval=1 N:3"
	sleep 1
done
