#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-checks of the VM test bed (vm.sh, kernels.sh): one line per check,
# then "N passed, N failed"; exit status 1 if any check failed.
# Boots about a dozen short guests (well under a minute on two idle cores).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm=$here/vm.sh
# shellcheck source=tests/lib/check.sh
. "$here/../lib/check.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nlicmp-vm-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# "got: VALUE" lines explain a failure without drowning a success.
expect() {
	if [ "$1" != "$2" ]; then
		echo "     expected: $(printf '%q' "$2")"
		echo "     got:      $(printf '%q' "$1")"
		return 1
	fi
}

# The log vm.sh kept for a failure this script caused on purpose.
drop_log() {
	local log
	log=$(sed -n 's/.*full kernel log: //p' "$tmp/err")
	case $log in
	*/nlicmp-vm.*/kernel.log) rm -rf "$(dirname "$log")" ;;
	esac
}

mapfile -t kernels < <("$here/kernels.sh")
old=${kernels[0]:-}
new=${kernels[${#kernels[@]} - 1]:-}

oldest_first() {
	[ -n "$old" ] &&
		expect "$(printf '%s\n' "${kernels[@]}" | sort -V)" \
			"$(printf '%s\n' "${kernels[@]}")"
}
check "kernels.sh lists installed kernels, oldest first" oldest_first
if [ -n "$old" ]; then
	check "kernels.sh $old picks that kernel" \
		expect "$("$here/kernels.sh" "$old")" "$old"
fi
unknown_prefix() {
	"$here/kernels.sh" 0.0 >/dev/null 2>&1
	expect "$?" 1
}
check "kernels.sh exits 1 for an unknown prefix" unknown_prefix
if "$here/kernels.sh" 6.1 >/dev/null 2>&1 && "$here/kernels.sh" 6.12 >/dev/null 2>&1; then
	check "kernels.sh 6.1 does not match 6.12" \
		[ "$("$here/kernels.sh" 6.1)" != "$("$here/kernels.sh" 6.12)" ]
fi
[ -n "$old" ] || { echo "0 passed, $((failed)) failed (no kernel)"; exit 1; }

# 1. exit status, stdout and stderr kept apart from each other and from the
#    kernel console, environment, taints O and E, on the oldest kernel.
# shellcheck disable=SC2016 # expanded in the guest
"$vm" -k "$old" -- sh -c 'echo 12288 >/proc/sys/kernel/tainted
	echo "out $HOME $TERM"; echo "err $(id -u)" >&2; exit 3' \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
check "exit status passes through, O and E taints allowed ($old)" expect "$rc" 3
check "stdout is the command's only ($old)" expect "$(cat "$tmp/out")" "out /root dumb"
check "stderr is the command's only, as root ($old)" expect "$(cat "$tmp/err")" "err 0"

# 2. a -w share written in the guest, cwd inside it, a veth pair between two
#    namespaces, modprobe from the host's /lib/modules, on the newest kernel.
mkdir "$tmp/w"
cat >"$tmp/w/guest.sh" <<'EOF'
set -e
echo "pwd $PWD" >result
ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a addr add 198.51.100.1/24 dev va
ip -n b addr add 198.51.100.2/24 dev vb
ip -n a link set va up
ip -n b link set vb up
ip netns exec a ping -q -c 2 -i 0.2 -W 2 198.51.100.2 >/dev/null
echo "ping ok" >>result
modprobe nf_tables
grep -q '^nf_tables ' /proc/modules
echo "modprobe ok" >>result
! touch /usr/nlicmp-vm-selftest 2>/dev/null
echo "root ro" >>result
bash -c 'cat <(echo "dev fd ok")' >>result
echo ok >/dev/shm/x && echo "dev shm ok" >>result
EOF
(cd "$tmp/w" && "$vm" -k "$new" -c 2 -w "$tmp/w" -- sh guest.sh)
rc=$?
check "-w share, netns ping, modprobe ($new, -c 2)" expect "$rc" 0
check "-w write visible on the host, cwd kept ($new)" \
	expect "$(cat "$tmp/w/result" 2>/dev/null)" \
	"$(printf 'pwd %s\nping ok\nmodprobe ok\nroot ro\ndev fd ok\ndev shm ok' "$tmp/w")"

# 3. failures of the kernel: a panic, a taint other than O and E.
"$vm" -k "$old" -- sh -c 'echo c >/proc/sysrq-trigger' >/dev/null 2>"$tmp/err"
rc=$?
check "a panic gives 125 ($old)" expect "$rc" 125
check "a panic is reported with the log's path ($old)" \
	grep -q 'full kernel log: ' "$tmp/err"
drop_log
NLICMP_VM_LOG=$tmp/taint.log "$vm" -k "$new" -- \
	sh -c 'echo 512 >/proc/sys/kernel/tainted' >/dev/null 2>"$tmp/err"
rc=$?
check "a W taint gives 125 even if the command succeeded ($new)" expect "$rc" 125
check "NLICMP_VM_LOG keeps the kernel log ($new)" \
	grep -q 'Linux version' "$tmp/taint.log"

# 4. a timeout (the guest is killed, boot included).
"$vm" -k "$old" -t 6 -- sleep 600 >/dev/null 2>"$tmp/err"
rc=$?
check "a timeout gives 124 ($old)" expect "$rc" 124
drop_log

# 5. two runs at once, each sees its own command.
"$vm" -k "$old" -- sh -c 'echo one; exit 5' >"$tmp/c1" 2>&1 &
p1=$!
"$vm" -k "$new" -- sh -c 'echo two; exit 6' >"$tmp/c2" 2>&1 &
p2=$!
wait "$p1"
rc1=$?
wait "$p2"
rc2=$?
check "two concurrent runs keep status and output apart" \
	expect "$rc1 $rc2 $(cat "$tmp/c1") $(cat "$tmp/c2")" "5 6 one two"

# 6. a lockdep report (no taint) fails the run too; a kernel from its own
# directory (NLICMP_VM_KERNEL_DIR, here the oldest stock one laid out like
# tests/debugkernel's output) is the only one listed and its modules are
# the guest's /lib/modules.
"$vm" -k "$old" -- sh -c \
	'echo "WARNING: possible circular locking dependency detected" >/dev/kmsg' \
	>/dev/null 2>"$tmp/err"
rc=$?
check "a lockdep report gives 125 ($old)" expect "$rc" 125
drop_log
mkdir -p "$tmp/kdir/boot" "$tmp/kdir/lib/modules"
ln -s "/boot/vmlinuz-$old" "$tmp/kdir/boot/vmlinuz-$old"
ln -s "/lib/modules/$old" "$tmp/kdir/lib/modules/$old"
check "NLICMP_VM_KERNEL_DIR: kernels.sh lists its kernel only" \
	expect "$(NLICMP_VM_KERNEL_DIR=$tmp/kdir "$here/kernels.sh")" "$old"
out=$(NLICMP_VM_KERNEL_DIR=$tmp/kdir NLICMP_VM_CACHE=$tmp/cache "$vm" -- \
	sh -c 'uname -r; ls /lib/modules; modprobe veth && echo modprobe ok' 2>&1)
check "NLICMP_VM_KERNEL_DIR: boots it with its modules ($old)" \
	expect "$out" "$(printf '%s\n%s\nmodprobe ok' "$old" "$old")"

checks_done
