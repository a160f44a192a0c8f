#!/bin/bash
# Installs every Debian package the build, the tests and the demo need;
# with --bench, also what the benchmarks (tests/bench/run.sh) compare
# against; with --debug-kernel, what building the debug kernel
# (tests/debugkernel/build.sh) needs. Idempotent: does nothing when all are
# present. (The PREEMPT_RT kernel is no dependency: tests/debugkernel/rt.sh
# unpacks it under build/ without installing it.)
#   scripts/deps.sh [--bench] [--debug-kernel]
set -euo pipefail

packages=(
	# build
	build-essential autoconf automake libtool pkg-config
	libnl-3-dev libnl-genl-3-dev check
	collectd-core collectd-dev collectd-utils
	# Debian packages (tests/package): build, check; librrd8 for the
	# rrdtool plugin that Debian's default collectd.conf loads (what the
	# collectd package brings along with collectd-core)
	debhelper dh-dkms lintian librrd8
	# kernel module: both Debian kernels the tests boot, their headers
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	dkms sparse kmod
	# VM test bed
	qemu-system-x86 busybox-static cpio xz-utils zstd
	# traffic and inspection in the guest
	iproute2 iputils-ping nftables libcap2-bin procps util-linux
	# unit tests under valgrind
	valgrind
	# backends: real servers fed by the plugin (tests/backends), and what
	# collectd's write_prometheus needs but only suggests
	graphite-carbon graphite-web influxdb prometheus
	libprotobuf-c1 libmicrohttpd12 curl python3
)
for arg; do
	case $arg in
	--bench)
		packages+=(
			# the baselines: NFLOG readers and a tc-BPF map; the plot; perf
			libnetfilter-log-dev ulogd2 clang llvm libbpf-dev
			gnuplot-nox linux-perf
		)
		;;
	--debug-kernel)
		packages+=(
			# Debian's 6.1 source and what its build needs
			linux-source-6.1 bc bison flex libelf-dev libssl-dev
		)
		;;
	*) echo "deps.sh: unknown argument '$arg'" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
