/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_sources: the plugin's aggregation table. Takes the module's
 * records, groups sources by prefix and keeps cumulative per-source
 * counters for at most max_sources sources, choosing which ones with a
 * heavy-hitter algorithm; also the host totals ("all") and what no tracked
 * source holds ("other").
 *
 * Space-Saving, adapted to a stream of weighted, per-interval records:
 * max_sources counters in a min-heap by score; a source's score is the
 * packets it sent, halved at every read, so it measures recent rate. A
 * record of an untracked source takes the place of the lowest-scored
 * source when the record alone weighs more than that source's score (the
 * newcomer then scores its own packets, not the evicted one's: a spoofed
 * flood of one-packet sources cannot churn out a heavier one). So a source
 * sending k times the typical flooding source's packets per interval is
 * tracked from its first record on, once k > 2, whatever the number of
 * flooding sources; only the order of equally light sources is arbitrary.
 *
 * Accounting, as a time-series store sees the cumulative values: every
 * packet counted in all is in the increments of exactly one other series:
 * its source's, other's, or none for an ignored source. A source's series
 * holds what snapshots showed under its name; when it leaves the table
 * (evicted, or silent for longer than timeout) what no snapshot showed yet
 * goes to other, and its series simply ends (a source tracked again later
 * starts a new series from 0). Records that find no place, and
 * unattributed records (no source), go to other directly. Records without
 * an ICMP type (truncated header) count in all as malformed only.
 * So at every snapshot: all = the tracked sources + other + ignored
 * sources + the last values of the series of sources that left.
 *
 * Not thread-safe: the plugin serialises calls with its mutex.
 */
#ifndef NLICMP_SOURCES_H
#define NLICMP_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nlicmp_client.h"
#include "nlicmp_prefix.h"

/* A counter's key: family, ICMP type and (with report_codes) code. */
#define NLICMP_KEY(v6, type, code) \
	((uint32_t)(!!(v6)) << 16 | (uint32_t)(type) << 8 | (uint32_t)(code))
/* With report_codes, a record without a code (unattributed) is keyed by
 * its type alone.
 */
#define NLICMP_KEY_NOCODE	(1u << 17)
#define NLICMP_KEY_FAMILY(key)	((key) & (1u << 16) ? AF_INET6 : AF_INET)
#define NLICMP_KEY_HAS_CODE(key) (!((key) & NLICMP_KEY_NOCODE))
#define NLICMP_KEY_TYPE(key)	((uint8_t)((key) >> 8))
#define NLICMP_KEY_CODE(key)	((uint8_t)(key))

/* Distinct counters one source may hold; more go to other. */
#define NLICMP_SOURCE_MAX_KEYS 64

struct nlicmp_sources_conf {
	uint32_t max_sources;
	unsigned int v4_prefix;		/* group IPv4 sources by this length */
	unsigned int v6_prefix;
	bool report_codes;		/* key counters by code too */
	int family;			/* AF_UNSPEC: both */
	uint64_t timeout;		/* silence before a source is dropped,
					 * in the unit of `now` below; 0: never */
	const struct nlicmp_net *ignore; /* sources counted in all only */
	size_t nignore;
};

struct nlicmp_snap_count {
	uint32_t key;
	uint64_t packets;	/* cumulative */
	uint64_t delta;		/* since the previous snapshot */
};

struct nlicmp_snap_source {
	struct nlicmp_net net;	/* the grouped source */
	char name[NLICMP_NET_STRLEN];	/* net formatted (nlicmp_net_format) */
	uint32_t slot;		/* table slot, < max_sources */
	uint32_t gen;		/* changes whenever the slot changes hands */
	uint64_t bytes;		/* cumulative */
	size_t first, n;	/* its counters: snap->count[first .. first+n) */
};

struct nlicmp_snapshot {
	struct nlicmp_snap_source all;
	struct nlicmp_snap_source other;
	uint64_t malformed;	/* cumulative, part of all but not of its
				 * counters */
	uint64_t lost;		/* records dropped for want of memory */
	struct nlicmp_snap_source *src;
	size_t nsrc, srccap;
	struct nlicmp_snap_count *count;
	size_t ncount, countcap;
};

struct nlicmp_sources;

/* NULL when out of memory. conf is copied (ignore list included). */
struct nlicmp_sources *nlicmp_sources_new(const struct nlicmp_sources_conf *conf);
void nlicmp_sources_free(struct nlicmp_sources *t);

/* Account one record received at time now. */
void nlicmp_sources_add(struct nlicmp_sources *t,
			const struct nlicmp_record *rec, uint64_t now);

/* Sources tracked now. */
size_t nlicmp_sources_count(const struct nlicmp_sources *t);

/*
 * One read interval ends at now: forget sources silent for longer than
 * the timeout, decay the scores, and copy every counter into snap (whose
 * buffers are reused and grown; zero it before first use). Returns 0 or
 * -ENOMEM (snap is then incomplete).
 */
int nlicmp_sources_snapshot(struct nlicmp_sources *t,
			    struct nlicmp_snapshot *snap, uint64_t now);
void nlicmp_snapshot_free(struct nlicmp_snapshot *snap);

#endif /* NLICMP_SOURCES_H */
