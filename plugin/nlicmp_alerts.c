// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_alerts: alert rule defaults, validation and state machine.
 */
#include "nlicmp_alerts.h"

#include <math.h>
#include <string.h>

void nlicmp_alert_rule_init(struct nlicmp_alert_rule *rule)
{
	memset(rule, 0, sizeof(*rule));
	rule->scope = NLICMP_SCOPE_EACH;
	rule->warning = 100;
	rule->failure = 1000;
	rule->hysteresis = 20;
	rule->persist = 1;
	rule->match.any = true;
	rule->learn_for = 3600;
	rule->deviations = 5;
	rule->failure_deviations = 10;
	rule->min_rate = 10;
}

const char *nlicmp_alert_rule_check(const struct nlicmp_alert_rule *rule)
{
	/* INFINITY is "none", for a Baseline rule only. */
	if (!(rule->warning > 0) ||
	    (!isfinite(rule->warning) && !rule->baseline))
		return "WarningRate must be a number above 0";
	if (!(rule->failure > 0) ||
	    (!isfinite(rule->failure) && !rule->baseline))
		return "FailureRate must be a number above 0";
	if (rule->warning > rule->failure && isfinite(rule->warning))
		return "WarningRate is above FailureRate";
	if (rule->baseline &&
	    rule->deviations > rule->failure_deviations)
		return "Deviations is above FailureDeviations";
	if (!(rule->hysteresis >= 0 && rule->hysteresis < 100))
		return "Hysteresis must be a percentage from 0 to below 100";
	if (rule->persist < 1)
		return "Persist must be at least 1";
	if (rule->aggregate && rule->scope != NLICMP_SCOPE_NET)
		return "Aggregate needs Source \"<network>\"";
	return "";
}

bool nlicmp_alert_watches(const struct nlicmp_alert_rule *rule,
			  const struct nlicmp_net *source)
{
	switch (rule->scope) {
	case NLICMP_SCOPE_EACH:
		return true;
	case NLICMP_SCOPE_NET:
		return nlicmp_net_contains(&rule->net, source);
	default:
		return false;
	}
}

bool nlicmp_alert_needs_codes(const struct nlicmp_alert_rule *rule)
{
	return rule->match.needs_codes;
}

int nlicmp_alert_step(const struct nlicmp_alert_rule *rule,
		      struct nlicmp_alert_state *state, double rate,
		      double *threshold)
{
	return nlicmp_alert_step_at(rule, state, rate, rule->warning,
				    rule->failure, 0, threshold);
}

int nlicmp_alert_step_at(const struct nlicmp_alert_rule *rule,
			 struct nlicmp_alert_state *state, double rate,
			 double warning, double failure, double normal,
			 double *threshold)
{
	double keep = 1.0 - rule->hysteresis / 100.0;
	int old = state->level, level;

	state->above_failure = rate >= failure ? state->above_failure + 1 : 0;
	state->above_warning = rate >= warning ? state->above_warning + 1 : 0;

	/* Held within Hysteresis, never at or below what is normal. */
	if (state->above_failure >= rule->persist ||
	    (old == NLICMP_LEVEL_FAILURE && rate >= failure * keep &&
	     rate > normal))
		level = NLICMP_LEVEL_FAILURE;
	else if (state->above_warning >= rule->persist ||
		 (old >= NLICMP_LEVEL_WARNING && rate >= warning * keep &&
		  rate > normal))
		level = NLICMP_LEVEL_WARNING;
	else
		level = NLICMP_LEVEL_OKAY;

	/* The threshold of the level reached; a clear is about the lowest. */
	if (threshold != NULL)
		*threshold = level == NLICMP_LEVEL_FAILURE ? failure :
			     warning;
	if (level == old)
		return -1;
	state->level = (uint8_t)level;
	return level;
}

const char *nlicmp_level_name(int level)
{
	switch (level) {
	case NLICMP_LEVEL_WARNING:
		return "warning";
	case NLICMP_LEVEL_FAILURE:
		return "failure";
	default:
		return "okay";
	}
}
