#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack Debian's PREEMPT_RT kernel (linux-image-6.12-rt-amd64, the newest
# ABI apt knows) with its headers into build/rt/KVER/ and print that
# directory, for NLICMP_VM_KERNEL_DIR (tests/vm/kernels.sh):
#
#   tests/debugkernel/rt.sh
#
# Unpacked, not installed: the host's /boot and /lib/modules stay as they
# are, so the default test run and every vm.sh -k keep booting the stock
# kernels. The .deb files come from apt (apt-get download) and are kept in
# build/rt/debs; a second run with the same ABI prints the directory at once.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
base=$top/build/rt

# The ABI the meta-package points at, e.g. linux-image-6.12.117+deb12-rt-amd64.
image=$(apt-cache depends linux-image-6.12-rt-amd64 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-rt-amd64$/ { print $2; exit }')
[ -n "$image" ] || {
	echo "rt.sh: apt knows no linux-image-6.12-rt-amd64 (apt-get update?)" >&2
	exit 1
}
kver=${image#linux-image-}
out=$base/$kver
if [ -f "$out/done" ]; then
	echo "$out"
	exit 0
fi

headers=linux-headers-$kver
common=linux-headers-${kver%-amd64}
common=${common%-rt}-common-rt
kbuild=linux-kbuild-${kver%-rt-amd64}

mkdir -p "$base/debs"
exec 9>"$base/lock"
flock 9
[ ! -f "$out/done" ] || { echo "$out"; exit 0; }
rm -rf "$out"
mkdir -p "$out"
for p in "$image" "$headers" "$common" "$kbuild"; do
	ls "$base/debs/${p}_"*.deb >/dev/null 2>&1 ||
		(cd "$base/debs" && apt-get download -q "$p" >&2)
	dpkg -x "$base/debs/${p}_"*.deb "$out"
done

# The packages' absolute links and includes, made to point inside $out.
hdr=$out/usr/src/$headers
ln -sfn "$hdr" "$out/lib/modules/$kver/build"
sed -i "s|^include /usr/src/|include $out/usr/src/|" "$hdr/Makefile"
depmod -b "$out" "$kver"
touch "$out/done"
echo "$out"
