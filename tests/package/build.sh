#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the Debian packages from a copy of the working tree (the
# repository's own in-tree build is left alone), into OUTDIR:
#   tests/package/build.sh OUTDIR [NEW_VERSION]
# NEW_VERSION makes a release N+1 in the copy first (scripts/bump-version.sh),
# as an upgrade test needs. Prints the .deb paths; the build log is
# OUTDIR/build.log.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
src=$out/src/netlink-icmp
rm -rf "$out/src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$src"
# Tracked and new files, not what .gitignore lists (builds, logs).
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	cpio -0 -pdm --quiet "$src")
if [ -n "${2:-}" ]; then
	(cd "$src" && scripts/bump-version.sh "$2" "Test release $2.") >"$out/build.log" 2>&1
fi
# The unit tests run in their own suite (scripts/test.sh --only unit).
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -us -uc -b) >>"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out"/
ls "$out"/*.deb
