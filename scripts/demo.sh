#!/bin/bash
# The demo: installs what is missing, builds the module, CLI and plugin,
# boots Debian's kernel in a QEMU guest (this host's kernel may not load
# modules), loads the module there, starts the real collectd with the
# plugin, sends ICMP from several sources in their own network namespaces
# and shows per-source rates and alerts live for about a minute.
#
#   scripts/demo.sh [-k 6.1|6.12] [-d SECONDS]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

kernel=6.1
duration=60
while [ $# -gt 0 ]; do
	case $1 in
	-k) kernel=$2; shift 2 ;;
	-d) duration=$2; shift 2 ;;
	-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
	*) echo "demo.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $duration in
''|*[!0-9]*) echo "demo.sh: -d takes whole seconds, not '$duration'" >&2; exit 2 ;;
esac
if [ "$duration" -lt 30 ] || [ "$duration" -gt 600 ]; then
	echo "demo.sh: -d must be between 30 and 600 seconds" >&2
	exit 2
fi

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Installing missing Debian packages"
bash scripts/deps.sh

step "Building nlicmpctl and the collectd plugin"
{ [ -x configure ] || ./autogen.sh; } >/dev/null
{ [ -f Makefile ] || ./configure --quiet; } >/dev/null
make -s -j2 >/dev/null

kver=$(bash tests/vm/kernels.sh "$kernel")
step "Building netlink_icmp.ko for Debian's $kver"
bash tests/vm/build-kmod.sh "$kver" >/dev/null

step "Booting $kver in QEMU and running the demo inside it"
clear=0
[ -t 1 ] && clear=1
exec bash tests/vm/vm.sh -k "$kver" -c 2 -m 1024 -t $((duration + 120)) -- \
	bash scripts/demo-guest.sh "$kver" "$duration" "$clear"
