#!/bin/bash
# Build netlink_icmp.ko for one kernel from a copy of kernel/ (the source
# tree stays free of build outputs) and print the module's path.
#   tests/vm/build-kmod.sh KVER [W=1] [C=1] [other kbuild variables]
# KVER may be a full version (uname -r style) or 6.1 / 6.12 (resolved by
# tests/vm/kernels.sh). Output: build/kmod/$KVER/netlink_icmp.ko
# With NLICMP_VM_KERNEL_DIR=DIR, the headers are DIR/lib/modules/KVER/build
# (a debug or PREEMPT_RT kernel, see tests/vm/kernels.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${1:?usage: $0 KVER [W=1] [C=1]}
shift

mods=${NLICMP_VM_KERNEL_DIR:-}/lib/modules
if [[ ! -d $mods/$kver/build ]] && [[ -x $top/tests/vm/kernels.sh ]]; then
	resolved=$("$top/tests/vm/kernels.sh" "$kver" | head -n1 || true)
	[[ -n $resolved ]] && kver=$resolved
fi
kdir=$mods/$kver/build
if [[ ! -d $kdir ]]; then
	echo "build-kmod: no kernel headers at $kdir" >&2
	exit 1
fi

out=$top/build/kmod/$kver
mkdir -p "$out"
# Refresh the copy: sources and the ABI header side by side.
find "$out" -maxdepth 1 -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -delete
cp "$top"/kernel/Kbuild "$top"/kernel/Makefile "$top"/kernel/dkms.conf "$top"/kernel/*.[ch] "$out"/
cp "$top"/include/netlink_icmp.h "$out"/

make -s -C "$kdir" M="$out" "$@" modules >&2
echo "$out/netlink_icmp.ko"
