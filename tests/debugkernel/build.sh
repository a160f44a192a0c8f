#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Debian's linux-source with KASAN, kmemleak, lockdep (PROVE_LOCKING,
# PROVE_RCU), DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS and DEBUG_NET, trimmed to
# what the VM test bed's guest needs (tests/debugkernel/debug.config), and
# print the directory to boot it from:
#
#   tests/debugkernel/build.sh [6.1|6.12]     (default 6.1)
#
# The output, build/debug-kernel/<key>/ with <key> a hash of debug.config,
# this script and the source package's version, holds boot/vmlinuz-KVER
# (the bzImage, booted as it is by tests/vm/vm.sh: KASAN kernels do not
# come up through the PVH entry), lib/modules/KVER/ (modules_install,
# its build link is the kernel tree the out-of-tree module builds against)
# and build-seconds. Export it as NLICMP_VM_KERNEL_DIR and tests/vm/*.sh
# use that kernel alone. A second run with the same key prints the
# directory at once. The compile runs under nice -n 15 (or
# NLICMP_DEBUG_KERNEL_NICE) with -j2 (or NLICMP_DEBUG_KERNEL_JOBS): a shared
# 2-core machine stays usable.
# Needs linux-source-VER, bison, flex, bc, libelf-dev, libssl-dev
# (scripts/deps.sh --debug-kernel).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
ver=${1:-6.1}
case $ver in
6.1 | 6.12) ;;
*) echo "usage: build.sh [6.1|6.12]" >&2; exit 2 ;;
esac
pkg=linux-source-$ver
tarball=/usr/src/$pkg.tar.xz
if ! pkgver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	[ ! -r "$tarball" ]; then
	echo "build.sh: $pkg is not installed (scripts/deps.sh --debug-kernel)" >&2
	exit 1
fi
jobs=${NLICMP_DEBUG_KERNEL_JOBS:-2}
niceness=${NLICMP_DEBUG_KERNEL_NICE:-15}

base=${NLICMP_DEBUG_KERNEL_CACHE:-$top/build/debug-kernel}
key=$(cat "$here/debug.config" "$here/build.sh" - <<<"$pkg $pkgver" |
	sha256sum | cut -c1-16)
out=$base/$ver-$key
if [ -f "$out/done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$base"
exec 9>"$base/lock"
flock 9
# Another run may have built it while this one waited.
if [ -f "$out/done" ]; then
	echo "$out"
	exit 0
fi

log() { echo "build.sh: $*" >&2; }

# The source, unpacked once per package version (shared by every key).
src=$base/src/$pkg-$pkgver
if [ ! -f "$src/.unpacked" ]; then
	log "unpacking $tarball"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.unpacked"
fi

rm -rf "$out"
obj=$out/obj
mkdir -p "$obj"
kmake() {
	make -s -C "$src" O="$obj" "$@"
}

kmake defconfig >&2
kmake kvm_guest.config >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$here/debug.config" >/dev/null
kmake olddefconfig >&2

# Every option the fragment turns on must have survived olddefconfig (a
# dependency it lacks drops it silently).
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) sym=${line%%=*} ;;
	"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *} ;;
	*) continue ;;
	esac
	got=$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || :)
	[ "$got" = "$line" ] && continue
	# Trims are only time saved: a trim something else overrides is named.
	case $line in
	"# "*)
		[ -n "$got" ] || continue
		log "note: $line wanted, the config has '$got'"
		continue
		;;
	esac
	log "$line wanted, the config has '${got:-nothing}'"
	bad=1
done <"$here/debug.config"
[ "$bad" = 0 ] || { log "config fragment not applied"; exit 1; }

log "compiling $pkg $pkgver (nice -n $niceness, -j$jobs) in $obj"
start=$(date +%s)
nice -n "$niceness" make -s -C "$src" O="$obj" -j"$jobs" bzImage modules >&2
nice -n "$niceness" make -s -C "$src" O="$obj" INSTALL_MOD_PATH="$out" \
	INSTALL_MOD_STRIP=1 modules_install >&2
secs=$(($(date +%s) - start))
kver=$(kmake kernelrelease)
ln -sfn "$obj" "$out/lib/modules/$kver/build"
rm -f "$out/lib/modules/$kver/source"
mkdir -p "$out/boot"
cp "$obj/arch/x86/boot/bzImage" "$out/boot/vmlinuz-$kver"
echo "$secs" >"$out/build-seconds"
echo "$kver" >"$out/kernelrelease"
touch "$out/done"
log "built $kver in ${secs}s"
echo "$out"
