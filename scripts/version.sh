#!/bin/sh
# Prints the release, e.g. 1.0.0. Its one place is NLICMP_RELEASE in
# include/netlink_icmp.h: the module's MODULE_VERSION and ECHO reply and
# `nlicmpctl --version` compile it in; configure.ac, the DKMS source tree
# (kernel/Makefile dkms-install) and debian/rules read it from here.
# debian/changelog must name the same version (debian/rules checks).
sed -n 's/^#define NLICMP_RELEASE[[:space:]]*"\([^"]*\)".*$/\1/p' \
	"$(dirname "$0")/../include/netlink_icmp.h"
