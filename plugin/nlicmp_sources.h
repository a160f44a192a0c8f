/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_sources: the plugin's aggregation table. Takes the module's
 * records, groups sources by prefix and keeps cumulative per-source
 * counters for at most max_sources sources, chosen by their weight; also
 * the host totals ("all") and what no source's series holds ("other").
 *
 * Selection. A source's weight is every packet it sent in the interval
 * under way plus the interval before (all its records, whatever their
 * destination, type or code, and however many flushes an interval holds).
 * Tracked sources know theirs exactly from admission on, with what the
 * sketch estimated before; untracked ones are estimated by a fixed-size
 * count-min sketch with conservative update (nlicmp_sketch), which never
 * underestimates. A record of an untracked source takes the place of the
 * lowest-weighted tracked source when the newcomer's estimate exceeds,
 * by more than 1/NLICMP_ADMIT_MARGIN, that source's weight or twice its
 * previous interval, whichever is more: early in an interval an equally
 * busy incumbent's part of it may not have arrived yet, and a read may
 * cut a flush in two (without this, equally busy sources took turns,
 * each turn a new series). The evicted source's weight goes back into
 * the sketch.
 * Guarantee, up to the sketch's overestimate: a source sending, in each
 * of two consecutive intervals, more than twice what the lowest tracked
 * source sends in either, or more than the interval's total T x 9 /
 * (8k + 9) (k = max_sources) while the tracked sources send steadily, is
 * tracked by the end of the second interval. (Steady, a tracked source's
 * weight is twice its interval, at most 2(T - x)/k for the lowest;
 * 2x > 2(T - x)(1 + 1/8)/k holds from x > 9T/(8k + 9). Tracked sources
 * that send in one interval of the two only can weigh up to twice that:
 * x > 9T/(4k + 9) then.)
 * Memory: O(max_sources), plus the sketch (2 x 4 rows x
 * max(2 max_sources, 4096) 32-bit counters, at most 2^20 per row).
 *
 * Store cardinality. A newly tracked source is in probation: it is in the
 * snapshot (for alerts) but not named (no series of its own); what it sent
 * goes to other. It gets its series (named, "fresh" at that snapshot) once
 * it had packets in min_reads snapshots while tracked, or sent at
 * min_rate or more in one interval. A spoofed source, seen in one
 * interval only, never does: per-source series over any number of reads
 * are at most the sources that kept sending for min_reads intervals.
 *
 * Continuity. A named source that leaves the table is remembered
 * (nlicmp_retired, NLICMP_RETIRED_FACTOR x max_sources, least recently
 * retired forgotten first); tracked again, its series continues from its
 * cumulative values, named at once. Forgotten, it starts in probation
 * and, named again, a new series from 0 (a counter reset in the store).
 *
 * Accounting, as a time-series store sees the cumulative values: every
 * packet counted in all is in the increments of exactly one other series:
 * its named source's, other's, or none for an ignored source. When a
 * source leaves the table (evicted, or silent for longer than timeout)
 * what no snapshot showed yet goes to other; a fresh series shows only a
 * zero at its snapshot (the plugin sends its values from the next read
 * on), so a source leaving right after it was named hands all of it. Records that find no place,
 * and unattributed records (no source), go to other directly. Records
 * without an ICMP type (truncated header) count in all as malformed only.
 * So at every snapshot: all = the named sources + other + ignored
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

/* A newcomer must outweigh the lowest tracked source by 1/this. */
#define NLICMP_ADMIT_MARGIN 8
#define NLICMP_SKETCH_MIN_WIDTH 4096
#define NLICMP_SKETCH_MAX_WIDTH (1u << 20)
/* Named sources remembered after they leave, per max_sources. */
#define NLICMP_RETIRED_FACTOR 4

struct nlicmp_sources_conf {
	uint32_t max_sources;
	unsigned int v4_prefix;		/* group IPv4 sources by this length */
	unsigned int v6_prefix;
	bool report_codes;		/* key counters by code too */
	int family;			/* AF_UNSPEC: both */
	uint64_t timeout;		/* silence before a source is dropped,
					 * in the unit of `now` below; 0: never */
	uint32_t min_reads;		/* snapshots with packets before a
					 * series (0 counts as 1) */
	double min_rate;		/* packets per unit of `now` that name a
					 * source at once; 0: never */
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
	bool named;		/* has a series; else in probation, its
				 * counts (this interval's) are in other */
	bool fresh;		/* named at this snapshot: a new series, or
				 * one from before retired memory forgot it */
	uint64_t bytes;		/* cumulative */
	uint64_t bytes_delta;	/* since the previous snapshot */
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
 * the timeout, name the sources whose probation ends, start a new
 * interval of weights, and copy every counter into snap (whose
 * buffers are reused and grown; zero it before first use). Returns 0 or
 * -ENOMEM (snap is then incomplete).
 */
int nlicmp_sources_snapshot(struct nlicmp_sources *t,
			    struct nlicmp_snapshot *snap, uint64_t now);
void nlicmp_snapshot_free(struct nlicmp_snapshot *snap);

#endif /* NLICMP_SOURCES_H */
