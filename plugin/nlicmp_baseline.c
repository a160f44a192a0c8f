// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_baseline: EWMA of rate and absolute deviation; see the header.
 */
#include "nlicmp_baseline.h"

#include <float.h>
#include <math.h>

/*
 * Weight of an anomalous interval, relative to a normal one. A tenth
 * (at the defaults) keeps a flood held at 2x to 1000x alerting for 11 to
 * 18 x learn_for, yet accepts a real change of level within a day at the
 * default hour; a third would clear the flood within 3.3 to 5.4, a
 * hundredth alert on the change for 110 to 180 (a week).
 */
#define ANOMALY_WEIGHT 0.1

void nlicmp_baseline_update(struct nlicmp_baseline *b, double rate,
			    double seconds, double learn_for, bool anomalous)
{
	double alpha, d;

	if (!isfinite(rate) || rate < 0 || !(seconds > 0))
		return;
	if (b->seconds <= 0) {
		b->mean = rate;
		b->dev = 0;
		b->seconds = seconds;
		return;
	}
	/* A running average while learning, then a fixed memory. */
	if (b->seconds < learn_for)
		alpha = seconds / (b->seconds + seconds);
	else
		alpha = 1 - exp(-seconds / learn_for);
	d = fabs(rate - b->mean);
	if (anomalous) {
		alpha *= ANOMALY_WEIGHT;
		/* Counted as one spread at most: a flood's own distance from
		 * the mean would raise the thresholds faster than the mean
		 * rises, and clear the alert it raised.
		 */
		d = fmin(d, fmax(b->dev, NLICMP_BASELINE_MIN_SPREAD * b->mean));
	}
	b->mean += alpha * (rate - b->mean);
	b->dev += alpha * (d - b->dev);
	b->seconds = fmin(b->seconds + seconds, learn_for);
}

bool nlicmp_baseline_ready(const struct nlicmp_baseline *b, double learn_for)
{
	return b->seconds >= learn_for;
}

double nlicmp_baseline_threshold(const struct nlicmp_baseline *b, double k,
				 double floor)
{
	double spread = fmax(b->dev, NLICMP_BASELINE_MIN_SPREAD * b->mean);

	/* Above 0 whatever the floor: a rate of 0, all a silent subject
	 * has learned, is at or above a threshold of 0 and would alert.
	 */
	return fmax(fmax(floor, b->mean + k * spread), DBL_MIN);
}
