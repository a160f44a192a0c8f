/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlicmp_baseline: a learned "normal" rate for one alert subject.
 *
 * Two exponentially weighted moving averages, of the rate and of its
 * absolute deviation from that average (a robust spread: one outlier
 * moves it linearly, not squared). Until learn_for seconds have been
 * seen the weights are those of a plain average, so the first hour is
 * not dominated by the first interval; after that the averages forget
 * with time constant learn_for. An interval the caller calls anomalous
 * (at or above its warning threshold, or while alerting) is learned at a
 * tenth of the weight, its distance from the mean counted as one spread
 * at most: an attack moves the mean with time constant 10 x learn_for and
 * does not widen the spread, so it cannot raise the thresholds faster
 * than the mean. A 10x flood held at the defaults stays FAILURE for about
 * 8.8 x learn_for, WARNING to about 16.9, and is the normal after that
 * (docs/plugin.md).
 */
#ifndef NLICMP_BASELINE_H
#define NLICMP_BASELINE_H

#include <stdbool.h>

struct nlicmp_baseline {
	double mean;		/* packets/s */
	double dev;		/* mean absolute deviation, packets/s */
	double seconds;		/* learned so far (capped at learn_for) */
};

/* The spread never counts as less than this share of the mean: perfectly
 * steady traffic would otherwise alert on its first jitter.
 */
#define NLICMP_BASELINE_MIN_SPREAD 0.1

void nlicmp_baseline_update(struct nlicmp_baseline *b, double rate,
			    double seconds, double learn_for, bool anomalous);

/* Whether learn_for seconds have been learned (the baseline may fire). */
bool nlicmp_baseline_ready(const struct nlicmp_baseline *b,
			   double learn_for);

/* mean + k * spread, not below floor, and always above 0. */
double nlicmp_baseline_threshold(const struct nlicmp_baseline *b, double k,
				 double floor);

#endif /* NLICMP_BASELINE_H */
