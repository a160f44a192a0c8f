/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_config: the plugin's <Plugin netlink_icmp> block, parsed with
 * collectd's cf_util_* and validated. Every error is logged with the key
 * and the value it is about.
 */
#ifndef NLICMP_CONFIG_H
#define NLICMP_CONFIG_H

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"

#include "nlicmp_alerts.h"
#include "nlicmp_prefix.h"

/* Beyond this MaxSources is more likely a typo than a plan. */
#define NLICMP_MAX_SOURCES_LIMIT 10000000
/* Durations: NLICMP_DURATION_MIN, _MAX (nlicmp_alerts.h). */
#define NLICMP_MIN_READS_MAX 1000
#define NLICMP_MIN_RATE_MAX NLICMP_RATE_MAX
/* An <Alert>'s rates (WarningRate, FailureRate, MinRate) are up to
 * NLICMP_RATE_MAX too. Deviations, FailureDeviations: below a tenth of
 * a spread (itself at least a tenth of the mean) the threshold is within
 * 1 % of the mean and any jitter fires; 1000 spreads are 101 x the mean
 * at least, beyond any flood a baseline is for.
 */
#define NLICMP_DEVIATIONS_MIN 0.1
#define NLICMP_DEVIATIONS_MAX 1000.0
/* StateFile is written to <StateFile> this, then renamed. */
#define NLICMP_STATE_FILE_SUFFIX ".new"

struct nlicmp_config {
	int family;			/* AF_UNSPEC ("any"), AF_INET, AF_INET6 */
	int max_sources;
	double source_timeout;		/* seconds */
	int min_reads;			/* reads tracked before a series */
	double min_rate;		/* packets/s naming a source at once,
					 * 0: never */
	int v4_prefix;
	int v6_prefix;
	bool report_codes;
	struct nlicmp_net *ignore;
	size_t nignore;
	struct nlicmp_alert_rule *alert;
	size_t nalert;
	char *state_file;		/* learned baselines; NULL: none */
};

/* The documented defaults. */
void nlicmp_config_init(struct nlicmp_config *conf);

/* Apply one <Plugin netlink_icmp> block on top of conf. Returns 0, or -1
 * after logging every error found.
 */
int nlicmp_config_read(struct nlicmp_config *conf, const oconfig_item_t *ci);

void nlicmp_config_free(struct nlicmp_config *conf);

#endif /* NLICMP_CONFIG_H */
