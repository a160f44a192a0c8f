/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small fakes of the collectd daemon's functions the plugin calls (they
 * live in the daemon binary, not in a library), recording what the plugin
 * dispatched and logged so tests can check it; plus a builder for config
 * trees. The plugin code under test is the real one.
 */
#ifndef FAKE_COLLECTD_H
#define FAKE_COLLECTD_H

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

struct fake_value {
	char plugin[DATA_MAX_NAME_LEN];
	char plugin_instance[DATA_MAX_NAME_LEN];
	char type[DATA_MAX_NAME_LEN];
	char type_instance[DATA_MAX_NAME_LEN];
	value_t value;
	cdtime_t time;		/* as dispatched: 0 means now */
};

struct fake_notification {
	int severity;
	char plugin[DATA_MAX_NAME_LEN];
	char plugin_instance[DATA_MAX_NAME_LEN];
	char type[DATA_MAX_NAME_LEN];
	char type_instance[DATA_MAX_NAME_LEN];
	char message[NOTIF_MAX_MSG_LEN];
	char source[DATA_MAX_NAME_LEN];	/* meta "source", "" if absent */
	char icmp_type[DATA_MAX_NAME_LEN];
	double rate, threshold;		/* meta, NAN if absent */
	char meta[1024];		/* every meta item, "name=value;" */
};

extern struct fake_value *fake_values;
extern size_t fake_nvalues;
extern struct fake_notification *fake_notifications;
extern size_t fake_nnotifications;
extern char fake_log[16384];		/* every plugin_log message, '\n' ended */
extern cdtime_t fake_time;		/* what cdtime() returns */
extern cdtime_t fake_interval;		/* what plugin_get_interval() returns */

/* Forget values, notifications and log (time and interval stay). */
void fake_reset(void);

/* The last value dispatched for that identifier, or NULL. */
const struct fake_value *fake_find(const char *plugin_instance,
				   const char *type, const char *type_instance);

/* Config trees: a leaf with one value, or a block with children. Values:
 * fake_ci_str("Key", "v"), fake_ci_num("Key", 1), fake_ci_bool("Key", 1).
 * fake_ci_block takes a NULL-terminated list of children (consumed).
 */
oconfig_item_t *fake_ci_str(const char *key, const char *value);
oconfig_item_t *fake_ci_num(const char *key, double value);
oconfig_item_t *fake_ci_bool(const char *key, int value);
oconfig_item_t *fake_ci_block(const char *key, ...);
void fake_ci_free(oconfig_item_t *ci);

#endif /* FAKE_COLLECTD_H */
