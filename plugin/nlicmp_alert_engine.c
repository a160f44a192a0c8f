// SPDX-License-Identifier: GPL-2.0
/*
 * nlicmp_alert_engine: subjects, their states and baselines, aggregates
 * and the notifications' text; see the header.
 */
#include "nlicmp_alert_engine.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nlicmp_baseline.h"

struct subject {
	struct nlicmp_alert_state state;
	struct nlicmp_baseline baseline;
	struct nlicmp_net net;		/* the source it is about */
	uint32_t gen;			/* the slot's generation it is about */
	uint64_t round;			/* last read that saw the source */
};

/* Per rule: the total's (or network's) subject and aggregate counter. */
struct rule_state {
	struct subject total;
	_Atomic uint64_t packets;	/* Aggregate: every matching record */
	uint64_t packets_last;
	bool loaded;			/* a StateFile line was taken */
};

/* A source's baseline loaded from a file, until the source is tracked. */
struct saved {
	size_t rule;
	char name[NLICMP_NET_STRLEN];
	struct nlicmp_baseline baseline;
	size_t line;			/* in the file: the last one wins */
	bool taken;
};

struct nlicmp_alert_engine {
	struct nlicmp_alert_engine_conf conf;
	struct subject *slot;		/* max_sources x nrule */
	struct rule_state *rule;	/* nrule */
	struct saved *saved;		/* sorted by (rule, name), unique */
	size_t nsaved, savedcap;
	struct nlicmp_alert_event *ev;
	size_t nev, evcap;
	size_t evmax;			/* the most one run can make */
	uint64_t round;
};

/* Grow an array by doubling, never beyond max elements. */
static int grow(void **v, size_t *cap, size_t max, size_t size)
{
	size_t n = *cap ? 2 * *cap : 16;
	void *p;

	if (*cap >= max)
		return -1;
	if (n > max)
		n = max;
	p = realloc(*v, n * size);
	if (p == NULL)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

struct nlicmp_alert_engine *
nlicmp_alert_engine_new(const struct nlicmp_alert_engine_conf *conf)
{
	struct nlicmp_alert_engine *e = calloc(1, sizeof(*e));
	size_t n = (size_t)conf->max_sources * conf->nrule;

	if (e == NULL)
		return NULL;
	e->conf = *conf;
	e->slot = calloc(n ? n : 1, sizeof(*e->slot));
	e->rule = calloc(conf->nrule ? conf->nrule : 1, sizeof(*e->rule));
	/* At most two per slot and rule (an old source's clear, the new
	 * one's level) and one per rule's total; grown as needed.
	 */
	e->evmax = 2 * n + conf->nrule;
	if (e->slot == NULL || e->rule == NULL) {
		nlicmp_alert_engine_free(e);
		return NULL;
	}
	return e;
}

void nlicmp_alert_engine_free(struct nlicmp_alert_engine *e)
{
	if (e == NULL)
		return;
	free(e->slot);
	free(e->rule);
	free(e->ev);
	free(e->saved);
	free(e);
}

size_t nlicmp_alert_engine_memory(const struct nlicmp_alert_engine *e)
{
	size_t n = (size_t)e->conf.max_sources * e->conf.nrule;

	return sizeof(*e) + (n ? n : 1) * sizeof(*e->slot) +
	       (e->conf.nrule ? e->conf.nrule : 1) * sizeof(*e->rule) +
	       e->evcap * sizeof(*e->ev) + e->savedcap * sizeof(*e->saved);
}

void nlicmp_alert_engine_record(struct nlicmp_alert_engine *e,
				const struct nlicmp_record *rec)
{
	struct nlicmp_net src;
	size_t r;
	bool made = false;

	if (!rec->has_src || !rec->has_type)
		return;
	for (r = 0; r < e->conf.nrule; r++) {
		const struct nlicmp_alert_rule *rule = &e->conf.rule[r];

		if (!rule->aggregate)
			continue;
		if (!made) {
			nlicmp_net_from_bytes(&src, rec->family, rec->src, 128);
			made = true;
		}
		if (nlicmp_net_contains(&rule->net, &src) &&
		    icmp_match_test(&rule->match, rec->family, rec->type,
				    rec->has_code ? rec->code : -1))
			atomic_fetch_add_explicit(&e->rule[r].packets,
						  rec->packets,
						  memory_order_relaxed);
	}
}

/* Packets of the rule's type in the interval. */
static uint64_t rule_delta(const struct nlicmp_alert_engine *e,
			   const struct nlicmp_alert_rule *rule,
			   const struct nlicmp_snapshot *snap,
			   const struct nlicmp_snap_source *s)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct nlicmp_snap_count *c = &snap->count[s->first + i];
		uint32_t k = c->key;

		if (icmp_match_test(&rule->match, NLICMP_KEY_FAMILY(k),
				    NLICMP_KEY_TYPE(k),
				    e->conf.codes && NLICMP_KEY_HAS_CODE(k) ?
				    NLICMP_KEY_CODE(k) : -1))
			sum += c->delta;
	}
	return sum;
}

/* The busiest tracked sources of the rule's type (inside its network). */
static void top_sources(const struct nlicmp_alert_engine *e,
			const struct nlicmp_alert_rule *rule,
			const struct nlicmp_snapshot *snap, double seconds,
			struct nlicmp_alert_event *ev)
{
	size_t i, j;

	ev->ntop = 0;
	for (i = 0; i < snap->nsrc; i++) {
		const struct nlicmp_snap_source *s = &snap->src[i];
		double rate;

		if (rule->scope == NLICMP_SCOPE_NET &&
		    !nlicmp_net_contains(&rule->net, &s->net))
			continue;
		rate = (double)rule_delta(e, rule, snap, s) / seconds;
		if (rate <= 0)
			continue;
		for (j = ev->ntop; j > 0 && ev->top[j - 1].rate < rate; j--)
			if (j < NLICMP_ALERT_TOP)
				ev->top[j] = ev->top[j - 1];
		if (j >= NLICMP_ALERT_TOP)
			continue;
		snprintf(ev->top[j].name, sizeof(ev->top[j].name), "%s",
			 s->name);
		ev->top[j].rate = rate;
		if (ev->ntop < NLICMP_ALERT_TOP)
			ev->ntop++;
	}
}

static void format_message(struct nlicmp_alert_event *ev, const char *note)
{
	const struct nlicmp_alert_rule *rule = ev->rule;
	size_t len, i;
	char *m = ev->message;

	if (note != NULL) {
		snprintf(m, sizeof(ev->message), "ICMP %s%sfrom %s: %s",
			 rule->type, rule->type[0] ? " " : "", ev->source, note);
		return;
	}
	/* A configured threshold as written, a learned one to 0.1. */
	snprintf(m, sizeof(ev->message),
		 ev->learned ? "ICMP %s%sfrom %s%s: %.0f packets/s, %s %s "
			       "threshold %.1f" :
			       "ICMP %s%sfrom %s%s: %.0f packets/s, %s %s "
			       "threshold %g",
		 rule->type, rule->type[0] ? " " : "", ev->source,
		 rule->aggregate ? " (sum)" : "", ev->rate,
		 ev->level == NLICMP_LEVEL_OKAY ? "back below" : "above",
		 ev->level == NLICMP_LEVEL_FAILURE ? "failure" : "warning",
		 ev->threshold);
	len = strlen(m);
	if (ev->learned && len < sizeof(ev->message))
		len += (size_t)snprintf(m + len, sizeof(ev->message) - len,
					" (baseline %.1f packets/s, spread %.1f)",
					ev->baseline, ev->deviation);
	for (i = 0; i < ev->ntop && len < sizeof(ev->message); i++)
		len += (size_t)snprintf(m + len, sizeof(ev->message) - len,
					"%s%s %.0f/s", i ? ", " : "; top: ",
					ev->top[i].name, ev->top[i].rate);
}

static struct nlicmp_alert_event *
event_new(struct nlicmp_alert_engine *e, const struct nlicmp_alert_rule *rule,
	  int level, const char *instance, const char *source)
{
	struct nlicmp_alert_event *ev;

	/* Out of memory: the notification is not sent, the state changed. */
	if (e->nev == e->evcap &&
	    grow((void **)&e->ev, &e->evcap, e->evmax, sizeof(*e->ev)) < 0)
		return NULL;
	ev = &e->ev[e->nev++];
	memset(ev, 0, sizeof(*ev));
	ev->rule = rule;
	ev->level = level;
	snprintf(ev->instance, sizeof(ev->instance), "%s", instance);
	snprintf(ev->source, sizeof(ev->source), "%s", source);
	ev->scope = rule->scope == NLICMP_SCOPE_ALL ? "all" :
		    rule->aggregate ? "network" : "source";
	return ev;
}

/* One subject's interval: thresholds, state machine, baseline. */
static struct nlicmp_alert_event *
judge(struct nlicmp_alert_engine *e, const struct nlicmp_alert_rule *rule,
      struct subject *subj, const char *instance, const char *source,
      double rate, double seconds)
{
	struct nlicmp_alert_event *ev;
	double warning = rule->warning, failure = rule->failure, threshold;
	double normal = 0;
	struct nlicmp_baseline before = subj->baseline;
	bool learned = false;
	int level;

	if (rule->baseline &&
	    nlicmp_baseline_ready(&subj->baseline, rule->learn_for)) {
		learned = true;
		warning = fmin(warning,
			       nlicmp_baseline_threshold(&subj->baseline,
							 rule->deviations,
							 rule->min_rate));
		failure = fmin(failure,
			       nlicmp_baseline_threshold(&subj->baseline,
							 rule->failure_deviations,
							 rule->min_rate));
		/* Within a spread of the learned mean a level is not held,
		 * whatever Hysteresis says: a change of level, learned at a
		 * tenth, ends its alert once the mean reaches it (held at
		 * threshold x (1 - Hysteresis) below the mean, it never would).
		 */
		normal = nlicmp_baseline_threshold(&subj->baseline, 1, 0);
	}
	/* Only a FailureRate besides a baseline: it is a warning too. */
	warning = fmin(warning, failure);
	level = nlicmp_alert_step_at(rule, &subj->state, rate, warning,
				     failure, fmin(normal, warning), &threshold);
	/* Anomalous, learned slowly: at or above the warning threshold (a
	 * learned one is never below MinRate), or still alerting (within
	 * Hysteresis).
	 */
	if (rule->baseline)
		nlicmp_baseline_update(&subj->baseline, rate, seconds,
				       rule->learn_for,
				       subj->state.level != NLICMP_LEVEL_OKAY ||
				       rate >= warning);
	if (level < 0)
		return NULL;
	ev = event_new(e, rule, level, instance, source);
	if (ev == NULL)
		return NULL;
	ev->rate = rate;
	ev->threshold = threshold;
	ev->learned = learned;
	ev->baseline = before.mean;
	ev->deviation = before.dev;
	return ev;
}

static int saved_cmp(const void *a, const void *b)
{
	const struct saved *x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Lines of the same subject in the file's order. */
static int saved_order(const void *a, const void *b)
{
	const struct saved *x = a, *y = b;
	int c = saved_cmp(a, b);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Sorted, one per subject for restore's bsearch: of lines repeating a
 * subject (never written by save: a hand-edited or concatenated file),
 * the last in the file is kept, as for a total. Returns how many
 * earlier ones were dropped.
 */
static size_t saved_unique(struct nlicmp_alert_engine *e)
{
	size_t i, n = 0, dropped;

	if (e->nsaved > 1)
		qsort(e->saved, e->nsaved, sizeof(*e->saved), saved_order);
	for (i = 0; i < e->nsaved; i++) {
		if (i + 1 < e->nsaved &&
		    saved_cmp(&e->saved[i], &e->saved[i + 1]) == 0)
			continue;	/* a later line follows */
		if (n != i)
			e->saved[n] = e->saved[i];
		n++;
	}
	dropped = e->nsaved - n;
	e->nsaved = n;
	return dropped;
}

/* A source tracked (again): its baseline from the file, once. */
static void restore(struct nlicmp_alert_engine *e, size_t r, const char *name,
		    struct subject *subj)
{
	struct saved key = { .rule = r }, *found;

	if (e->nsaved == 0 || !e->conf.rule[r].baseline)
		return;
	snprintf(key.name, sizeof(key.name), "%s", name);
	found = bsearch(&key, e->saved, e->nsaved, sizeof(*e->saved),
			saved_cmp);
	if (found == NULL || found->taken)
		return;
	subj->baseline = found->baseline;
	found->taken = true;
}

/* A source left the table while alerting: clear its alert. */
static void forget(struct nlicmp_alert_engine *e,
		   const struct nlicmp_alert_rule *rule, struct subject *subj)
{
	char name[NLICMP_NET_STRLEN];
	struct nlicmp_alert_event *ev;

	if (subj->state.level != NLICMP_LEVEL_OKAY) {
		nlicmp_net_format(&subj->net, name, sizeof(name));
		ev = event_new(e, rule, NLICMP_LEVEL_OKAY, name, name);
		if (ev != NULL) {
			ev->threshold = rule->warning;
			format_message(ev, "no longer tracked (silent, or fewer "
					   "packets than the busiest sources)");
		}
	}
	memset(subj, 0, sizeof(*subj));
}

static void run_total(struct nlicmp_alert_engine *e, size_t r,
		      const struct nlicmp_snapshot *snap, double seconds)
{
	const struct nlicmp_alert_rule *rule = &e->conf.rule[r];
	struct rule_state *rs = &e->rule[r];
	char instance[NLICMP_NET_STRLEN], source[NLICMP_NET_STRLEN], *sep;
	struct nlicmp_alert_event *ev;
	uint64_t delta;

	if (rule->aggregate) {
		uint64_t now = atomic_load_explicit(&rs->packets,
						    memory_order_relaxed);

		delta = now - rs->packets_last;
		rs->packets_last = now;
		nlicmp_net_format(&rule->net, instance, sizeof(instance));
		/* "198.51.100.0_24" names a series; in text, the usual '/'. */
		memcpy(source, instance, sizeof(source));
		sep = strrchr(source, '_');
		if (sep != NULL)
			*sep = '/';
	} else {
		delta = rule_delta(e, rule, snap, &snap->all);
		snprintf(instance, sizeof(instance), "all");
		snprintf(source, sizeof(source), "all");
	}
	ev = judge(e, rule, &rs->total, instance, source,
		   (double)delta / seconds, seconds);
	if (ev == NULL)
		return;
	if (ev->level != NLICMP_LEVEL_OKAY)
		top_sources(e, rule, snap, seconds, ev);
	format_message(ev, NULL);
}

size_t nlicmp_alert_engine_run(struct nlicmp_alert_engine *e,
			       const struct nlicmp_snapshot *snap,
			       double seconds,
			       const struct nlicmp_alert_event **events)
{
	size_t nrule = e->conf.nrule, r, i;

	e->nev = 0;
	*events = e->ev;
	if (!(seconds > 0))
		return 0;
	e->round++;
	for (r = 0; r < nrule; r++) {
		const struct nlicmp_alert_rule *rule = &e->conf.rule[r];

		if (rule->scope == NLICMP_SCOPE_ALL || rule->aggregate) {
			run_total(e, r, snap, seconds);
			continue;
		}
		for (i = 0; i < snap->nsrc; i++) {
			const struct nlicmp_snap_source *s = &snap->src[i];
			struct subject *subj = &e->slot[(size_t)s->slot * nrule + r];
			struct nlicmp_alert_event *ev;

			if (!nlicmp_alert_watches(rule, &s->net))
				continue;
			if (subj->gen != s->gen || subj->round == 0) {
				forget(e, rule, subj);
				subj->gen = s->gen;
				subj->net = s->net;
				restore(e, r, s->name, subj);
			}
			subj->round = e->round;
			ev = judge(e, rule, subj, s->name, s->name,
				   (double)rule_delta(e, rule, snap, s) /
				   seconds, seconds);
			if (ev != NULL)
				format_message(ev, NULL);
		}
	}
	/* Sources gone from the table since the previous read. */
	for (i = 0; i < (size_t)e->conf.max_sources * nrule; i++)
		if (e->slot[i].round != e->round && e->slot[i].round != 0)
			forget(e, &e->conf.rule[i % nrule], &e->slot[i]);
	*events = e->ev;	/* grown on the way, maybe moved */
	return e->nev;
}

/* ---- saving learned baselines ---- */

#define STATE_HEADER "netlink_icmp-baselines 1"

/* What identifies a rule across restarts, as one word. */
static void rule_key(const struct nlicmp_alert_rule *rule, char *buf,
		     size_t size)
{
	char net[NLICMP_NET_STRLEN] = "-";

	if (rule->scope == NLICMP_SCOPE_NET)
		nlicmp_net_format(&rule->net, net, sizeof(net));
	snprintf(buf, size, "type=%s,scope=%s,net=%s,aggregate=%d",
		 rule->type[0] ? rule->type : "any",
		 rule->scope == NLICMP_SCOPE_ALL ? "all" :
		 rule->scope == NLICMP_SCOPE_NET ? "net" : "each",
		 net, rule->aggregate);
}

static int save_one(FILE *f, const char *key, const char *subject,
		    const struct nlicmp_baseline *b)
{
	if (b->seconds <= 0)
		return 0;
	return fprintf(f, "%s %s %.17g %.17g %.17g\n", key, subject, b->mean,
		       b->dev, b->seconds) < 0 ? -1 : 0;
}

int nlicmp_alert_engine_save(const struct nlicmp_alert_engine *e, FILE *f)
{
	size_t nrule = e->conf.nrule, r, i;
	char key[256], name[NLICMP_NET_STRLEN];
	int err = fprintf(f, STATE_HEADER "\n") < 0 ? -1 : 0;

	for (r = 0; r < nrule; r++) {
		const struct nlicmp_alert_rule *rule = &e->conf.rule[r];

		if (!rule->baseline)
			continue;
		rule_key(rule, key, sizeof(key));
		if (rule->scope == NLICMP_SCOPE_ALL || rule->aggregate) {
			err |= save_one(f, key, "total",
					&e->rule[r].total.baseline);
			continue;
		}
		for (i = 0; i < e->conf.max_sources; i++) {
			const struct subject *subj = &e->slot[i * nrule + r];

			if (subj->round == 0)
				continue;
			nlicmp_net_format(&subj->net, name, sizeof(name));
			err |= save_one(f, key, name, &subj->baseline);
		}
	}
	return err;
}

/* A line not taken; an invalid one is remembered too. */
static void skip(struct nlicmp_alert_load_stats *st, size_t lineno,
		 bool invalid)
{
	st->skipped++;
	if (!invalid)
		return;
	if (st->invalid++ == 0)
		st->first_invalid = lineno;
}

/* Whether save could have written it: a rate in packets/s. */
static bool rate_ok(double v)
{
	return v >= 0 && v <= NLICMP_RATE_MAX;	/* false for NaN */
}

/*
 * One line's values, as save writes them: five fields, nothing after.
 * A mean or spread beyond any rate would put the thresholds where no
 * rate reaches them (the subject silenced until it is forgotten).
 */
static bool parse_line(const char *line, char *key, char *subject,
		       struct nlicmp_baseline *b)
{
	int end = -1;

	if (sscanf(line, "%255s %63s %lf %lf %lf %n", key, subject, &b->mean,
		   &b->dev, &b->seconds, &end) != 5 || end < 0 ||
	    line[end] != '\0')
		return false;
	return rate_ok(b->mean) && rate_ok(b->dev) && b->seconds > 0 &&
	       b->seconds <= NLICMP_DURATION_MAX;
}

size_t nlicmp_alert_engine_load(struct nlicmp_alert_engine *e, FILE *f,
				struct nlicmp_alert_load_stats *st)
{
	size_t nrule = e->conf.nrule, cap = (size_t)e->conf.max_sources * nrule;
	size_t r, taken = 0, lineno = 1, dropped;
	char line[512], key[256], want[256], subject[NLICMP_NET_STRLEN];
	struct nlicmp_baseline b;

	memset(st, 0, sizeof(*st));
	if (fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, STATE_HEADER "\n") != 0) {
		skip(st, lineno, true);
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		/* Longer than any line save writes: skipped whole, its tail
		 * not read as a line of its own.
		 */
		if (strchr(line, '\n') == NULL && !feof(f)) {
			int c;

			while ((c = getc(f)) != EOF && c != '\n')
				;
			skip(st, lineno, true);
			continue;
		}
		if (!parse_line(line, key, subject, &b)) {
			skip(st, lineno, true);
			continue;
		}
		for (r = 0; r < nrule; r++) {
			rule_key(&e->conf.rule[r], want, sizeof(want));
			if (e->conf.rule[r].baseline && strcmp(key, want) == 0)
				break;
		}
		if (r == nrule) {
			skip(st, lineno, false);	/* the rule changed */
			continue;
		}
		b.seconds = fmin(b.seconds, e->conf.rule[r].learn_for);
		if (e->conf.rule[r].scope == NLICMP_SCOPE_ALL ||
		    e->conf.rule[r].aggregate) {
			if (strcmp(subject, "total") != 0) {
				skip(st, lineno, true);
				continue;
			}
			e->rule[r].total.baseline = b;
			/* Repeated: the last line wins, the earlier skipped. */
			if (e->rule[r].loaded) {
				skip(st, lineno, false);
				continue;
			}
			e->rule[r].loaded = true;
		} else if (e->nsaved < e->savedcap ||
			   grow((void **)&e->saved, &e->savedcap, cap,
				sizeof(*e->saved)) == 0) {
			struct saved *sv = &e->saved[e->nsaved++];

			sv->rule = r;
			snprintf(sv->name, sizeof(sv->name), "%s", subject);
			sv->baseline = b;
			sv->line = lineno;
			sv->taken = false;
		} else {
			skip(st, lineno, false);	/* beyond the cap */
			continue;
		}
		taken++;
	}
	dropped = saved_unique(e);
	st->skipped += dropped;
	return taken - dropped;
}
