#!/bin/sh
# Makes a new release: sets NLICMP_RELEASE in include/netlink_icmp.h (the
# version's one place) and adds the matching debian/changelog entry.
#   scripts/bump-version.sh VERSION "What changed."
set -eu
[ $# -eq 2 ] || { echo "usage: $0 VERSION MESSAGE" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
sed -i "s/^\(#define NLICMP_RELEASE[[:space:]]*\)\"[^\"]*\"/\1\"$1\"/" \
	"$top/include/netlink_icmp.h"
[ "$(sh "$top/scripts/version.sh")" = "$1" ] || { echo "$0: NLICMP_RELEASE not set" >&2; exit 1; }
maint=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$top/debian/changelog" | head -n 1)
{
	printf 'netlink-icmp (%s) bookworm; urgency=medium\n\n  * %s\n\n -- %s  %s\n\n' \
		"$1" "$2" "$maint" "$(date -R)"
	cat "$top/debian/changelog"
} >"$top/debian/changelog.new"
mv "$top/debian/changelog.new" "$top/debian/changelog"
