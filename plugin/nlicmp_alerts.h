/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_alerts: the plugin's <Alert> rules and their state machine.
 *
 * One state per (rule, subject), a subject being a tracked source, a
 * network's sum (Aggregate) or the host total. Each read interval feeds
 * the subject's rate in; the machine answers only when the level changes,
 * so the caller sends one notification per change of state, never one per
 * interval. The thresholds are fixed (WarningRate, FailureRate), learned
 * (Baseline: nlicmp_baseline), or the lower of both;
 * nlicmp_alert_engine applies the rules to the plugin's data.
 */
#ifndef NLICMP_ALERTS_H
#define NLICMP_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "icmp_names.h"
#include "nlicmp_prefix.h"

#define NLICMP_TYPE_NAME_MAX 64

/* Durations in seconds (SourceTimeout, LearnFor): beyond a year, a typo
 * (and 1e300 would not fit collectd's time type).
 */
#define NLICMP_DURATION_MIN 0.001
#define NLICMP_DURATION_MAX 31536000.0
/* The most packets/s a rate is taken to be (MinRate; a saved baseline):
 * 1e9 ICMP packets/s is beyond any link.
 */
#define NLICMP_RATE_MAX 1e9

enum nlicmp_level {
	NLICMP_LEVEL_OKAY,
	NLICMP_LEVEL_WARNING,
	NLICMP_LEVEL_FAILURE,
};

enum nlicmp_alert_scope {
	NLICMP_SCOPE_EACH,	/* every tracked source */
	NLICMP_SCOPE_NET,	/* every tracked source inside .net */
	NLICMP_SCOPE_ALL,	/* the host total ("all") */
};

struct nlicmp_alert_rule {
	char type[NLICMP_TYPE_NAME_MAX];	/* Type as written, lower
						 * case; "" = any */
	struct icmp_match match;		/* what Type matches */
	enum nlicmp_alert_scope scope;
	struct nlicmp_net net;			/* NLICMP_SCOPE_NET only */
	bool aggregate;				/* the network's sum */
	double warning;				/* packets/s; INFINITY: none */
	double failure;				/* packets/s, >= warning */
	double hysteresis;			/* percent, [0, 100) */
	unsigned int persist;			/* intervals, >= 1 */
	/* Baseline: thresholds learned per subject (nlicmp_baseline). */
	bool baseline;
	double learn_for;			/* seconds before it may fire */
	double deviations;			/* WARNING above mean + k spread */
	double failure_deviations;		/* FAILURE likewise, >= above */
	double min_rate;			/* never fires below, packets/s */
};

struct nlicmp_alert_state {
	uint8_t level;			/* enum nlicmp_level */
	uint32_t above_warning;		/* consecutive intervals >= warning */
	uint32_t above_failure;		/* consecutive intervals >= failure */
};

/* Defaults of an <Alert> block, as documented; a Baseline rule without
 * WarningRate / FailureRate has none (INFINITY): the caller sets them.
 */
void nlicmp_alert_rule_init(struct nlicmp_alert_rule *rule);

/* "" when the rule is valid, else a message naming the bad key. */
const char *nlicmp_alert_rule_check(const struct nlicmp_alert_rule *rule);

/* Whether the rule watches this tracked source (never for the total). */
bool nlicmp_alert_watches(const struct nlicmp_alert_rule *rule,
			  const struct nlicmp_net *source);

/* Whether counters need codes for this rule (a type-code Type). */
bool nlicmp_alert_needs_codes(const struct nlicmp_alert_rule *rule);

/*
 * Feed one interval's rate (packets/s). Escalation (to WARNING at
 * warning, FAILURE at failure) needs .persist consecutive intervals at or
 * above the threshold; a level is held until the rate falls below its
 * threshold minus .hysteresis percent, or to normal or below, then drops
 * straight to the level the rate supports. Returns the new level when it
 * changed, -1 otherwise; *threshold gets the threshold the change is
 * about.
 */
int nlicmp_alert_step_at(const struct nlicmp_alert_rule *rule,
			 struct nlicmp_alert_state *state, double rate,
			 double warning, double failure, double normal,
			 double *threshold);

/* The same with the rule's fixed thresholds (normal: 0). */
int nlicmp_alert_step(const struct nlicmp_alert_rule *rule,
		      struct nlicmp_alert_state *state, double rate,
		      double *threshold);

const char *nlicmp_level_name(int level);

#endif /* NLICMP_ALERTS_H */
