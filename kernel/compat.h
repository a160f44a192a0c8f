/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_icmp: differences between the kernels the module builds on
 * (Debian's 6.1 and 6.12). Keep every version test here.
 */
#ifndef _NLICMP_COMPAT_H
#define _NLICMP_COMPAT_H

#include <linux/netlink.h>

/*
 * Since 6.3 the extack carries a buffer for a formatted message; before,
 * only a static string can be attached, so the values are left out.
 */
#ifdef NL_SET_ERR_MSG_FMT_MOD
#define nlicmp_set_err_fmt(extack, msg, fmt, args...) \
	NL_SET_ERR_MSG_FMT_MOD(extack, msg fmt, ##args)
#else
#define nlicmp_set_err_fmt(extack, msg, fmt, args...) \
	NL_SET_ERR_MSG_MOD(extack, msg)
#endif

#endif /* _NLICMP_COMPAT_H */
