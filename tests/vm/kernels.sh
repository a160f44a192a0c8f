#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# List the installed Debian kernels the VM test bed can boot: a
# /boot/vmlinuz-KVER together with /lib/modules/KVER/modules.dep.
#
#   kernels.sh          every usable KVER, one per line, oldest first
#   kernels.sh PREFIX   the newest KVER that is PREFIX or starts with PREFIX
#                       followed by a non-digit (so "6.1" never picks 6.12);
#                       exit 1 if there is none
#
# PREEMPT_RT kernels (*-rt-*) are left out: the default test run (CI) boots
# the stock images only. With NLICMP_VM_KERNEL_DIR=DIR (a kernel built by
# tests/debugkernel/build.sh or unpacked by tests/debugkernel/rt.sh), the
# one kernel of DIR is listed instead: DIR/lib/modules/KVER/modules.dep
# with DIR/vmlinux or DIR/boot/vmlinuz-KVER.
set -euo pipefail

if [ $# -gt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
	echo "usage: kernels.sh [VERSION-PREFIX]" >&2
	exit 2
fi

kdir=${NLICMP_VM_KERNEL_DIR:-}
list() {
	local f kver
	if [ -n "$kdir" ]; then
		for f in "$kdir"/lib/modules/*/modules.dep; do
			kver=${f%/modules.dep}
			kver=${kver##*/}
			if [ -f "$kdir/vmlinux" ] || [ -f "$kdir/boot/vmlinuz-$kver" ]; then
				printf '%s\n' "$kver"
			fi
		done
		return
	fi
	for f in /boot/vmlinuz-*; do
		[ -f "$f" ] || continue
		kver=${f##*/vmlinuz-}
		case $kver in *-rt-*) continue ;; esac
		if [ -f "/lib/modules/$kver/modules.dep" ]; then
			printf '%s\n' "$kver"
		fi
	done | sort -V
}

if [ $# -eq 0 ]; then
	list
	exit 0
fi

prefix=$1
match=""
while IFS= read -r kver; do
	case $kver in
	"$prefix") match=$kver ;;
	"$prefix"[0-9]*) ;;
	"$prefix"*) match=$kver ;;
	esac
done < <(list)

if [ -z "$match" ]; then
	echo "kernels.sh: no installed kernel matches '$prefix'" >&2
	exit 1
fi
printf '%s\n' "$match"
