/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For programs that include plugin/netlink_icmp.c and load the plugin more
 * than once in one process (the unit tests under CK_FORK=no, the read
 * callback bench): brings its statics back to those of a fresh load, after
 * nic_shutdown(). Include it after netlink_icmp.c and fake_collectd.h.
 */
#ifndef NLICMP_PLUGIN_STATICS_H
#define NLICMP_PLUGIN_STATICS_H

static inline void plugin_statics_reset(void)
{
	nlicmp_config_init(&conf);
	conf_invalid = false;
	module_down_notified = false;
	undelivered_before = undelivered_now = 0;
	last_read = 0;
	last_read_time = 0;
	last_read_flush = 0;
	flush_applied = 0;
	module_flush_ms = 0;
	module_flushes = 0;
	lost_reported = 0;
	messages_missed = 0;
	overruns = 0;
	records_dropped = 0;
	table_clock = monotonic_now;
	C_COMPLAIN_INIT(&complain_connect);
	C_COMPLAIN_INIT(&complain_gap);
	C_COMPLAIN_INIT(&complain_overrun);
	C_COMPLAIN_INIT(&complain_badmsg);
	C_COMPLAIN_INIT(&complain_alloc);
	fake_reset();
}

#endif
