#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one command as root in a throw-away QEMU (TCG) guest that boots an
# installed Debian kernel with the host's root as its root, read-only.
# See tests/vm/README.md.
set -euo pipefail

# The whole script is one compound command, read before it runs: runs that
# last minutes are not broken by someone editing this file meanwhile.
{

usage() {
	cat >&2 <<'EOF'
usage: vm.sh [-k KVER|6.1|6.12] [-c CPUS] [-m MEM_MB] [-t TIMEOUT_S] [-w DIR]...
             -- CMD [ARGS...]
  -k  kernel version or prefix (tests/vm/kernels.sh); default $NLICMP_VM_KERNEL,
      else the newest installed
  -c  virtual CPUs (1)         -m  guest memory in MiB (1024)
  -t  timeout in seconds for the whole run, boot included (300)
  -w  share DIR read-write at the same path in the guest (repeatable)
CMD runs as root in the caller's directory with stdin /dev/null; its stdout
and stderr come back on vm.sh's.  Exit status: CMD's; 124 timeout; 125 kernel
panic/oops/taint beyond O and E, or the VM itself failed; 2 usage error.
Environment: NLICMP_VM_LOG (kernel log file), NLICMP_VM_CACHE (cache dir),
NLICMP_VM_KERNEL (default -k), NLICMP_VM_SLUB_DEBUG (slub_debug= flags,
empty: none), NLICMP_VM_KERNEL_DIR (boot the kernel of that directory, see
kernels.sh), NLICMP_VM_TIMEOUT_SCALE (multiplies -t, for slow debug
kernels), NLICMP_VM_ICOUNT (QEMU -icount value, e.g. shift=0,sleep=off:
guest time follows the guest's instruction count, for repeatable CPU costs);
NLICMP_* variables are passed to CMD.
EOF
	exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

# Failures of the test bed itself, as opposed to the command's.
fail() {
	echo "vm.sh: $*" >&2
	exit 125
}

is_num() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
}

is_uint() {
	is_num "$1" && [ "$1" -gt 0 ]
}

kernel=${NLICMP_VM_KERNEL:-}
cpus=1
mem=1024
timeout_s=300
shares=()
while getopts k:c:m:t:w:h opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	c) cpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	w)
		[ -d "$OPTARG" ] || { echo "vm.sh: -w $OPTARG: not a directory" >&2; exit 2; }
		shares+=("$(cd "$OPTARG" && pwd -P)")
		;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
# The guest mounts tmpfs over /tmp, /run and /var: a checkout there (a CI
# clone, say) would vanish, so it is shared first, before any -w inside it.
case $repo/ in
/tmp/*|/run/*|/var/*)
	covered=0
	for d in "${shares[@]}"; do
		case $repo/ in "$d"/*) covered=1 ;; esac
	done
	[ "$covered" = 1 ] || shares=("$(cd "$repo" && pwd -P)" "${shares[@]}")
	;;
esac
for n in "$cpus" "$mem" "$timeout_s" "${NLICMP_VM_TIMEOUT_SCALE:-1}"; do
	is_uint "$n" || { echo "vm.sh: '$n' is not a positive integer" >&2; exit 2; }
done
timeout_s=$((timeout_s * ${NLICMP_VM_TIMEOUT_SCALE:-1}))

if [ -n "$kernel" ]; then
	kver=$("$here/kernels.sh" "$kernel") || exit 2
else
	kver=$("$here/kernels.sh" | tail -n 1)
	[ -n "$kver" ] || fail "no usable kernel installed (see kernels.sh)"
fi
# A kernel of its own directory (kernels.sh): vmlinux or boot/vmlinuz-KVER
# there, and its modules bind-mounted at /lib/modules/KVER in the guest.
# Debian's images boot fastest as their vmlinux, through the PVH entry; a
# directory's boot/vmlinuz-KVER boots as it is (QEMU's bzImage loader): a
# KASAN kernel entered through PVH stops before it prints a line.
kdir=${NLICMP_VM_KERNEL_DIR:+$(cd "$NLICMP_VM_KERNEL_DIR" && pwd -P)}
moddir=$kdir/lib/modules/$kver
image=/boot/vmlinuz-$kver
as_is=0
if [ -n "$kdir" ] && [ -f "$kdir/vmlinux" ]; then
	image=$kdir/vmlinux
elif [ -n "$kdir" ]; then
	image=$kdir/boot/vmlinuz-$kver
	as_is=1
fi

# --- cache: vmlinux and initramfs per kernel ------------------------------

# The kernel image is a bzImage: its payload is the compressed vmlinux ELF.
# Try every offset where a known compressor's magic appears until one
# decompresses to an ELF file (what the kernel's scripts/extract-vmlinux does).
extract_vmlinux() {
	local img=$1 out=$2 entry magic tool off
	if [ "$(head -c 4 "$img" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		cp "$img" "$out"
		return
	fi
	for entry in '\xfd7zXZ\x00|xz -dcq' '\x28\xb5\x2f\xfd|zstd -dcq' \
		'\x1f\x8b\x08|gzip -dcq' '\x5d\x00\x00\x00|xz -dcq --format=lzma' \
		'\x02\x21\x4c\x18|lz4 -dcq' 'BZh|bzip2 -dcq'; do
		magic=${entry%%|*}
		tool=${entry#*|}
		command -v "${tool%% *}" >/dev/null || continue
		for off in $(LC_ALL=C grep -aboP "$magic" "$img" | cut -d: -f1 || :); do
			# Trailing data after the stream makes the tool fail: judge
			# by the output.
			tail -c +"$((off + 1))" "$img" | $tool >"$out" 2>/dev/null || :
			if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

declare -A mod_path mod_deps mod_done
mod_order=()

# Append module $1 and, before it, everything it depends on (modules.dep).
add_module() {
	local name=${1//-/_} d
	[ -z "${mod_done[$name]:-}" ] || return 0
	mod_done[$name]=1
	if [ -z "${mod_path[$name]:-}" ]; then
		grep -q "/${name}.ko\$" "$moddir/modules.builtin" 2>/dev/null &&
			return 0
		echo "vm.sh: module $name not found for $kver" >&2
		return 1
	fi
	for d in ${mod_deps[$name]}; do
		d=${d##*/}
		add_module "${d%%.ko*}" || return 1
	done
	mod_order+=("$name")
}

build_initramfs() {
	local out=$1 root=$2 line p n
	while IFS= read -r line; do
		p=${line%%:*}
		n=${p##*/}
		n=${n%%.ko*}
		n=${n//-/_}
		mod_path[$n]=$p
		mod_deps[$n]=${line#*:}
	done <"$moddir/modules.dep"
	for n in virtio_pci virtio_console 9pnet_virtio 9p; do
		add_module "$n" || return 1
	done

	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" \
		"$root/newroot" "$root/lib/modules"
	cp /bin/busybox "$root/bin/busybox"
	for n in $(/bin/busybox --list); do
		[ "$n" = busybox ] || ln -s busybox "$root/bin/$n"
	done
	cp "$here/init" "$root/init"
	chmod 755 "$root/init"
	: >"$root/modules"
	# busybox insmod reads plain .ko files only.
	for n in "${mod_order[@]}"; do
		p=$moddir/${mod_path[$n]}
		case $p in
		*.ko) cat "$p" ;;
		*.ko.xz) xz -dc "$p" ;;
		*.ko.zst) zstd -dcq "$p" ;;
		*.ko.gz) gzip -dc "$p" ;;
		*) echo "vm.sh: unknown module format: $p" >&2; return 1 ;;
		esac >"$root/lib/modules/$n.ko" || return 1
		echo "$n.ko" >>"$root/modules"
	done
	# Uncompressed: decompressing under TCG costs more than reading.
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) >"$out"
}

cache=${NLICMP_VM_CACHE:-$repo/build/vm}/$kver
[ -r /bin/busybox ] || fail "/bin/busybox missing (apt-get install busybox-static)"
[ -r "$image" ] || fail "$image: not readable"
key=$(
	cat "$here/vm.sh" "$here/init"
	stat -L -c '%n %s %Y' "$image" "$moddir/modules.dep" /bin/busybox
)
key=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)

if [ "$(cat "$cache/key" 2>/dev/null)" != "$key" ]; then
	mkdir -p "$cache" || fail "cannot create $cache"
	(
		flock 9
		# Another run may have built it while this one waited.
		[ "$(cat "$cache/key" 2>/dev/null)" != "$key" ] || exit 0
		rm -f "$cache/key"
		tmp=$(mktemp -d "$cache/build.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		if [ "$as_is" = 1 ]; then
			cp "$image" "$tmp/vmlinux"
		else
			extract_vmlinux "$image" "$tmp/vmlinux"
		fi || fail "cannot extract vmlinux from $image"
		build_initramfs "$tmp/initramfs.cpio" "$tmp/root" ||
			fail "cannot build the initramfs for $kver"
		mv -f "$tmp/vmlinux" "$cache/vmlinux"
		mv -f "$tmp/initramfs.cpio" "$cache/initramfs.cpio"
		echo "$key" >"$cache/key"
	) 9>"$cache/lock" || exit $?
fi

# --- one run --------------------------------------------------------------

run=$(mktemp -d "${TMPDIR:-/tmp}/nlicmp-vm.XXXXXX")
log=${NLICMP_VM_LOG:-$run/kernel.log}
qpid=""
keep_log=0
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || :
	if [ "$keep_log" = 1 ] && [ "$log" = "$run/kernel.log" ]; then
		find "$run" -mindepth 1 ! -name kernel.log -delete 2>/dev/null || :
	else
		rm -rf "$run"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ctl=$run/ctl
mkdir "$ctl"
# The guest's PID 1 (busybox sh) sources cmd: quote every word for sh.
quote() {
	local w
	for w; do
		printf " '%s'" "${w//\'/\'\\\'\'}"
	done
}
pwd -P >"$ctl/cwd"
[ -z "$kdir" ] || (cd "$moddir" && pwd -P) >"$ctl/moddir"
{
	printf 'set --'
	quote PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root TERM=dumb USER=root LOGNAME=root SHELL=/bin/sh LANG=C.UTF-8
	for v in $(compgen -e); do
		case $v in NLICMP_*) quote "$v=${!v}" ;; esac
	done
	quote "$@"
	echo
} >"$ctl/cmd"

# QEMU option values escape a comma by doubling it.
qarg() {
	printf '%s' "${1//,/,,}"
}

share_args=()
: >"$ctl/shares"
for i in "${!shares[@]}"; do
	echo "w$i ${shares[$i]}" >>"$ctl/shares"
	share_args+=(-fsdev "local,id=w$i,path=$(qarg "${shares[$i]}"),security_model=none,multidevs=remap"
		-device "virtio-9p-pci,fsdev=w$i,mount_tag=w$i")
done

: >"$run/out"
: >"$run/err"
: >"$log" || fail "cannot write $log"

# slub_debug: red zones, poisoning and sanity checks on every cache (cheap);
# alloc/free owner tracking (U, ~1 s of boot under TCG if global) only on
# the caches the module under test can use.  Benchmarks turn it off.
slub_debug=${NLICMP_VM_SLUB_DEBUG-FZP;FZPU,kmalloc-*,nlicmp*,netlink_icmp*}
cmdline="console=ttyS0 rdinit=/init panic=-1 oops=panic"
[ -z "$slub_debug" ] || cmdline+=" slub_debug=$slub_debug"
# no_timer_check: on a loaded host the vCPU can miss the IO-APIC timer test,
# which panics at boot ("IO-APIC + timer doesn't work!"); seen here.
cmdline+=" no_timer_check mitigations=off printk.devkmsg=on"
cmdline+=" i8042.noaux i8042.nokbd"

# Deterministic mode (benchmarks): guest time = guest instructions, so CPU
# costs measured inside the guest do not depend on the host's load.
icount_args=()
[ -z "${NLICMP_VM_ICOUNT:-}" ] || icount_args=(-icount "$NLICMP_VM_ICOUNT")

timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-nodefaults -no-user-config -no-reboot -display none \
	-machine q35 -accel tcg -cpu qemu64 -smp "$cpus" -m "$mem" \
	"${icount_args[@]}" \
	-kernel "$cache/vmlinux" -initrd "$cache/initramfs.cpio" \
	-append "$cmdline" \
	-chardev "file,id=con,path=$(qarg "$log")" -serial chardev:con \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=root \
	-fsdev "local,id=ctl,path=$(qarg "$ctl"),security_model=none" \
	-device virtio-9p-pci,fsdev=ctl,mount_tag=ctl \
	"${share_args[@]}" \
	-device virtio-serial-pci \
	-chardev "file,id=out,path=$(qarg "$run/out"),append=on" \
	-device virtserialport,chardev=out,name=out \
	-chardev "file,id=err,path=$(qarg "$run/err"),append=on" \
	-device virtserialport,chardev=err,name=err \
	</dev/null >"$run/qemu.log" 2>&1 &
qpid=$!

# qemu writes the ports' data to files synchronously, so nothing is lost
# when the guest powers off; tail streams it and stops once qemu is gone.
tail -q -n +1 -s 0.05 --pid="$qpid" -f "$run/out" &
tail_out=$!
tail -q -n +1 -s 0.05 --pid="$qpid" -f "$run/err" >&2 &
tail_err=$!
qrc=0
wait "$qpid" || qrc=$?
qpid=""
wait "$tail_out" "$tail_err" || :

report() {
	keep_log=1
	{
		echo "vm.sh: $*"
		echo "vm.sh: --- last lines of the kernel log ---"
		tail -n 40 "$log"
		echo "vm.sh: --- full kernel log: $log"
	} >&2
}

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	report "timed out after ${timeout_s}s ($kver)"
	exit 124
fi
if [ "$qrc" != 0 ]; then
	keep_log=1
	echo "vm.sh: qemu failed (exit $qrc):" >&2
	cat "$run/qemu.log" >&2
	exit 125
fi

rc="" tainted=""
read -r rc tainted 2>/dev/null <"$ctl/status" || :
# What a dying or complaining kernel prints (most of it also taints).
# The debug kernel's checkers (tests/debugkernel): lockdep and RCU-lockdep
# reports (which do not taint), RCU stalls, hung tasks, kmemleak.
oops=$(grep -m 1 -E 'Kernel panic|Oops|BUG:|BUG [a-z]|kernel BUG at|WARNING: CPU:|general protection fault|UBSAN:|KFENCE:|WARNING: (possible|suspicious|inconsistent|bad unlock|held lock|lock held|Nested lock|[A-Z]*IRQ-)|INFO: (rcu_|task .* blocked)|rcu: INFO:|detected stalls|new suspected memory leak' "$log" || :)
if [ -n "$oops" ]; then
	report "kernel failure ($kver): $oops"
	exit 125
fi
if ! is_num "$rc" || ! is_num "$tainted"; then
	report "the guest stopped without an exit status ($kver)"
	exit 125
fi
# Out-of-tree (O, 4096) and unsigned (E, 8192) are what loading the module
# under test adds; any other taint flag means the kernel complained.
if [ $((tainted & ~(4096 | 8192))) != 0 ]; then
	flags=PFSRMBUDAWCIOELKXTNJ
	letters=""
	for ((b = 0; b < ${#flags}; b++)); do
		[ $((tainted >> b & 1)) = 0 ] || letters+=${flags:b:1}
	done
	report "kernel tainted: $tainted ($letters) ($kver)"
	exit 125
fi
exit "$rc"
}
