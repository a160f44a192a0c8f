#!/bin/bash
# Runs every test of the project on a fresh Debian 12 machine: installs what
# is missing, builds the CLI, plugin and unit tests (plain, then under
# ASan/UBSan and valgrind), builds the module for each Debian kernel with
# W=1 and sparse, then runs the module, plugin and backend suites in QEMU
# guests booting those kernels, and builds and checks the Debian packages.
# Ends with "N passed, N failed".
#
#   scripts/test.sh [--only SUITE]...   SUITE: unit, vm, kmod, module,
#                                       plugin, backends, package
#   scripts/test.sh --debug-kernel      module, plugin and backend suites on
#                                       the KASAN/lockdep/kmemleak kernel
#                                       (tests/debugkernel; built once)
#   scripts/test.sh --rt                module and plugin suites on Debian's
#                                       PREEMPT_RT 6.12 kernel
#   scripts/test.sh --soak              the 10-minute race soak on the
#                                       debug kernel
# These three replace the stock kernels (and, without --only, the unit and
# vm suites); none of them is part of the default run (CI).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

only=()
debug=0 rt=0 soak=0
while [ $# -gt 0 ]; do
	case $1 in
	--only) only+=("$2"); shift 2 ;;
	--debug-kernel) debug=1; shift ;;
	--rt) rt=1; shift ;;
	--soak) soak=1; shift ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "test.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

wanted() {
	[ ${#only[@]} -eq 0 ] && return 0
	local s
	for s in "${only[@]}"; do [ "$s" = "$1" ] && return 0; done
	return 1
}

passed=0
failed=0
failures=()
logdir=$top/build/test-logs
mkdir -p "$logdir"

# Runs one suite, echoing its output, and adds its closing
# "N passed, N failed" line to the totals; a suite that exits non-zero
# without such a line counts as one failure.
suite() {
	local name=$1; shift
	local log=$logdir/$name.log t0=$SECONDS
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	else
		p=0; f=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures+=("$name")
	echo "=== $name: $p passed, $f failed (exit $rc, $((SECONDS - t0)) s)"
}

# Counts automake's test-suite summary as passed/failed.
make_check() {
	local log=$1; shift
	make -j2 check "$@" >"$log.out" 2>&1
	local rc=$?
	cat "$log.out"
	# check's own summary per program: "NN%: Checks: C, Failures: F, Errors: E";
	# a program that died before printing it counts as one failure.
	local p=0 f=0 t line c x e
	for t in tests/unit/*.log; do
		[ -f "$t" ] || continue
		line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$t" | tail -n 1)
		if [ -z "$line" ]; then
			echo "FAIL ${t%.log}: no check summary"; f=$((f + 1)); continue
		fi
		read -r c x e < <(sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/' <<<"$line")
		p=$((p + c - x - e)); f=$((f + x + e))
	done
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ]
}

build_host() {
	{ [ -x configure ] || ./autogen.sh; } &&
		{ [ -f Makefile ] || ./configure --quiet; } &&
		make -j2
}

unit_plain() { build_host && make_check "$logdir/unit-plain"; }

# Builds the module for one kernel with W=1 and sparse (any warning fails),
# then once more through DKMS, in temporary trees.
kmod_check() {
	local kver=$1 out dk p=0 f=0 v
	v=$(sh scripts/version.sh)
	if out=$(bash tests/vm/build-kmod.sh "$kver" W=1 C=1 2>&1) && ! grep -v -e '^Skipping BTF generation' \
		-e '/netlink_icmp.ko$' <<<"$out" | grep -q .; then
		p=$((p + 1)); echo "PASS kmod W=1 C=1 $kver"
	else
		f=$((f + 1)); echo "FAIL kmod W=1 C=1 $kver:"; echo "$out"
	fi
	# DKMS builds against installed kernels only.
	if [ -n "${NLICMP_VM_KERNEL_DIR:-}" ]; then
		echo "$p passed, $f failed"
		[ "$f" -eq 0 ]
		return
	fi
	dk=$(mktemp -d)
	mkdir -p "$dk/tree"
	if make -s -C kernel dkms-install DESTDIR="$dk/src" >"$dk/log" 2>&1 &&
		dkms add "netlink-icmp/$v" --sourcetree "$dk/src/usr/src" \
			--dkmstree "$dk/tree" >>"$dk/log" 2>&1 &&
		dkms build "netlink-icmp/$v" -k "$kver" \
			--sourcetree "$dk/src/usr/src" --dkmstree "$dk/tree" >>"$dk/log" 2>&1 &&
		[ -n "$(find "$dk/tree" -name 'netlink_icmp.ko*')" ]; then
		p=$((p + 1)); echo "PASS dkms build $kver"
	else
		f=$((f + 1)); echo "FAIL dkms build $kver:"; cat "$dk/log"
	fi
	rm -rf "$dk"
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ]
}

unit_valgrind() {
	build_host || return 1
	local t p=0 f=0 progs
	progs=$(make -s print-check-programs)
	# shellcheck disable=SC2086 # a list of paths without spaces
	make -s -j2 $progs || return 1
	for t in $progs; do
		if CK_FORK=no ./libtool --mode=execute valgrind -q --error-exitcode=99 \
			--leak-check=full --errors-for-leak-kinds=definite \
			"./$t" >"$logdir/valgrind-${t##*/}.log" 2>&1; then
			p=$((p + 1)); echo "PASS valgrind ${t##*/}"
		else
			f=$((f + 1)); echo "FAIL valgrind ${t##*/}: see $logdir/valgrind-${t##*/}.log"
			tail -n 30 "$logdir/valgrind-${t##*/}.log"
		fi
	done
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ]
}

unit_asan() {
	build_host || return 1
	local san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	make clean >/dev/null
	make_check "$logdir/unit-asan" SAN_CFLAGS="$san"
	local rc=$?
	make clean >/dev/null
	make -j2 >/dev/null || rc=1
	return $rc
}

special=$((debug + rt + soak))
if [ "$special" -gt 0 ] && [ ${#only[@]} -eq 0 ]; then
	only=(module plugin backends)
fi

bash scripts/deps.sh || exit 1
if [ $((debug + soak)) -gt 0 ]; then
	bash scripts/deps.sh --debug-kernel || exit 1
fi
if ! build_host >"$logdir/build.log" 2>&1; then
	cat "$logdir/build.log"
	echo "build: 0 passed, 1 failed"
	exit 1
fi

if wanted unit; then
	suite unit-plain unit_plain
	suite unit-asan unit_asan
	suite unit-valgrind unit_valgrind
fi

if wanted vm; then
	suite vm-selftest bash tests/vm/selftest.sh
	suite bench-selftest bash tests/bench/selftest.sh
fi

kernels=()
[ "$special" -gt 0 ] || mapfile -t kernels < <(bash tests/vm/kernels.sh 2>/dev/null)
for kver in "${kernels[@]}"; do
	if wanted kmod || wanted module || wanted plugin || wanted backends; then
		suite "kmod-$kver" kmod_check "$kver"
	fi
	if wanted module; then
		suite "module-$kver" bash tests/module/run.sh "$kver"
	fi
done
# The plugin suite boots a single-vCPU guest per kernel, side by side.
if wanted plugin && [ ${#kernels[@]} -gt 0 ]; then
	suite plugin bash tests/plugin/run.sh "${kernels[@]}"
fi

# The backends need one kernel only: they test what the plugin ships.
if wanted backends && [ ${#kernels[@]} -gt 0 ]; then
	suite backends bash tests/backends/run.sh "${kernels[0]}"
fi

# The packages: built once (lintian, man pages, versions); with
# NLICMP_PACKAGE_GUEST=yes also installed, upgraded and purged in a guest
# per kernel (tests/package/run.sh).
if wanted package && [ ${#kernels[@]} -gt 0 ]; then
	suite package bash tests/package/run.sh "${kernels[@]}"
fi

# A kernel of its own directory (tests/debugkernel): build.sh or rt.sh
# prints it; "N passed, N failed" of that step.
kernel_dir() {
	local name=$1; shift
	if KDIR_OUT=$("$@" 2>"$logdir/$name.stderr"); then
		echo "PASS $name: $KDIR_OUT"; echo "1 passed, 0 failed"
	else
		tail -n 30 "$logdir/$name.stderr"
		echo "FAIL $name"; echo "0 passed, 1 failed"
		return 1
	fi
}

# The suites on the kernel of NLICMP_VM_KERNEL_DIR, each named NAME-SUITE.
# Its checkers make the guest several times slower: the timeouts follow.
special_suites() {
	local name=$1 scale=$2 suites=$3 kver
	export NLICMP_VM_KERNEL_DIR=$KDIR NLICMP_VM_TIMEOUT_SCALE=$scale
	kver=$(bash tests/vm/kernels.sh | tail -n 1)
	if wanted kmod; then suite "kmod-$name" kmod_check "$kver"; fi
	if wanted module && [[ $suites == *module* ]]; then
		suite "module-$name" bash tests/module/run.sh "$kver"
	fi
	if wanted plugin && [[ $suites == *plugin* ]]; then
		suite "plugin-$name" bash tests/plugin/run.sh "$kver"
	fi
	if wanted backends && [[ $suites == *backends* ]]; then
		suite "backends-$name" bash tests/backends/run.sh "$kver"
	fi
	unset NLICMP_VM_KERNEL_DIR NLICMP_VM_TIMEOUT_SCALE
}

KDIR=""
if [ $((debug + soak)) -gt 0 ]; then
	suite debug-kernel-build kernel_dir debug-kernel-build \
		bash tests/debugkernel/build.sh 6.1
	KDIR=$(sed -n 's/^PASS debug-kernel-build: //p' "$logdir/debug-kernel-build.log")
fi
if [ -n "$KDIR" ] && [ $debug = 1 ]; then
	special_suites debug 4 "module plugin backends"
fi
if [ -n "$KDIR" ] && [ $soak = 1 ]; then
	export NLICMP_VM_KERNEL_DIR=$KDIR
	suite soak bash tests/debugkernel/soak.sh
	unset NLICMP_VM_KERNEL_DIR
fi
if [ $rt = 1 ]; then
	KDIR=""
	suite rt-kernel kernel_dir rt-kernel bash tests/debugkernel/rt.sh
	KDIR=$(sed -n 's/^PASS rt-kernel: //p' "$logdir/rt-kernel.log")
	[ -z "$KDIR" ] || special_suites rt 2 "module plugin"
fi

echo
[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "total: $passed passed, $failed failed ($((SECONDS / 60)) min)"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
