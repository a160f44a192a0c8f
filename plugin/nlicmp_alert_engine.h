/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_alert_engine: applies the <Alert> rules to the plugin's data and
 * says which notifications to send.
 *
 * Subjects: each tracked source (state per table slot and rule, so memory
 * is MaxSources x rules, fixed at start, whatever the traffic); for
 * Source "all" the host total; for Aggregate the sum of a network, counted
 * from every record (nlicmp_alert_engine_record), tracked source or not,
 * so a flood of many small sources is caught whoever MaxSources keeps.
 * The one limit: records the module could not attribute (its own table
 * was full) carry no source and count in no network (only in "all").
 *
 * The state lives in the plugin, not the module: unloading and loading
 * the module again keeps every level and learned baseline. Learned
 * baselines can also be saved to a file and loaded at the next start
 * (a source's is applied when it is tracked again).
 */
#ifndef NLICMP_ALERT_ENGINE_H
#define NLICMP_ALERT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nlicmp_alerts.h"
#include "nlicmp_client.h"
#include "nlicmp_sources.h"

/* Sources named in an "all" or Aggregate notification. */
#define NLICMP_ALERT_TOP 3
/* collectd's NOTIF_MAX_MSG_LEN. */
#define NLICMP_ALERT_MSG_LEN 256

struct nlicmp_alert_top {
	char name[NLICMP_NET_STRLEN];
	double rate;			/* packets/s of the rule's type */
};

struct nlicmp_alert_event {
	const struct nlicmp_alert_rule *rule;
	int level;			/* enum nlicmp_level */
	char instance[NLICMP_NET_STRLEN];	/* plugin instance */
	char source[NLICMP_NET_STRLEN];	/* meta "source": address,
					 * "198.51.100.0/24" or "all" */
	const char *scope;		/* "source", "network" or "all" */
	double rate, threshold;		/* packets/s */
	bool learned;			/* threshold from a learned baseline */
	double baseline, deviation;	/* packets/s, when learned */
	size_t ntop;
	struct nlicmp_alert_top top[NLICMP_ALERT_TOP];
	char message[NLICMP_ALERT_MSG_LEN];
};

struct nlicmp_alert_engine_conf {
	const struct nlicmp_alert_rule *rule;	/* kept, not copied */
	size_t nrule;
	uint32_t max_sources;
	bool codes;		/* snapshot keys carry ICMP codes */
};

/* NULL when out of memory. */
struct nlicmp_alert_engine *
nlicmp_alert_engine_new(const struct nlicmp_alert_engine_conf *conf);
void nlicmp_alert_engine_free(struct nlicmp_alert_engine *e);

/* Count one record for the Aggregate rules; safe to call from another
 * thread than nlicmp_alert_engine_run.
 */
void nlicmp_alert_engine_record(struct nlicmp_alert_engine *e,
				const struct nlicmp_record *rec);

/*
 * One read interval of seconds ended with snap: run every rule. Returns
 * the number of notifications to send, *events pointing to them (valid
 * until the next call).
 */
size_t nlicmp_alert_engine_run(struct nlicmp_alert_engine *e,
			       const struct nlicmp_snapshot *snap,
			       double seconds,
			       const struct nlicmp_alert_event **events);

/*
 * Write every learned baseline, one text line each; 0 or -1 (errno set).
 * Levels are not saved: after a restart every subject starts at OKAY.
 */
int nlicmp_alert_engine_save(const struct nlicmp_alert_engine *e, FILE *f);

struct nlicmp_alert_load_stats {
	size_t skipped;		/* lines not taken, for any reason */
	size_t invalid;		/* of those, corrupt or out of range */
	size_t first_invalid;	/* the first of those, from 1; 0: none */
};

/*
 * Read what nlicmp_alert_engine_save wrote. Lines of rules no longer
 * configured (matched by Type, Source, Aggregate) or beyond MaxSources x
 * rules are skipped; so are invalid lines: a wrong header, a line that
 * does not parse, or a value save never writes (a mean or spread not a
 * number from 0 to NLICMP_RATE_MAX packets/s, a learned time not above 0
 * and up to NLICMP_DURATION_MAX s), which would silence its subject.
 * Of lines repeating a subject (save writes one), the last in the file
 * is taken and the earlier ones skipped; all of them count towards
 * MaxSources x rules as the file is read. The rest of the file is taken.
 * Returns the number of baselines taken.
 */
size_t nlicmp_alert_engine_load(struct nlicmp_alert_engine *e, FILE *f,
				struct nlicmp_alert_load_stats *st);

/* Bytes the engine holds: fixed at creation. */
size_t nlicmp_alert_engine_memory(const struct nlicmp_alert_engine *e);

#endif /* NLICMP_ALERT_ENGINE_H */
