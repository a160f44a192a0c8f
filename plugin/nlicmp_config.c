// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_config: parse and validate <Plugin netlink_icmp>.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "icmp_names.h"
#include "nlicmp_config.h"

#include <limits.h>
#include <sys/socket.h>

#define CONF_ERROR(...) ERROR("netlink_icmp plugin: " __VA_ARGS__)

void nlicmp_config_init(struct nlicmp_config *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->family = AF_UNSPEC;
	conf->max_sources = 1000;
	conf->source_timeout = 300;
	conf->min_reads = 2;
	conf->min_rate = 0;
	conf->v4_prefix = 32;
	conf->v6_prefix = 64;
	conf->report_codes = false;
}

void nlicmp_config_free(struct nlicmp_config *conf)
{
	free(conf->ignore);
	free(conf->alert);
	free(conf->state_file);
	nlicmp_config_init(conf);
}

/* The values of an option as written, for error messages. */
static const char *values_text(const oconfig_item_t *ci, char *buf,
			       size_t size)
{
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < ci->values_num && off < size; i++) {
		const oconfig_value_t *v = &ci->values[i];
		const char *sep = i ? " " : "";

		if (v->type == OCONFIG_TYPE_STRING)
			n = snprintf(buf + off, size - off, "%s\"%s\"", sep,
				     v->value.string);
		else if (v->type == OCONFIG_TYPE_NUMBER)
			n = snprintf(buf + off, size - off, "%s%.15g", sep,
				     v->value.number);
		else
			n = snprintf(buf + off, size - off, "%s%s", sep,
				     v->value.boolean ? "true" : "false");
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (ci->values_num == 0)
		snprintf(buf, size, "(no value)");
	return buf;
}

static int bad_value(const oconfig_item_t *ci, const char *expected)
{
	char text[256];

	CONF_ERROR("invalid value for %s: %s (expected %s).", ci->key,
		   values_text(ci, text, sizeof(text)), expected);
	return -1;
}

/* A whole number in [min, max], given as a number. */
static int get_int(const oconfig_item_t *ci, int min, int max, int *ret)
{
	char expected[96];
	double d;

	snprintf(expected, sizeof(expected), "a whole number from %d to %d",
		 min, max);
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER ||
	    cf_util_get_double(ci, &d) != 0)
		return bad_value(ci, expected);
	if (!(d >= min && d <= max) || d != (double)(int)d)
		return bad_value(ci, expected);
	*ret = (int)d;
	return 0;
}

/* A number in (0, max]. */
static int get_positive(const oconfig_item_t *ci, double max, double *ret)
{
	char expected[96];
	double d;

	snprintf(expected, sizeof(expected), "a number above 0 up to %.15g",
		 max);
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER ||
	    cf_util_get_double(ci, &d) != 0 || !(d > 0 && d <= max))
		return bad_value(ci, expected);
	*ret = d;
	return 0;
}

/* A number in [min, max]. */
static int get_range(const oconfig_item_t *ci, double min, double max,
		     double *ret)
{
	char expected[96];
	double d;

	snprintf(expected, sizeof(expected), "a number from %.15g to %.15g",
		 min, max);
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER ||
	    cf_util_get_double(ci, &d) != 0 || !(d >= min && d <= max))
		return bad_value(ci, expected);
	*ret = d;
	return 0;
}

static int get_bool(const oconfig_item_t *ci, bool *ret)
{
	if (ci->values_num != 1 ||
	    (ci->values[0].type != OCONFIG_TYPE_BOOLEAN &&
	     ci->values[0].type != OCONFIG_TYPE_STRING) ||
	    cf_util_get_boolean(ci, ret) != 0)
		return bad_value(ci, "true or false");
	return 0;
}

/* One network ("198.51.100.0/24", "2001:db8::/32" or an address). */
static int get_net(const oconfig_item_t *ci, struct nlicmp_net *net)
{
	char *s = NULL;
	int err;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    cf_util_get_string(ci, &s) != 0)
		return bad_value(ci, "one network such as \"198.51.100.0/24\"");
	err = nlicmp_net_parse(s, net);
	free(s);
	if (err)
		return bad_value(ci, "an IPv4 or IPv6 address or network "
				     "such as \"198.51.100.0/24\"");
	return 0;
}

static int get_family(const oconfig_item_t *ci, int *family)
{
	char s[16];

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    cf_util_get_string_buffer(ci, s, sizeof(s)) != 0)
		return bad_value(ci, "\"ipv4\", \"ipv6\" or \"any\"");
	if (strcasecmp(s, "ipv4") == 0)
		*family = AF_INET;
	else if (strcasecmp(s, "ipv6") == 0)
		*family = AF_INET6;
	else if (strcasecmp(s, "any") == 0)
		*family = AF_UNSPEC;
	else
		return bad_value(ci, "\"ipv4\", \"ipv6\" or \"any\"");
	return 0;
}

/* An alert's Type: an ICMP type or type-code name, a class, optionally
 * "ipv4:" / "ipv6:" (icmp_match_parse); not a number, which would mean
 * different types in ICMP and ICMPv6.
 */
static int get_type(const oconfig_item_t *ci, struct nlicmp_alert_rule *rule)
{
	char expected[256];
	const char *why = "";
	size_t i;

	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    cf_util_get_string_buffer(ci, rule->type, sizeof(rule->type)) != 0)
		return bad_value(ci, "an ICMP type name such as "
				     "\"echo_request\"");
	if (rule->type[0] == '\0' ||
	    icmp_match_parse(rule->type, &rule->match, &why) != 0) {
		snprintf(expected, sizeof(expected),
			 "an ICMP type name such as \"echo_request\", a "
			 "type-code name, or errors, pmtu, neighbor, echo: %s",
			 why);
		return bad_value(ci, expected);
	}
	for (i = 0; rule->type[i]; i++)
		rule->type[i] = (char)tolower((unsigned char)rule->type[i]);
	return 0;
}

/* A file name, for StateFile: it is written as "<name>.new" first, a
 * name that must fit in PATH_MAX (truncated, it would name another file).
 */
static int get_path(const oconfig_item_t *ci, char **ret)
{
	char expected[64];
	char *s = NULL;

	ssnprintf(expected, sizeof(expected), "a file name of 1 to %zu bytes",
		  (size_t)PATH_MAX - sizeof(NLICMP_STATE_FILE_SUFFIX));
	if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
	    cf_util_get_string(ci, &s) != 0 || s[0] == '\0' ||
	    strlen(s) + sizeof(NLICMP_STATE_FILE_SUFFIX) > PATH_MAX) {
		free(s);
		return bad_value(ci, expected);
	}
	free(*ret);
	*ret = s;
	return 0;
}

static int get_alert_source(const oconfig_item_t *ci,
			    struct nlicmp_alert_rule *rule)
{
	if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING &&
	    strcasecmp(ci->values[0].value.string, "all") == 0) {
		rule->scope = NLICMP_SCOPE_ALL;
		return 0;
	}
	rule->scope = NLICMP_SCOPE_NET;
	return get_net(ci, &rule->net);
}

/* The keys of a learned baseline: without Baseline true they do nothing. */
static bool baseline_key(const char *key)
{
	return strcasecmp(key, "LearnFor") == 0 ||
	       strcasecmp(key, "Deviations") == 0 ||
	       strcasecmp(key, "FailureDeviations") == 0 ||
	       strcasecmp(key, "MinRate") == 0;
}

static int read_alert(struct nlicmp_config *conf, const oconfig_item_t *ci)
{
	struct nlicmp_alert_rule rule, *grown;
	const char *problem;
	int i, err = 0, persist = 1;
	bool has_warning = false, has_failure = false;

	nlicmp_alert_rule_init(&rule);
	if (ci->values_num != 0) {
		char text[256];

		CONF_ERROR("<Alert> takes no argument, got %s.",
			   values_text(ci, text, sizeof(text)));
		err = -1;
	}
	for (i = 0; i < ci->children_num; i++) {
		const oconfig_item_t *c = &ci->children[i];

		if (strcasecmp(c->key, "Type") == 0)
			err |= get_type(c, &rule);
		else if (strcasecmp(c->key, "Source") == 0)
			err |= get_alert_source(c, &rule);
		else if (strcasecmp(c->key, "WarningRate") == 0) {
			err |= get_positive(c, NLICMP_RATE_MAX,
					    &rule.warning);
			has_warning = true;
		} else if (strcasecmp(c->key, "FailureRate") == 0) {
			err |= get_positive(c, NLICMP_RATE_MAX,
					    &rule.failure);
			has_failure = true;
		} else if (strcasecmp(c->key, "Aggregate") == 0)
			err |= get_bool(c, &rule.aggregate);
		else if (strcasecmp(c->key, "Baseline") == 0)
			err |= get_bool(c, &rule.baseline);
		else if (strcasecmp(c->key, "LearnFor") == 0)
			err |= get_range(c, NLICMP_DURATION_MIN,
					 NLICMP_DURATION_MAX, &rule.learn_for);
		else if (strcasecmp(c->key, "Deviations") == 0)
			err |= get_range(c, NLICMP_DEVIATIONS_MIN,
					 NLICMP_DEVIATIONS_MAX,
					 &rule.deviations);
		else if (strcasecmp(c->key, "FailureDeviations") == 0)
			err |= get_range(c, NLICMP_DEVIATIONS_MIN,
					 NLICMP_DEVIATIONS_MAX,
					 &rule.failure_deviations);
		else if (strcasecmp(c->key, "MinRate") == 0)
			err |= get_range(c, 0, NLICMP_RATE_MAX, &rule.min_rate);
		else if (strcasecmp(c->key, "Hysteresis") == 0) {
			double h;

			if (c->values_num != 1 ||
			    c->values[0].type != OCONFIG_TYPE_NUMBER ||
			    cf_util_get_double(c, &h) != 0 || !(h >= 0) ||
			    !(h < 100))
				err |= bad_value(c, "a percentage from 0 to "
						    "below 100");
			else
				rule.hysteresis = h;
		} else if (strcasecmp(c->key, "Persist") == 0) {
			err |= get_int(c, 1, 1000000, &persist);
			rule.persist = (unsigned int)persist;
		} else {
			char text[256];

			CONF_ERROR("unknown option in <Alert>: %s %s.", c->key,
				   values_text(c, text, sizeof(text)));
			err = -1;
		}
	}
	/* Baseline may come after them: a second look, once it is known. A
	 * rule that silently ignores what it was told is refused like one
	 * that could never match.
	 */
	for (i = 0; !rule.baseline && i < ci->children_num; i++) {
		const oconfig_item_t *c = &ci->children[i];
		char text[256];

		if (!baseline_key(c->key))
			continue;
		CONF_ERROR("invalid value for %s: %s (a learned baseline's key, "
			   "ignored without Baseline true in the same "
			   "<Alert>; add Baseline true or remove %s).", c->key,
			   values_text(c, text, sizeof(text)), c->key);
		err = -1;
	}
	if (err)
		return -1;
	/* A learning rule fires on what it learned unless given rates too. */
	if (rule.baseline && !has_warning)
		rule.warning = INFINITY;
	if (rule.baseline && !has_failure)
		rule.failure = INFINITY;
	problem = nlicmp_alert_rule_check(&rule);
	if (problem[0] != '\0') {
		CONF_ERROR("<Alert>: WarningRate %g, FailureRate %g, "
			   "Deviations %g, FailureDeviations %g: %s.",
			   rule.warning, rule.failure, rule.deviations,
			   rule.failure_deviations, problem);
		return -1;
	}
	grown = realloc(conf->alert, (conf->nalert + 1) * sizeof(*grown));
	if (grown == NULL) {
		CONF_ERROR("out of memory for <Alert>.");
		return -1;
	}
	conf->alert = grown;
	conf->alert[conf->nalert++] = rule;
	return 0;
}

static int read_ignore(struct nlicmp_config *conf, const oconfig_item_t *ci)
{
	struct nlicmp_net net, *grown;

	if (get_net(ci, &net) != 0)
		return -1;
	grown = realloc(conf->ignore, (conf->nignore + 1) * sizeof(*grown));
	if (grown == NULL) {
		CONF_ERROR("out of memory for IgnoreSource.");
		return -1;
	}
	conf->ignore = grown;
	conf->ignore[conf->nignore++] = net;
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "any";
}

/*
 * What only the whole block tells (Family and the prefixes may come after
 * an <Alert>): rules that could never match.
 */
static int check_alerts(const struct nlicmp_config *conf)
{
	size_t r;
	int err = 0;

	for (r = 0; r < conf->nalert; r++) {
		struct nlicmp_alert_rule *rule = &conf->alert[r];
		const struct nlicmp_net *net = &rule->net;
		char text[NLICMP_NET_STRLEN], *sep;
		int prefix;

		if (!icmp_match_restrict(&rule->match, conf->family)) {
			CONF_ERROR("invalid value for Type: \"%s\" (no such "
				   "ICMP in Family \"%s\").", rule->type,
				   family_name(conf->family));
			err = -1;
		}
		if (rule->scope != NLICMP_SCOPE_NET)
			continue;
		nlicmp_net_format(net, text, sizeof(text));
		sep = strrchr(text, '_');
		if (sep != NULL)
			*sep = '/';
		if (conf->family != AF_UNSPEC && net->family != conf->family) {
			CONF_ERROR("invalid value for Source: \"%s\" (Family "
				   "\"%s\" excludes it).", text,
				   family_name(conf->family));
			err = -1;
			continue;
		}
		prefix = net->family == AF_INET ? conf->v4_prefix :
						  conf->v6_prefix;
		/* A tracked source is a whole /prefix: never inside a
		 * narrower network. An aggregate counts addresses: fine.
		 */
		if (!rule->aggregate && net->len > prefix) {
			CONF_ERROR("invalid value for Source: \"%s\" (narrower "
				   "than %s %d, so no tracked source is "
				   "inside it; use a /%d or wider, or "
				   "Aggregate true).", text,
				   net->family == AF_INET ? "IPv4Prefix" :
							    "IPv6Prefix",
				   prefix, prefix);
			err = -1;
		}
	}
	return err;
}

int nlicmp_config_read(struct nlicmp_config *conf, const oconfig_item_t *ci)
{
	int i, err = 0;

	for (i = 0; i < ci->children_num; i++) {
		const oconfig_item_t *c = &ci->children[i];

		if (strcasecmp(c->key, "Family") == 0)
			err |= get_family(c, &conf->family);
		else if (strcasecmp(c->key, "MaxSources") == 0)
			err |= get_int(c, 0, NLICMP_MAX_SOURCES_LIMIT,
				       &conf->max_sources);
		else if (strcasecmp(c->key, "SourceTimeout") == 0)
			err |= get_range(c, NLICMP_DURATION_MIN,
					 NLICMP_DURATION_MAX,
					 &conf->source_timeout);
		else if (strcasecmp(c->key, "MinReads") == 0)
			err |= get_int(c, 1, NLICMP_MIN_READS_MAX,
				       &conf->min_reads);
		else if (strcasecmp(c->key, "MinRate") == 0)
			err |= get_range(c, 0, NLICMP_MIN_RATE_MAX,
					 &conf->min_rate);
		else if (strcasecmp(c->key, "IPv4Prefix") == 0)
			err |= get_int(c, 0, 32, &conf->v4_prefix);
		else if (strcasecmp(c->key, "IPv6Prefix") == 0)
			err |= get_int(c, 0, 128, &conf->v6_prefix);
		else if (strcasecmp(c->key, "IgnoreSource") == 0)
			err |= read_ignore(conf, c);
		else if (strcasecmp(c->key, "ReportCodes") == 0)
			err |= get_bool(c, &conf->report_codes);
		else if (strcasecmp(c->key, "Alert") == 0)
			err |= read_alert(conf, c);
		else if (strcasecmp(c->key, "StateFile") == 0)
			err |= get_path(c, &conf->state_file);
		else {
			char text[256];

			CONF_ERROR("unknown option %s %s.", c->key,
				   values_text(c, text, sizeof(text)));
			err = -1;
		}
	}
	err |= check_alerts(conf);
	return err ? -1 : 0;
}
