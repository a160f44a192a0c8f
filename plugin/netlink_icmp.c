// SPDX-License-Identifier: GPL-2.0
/*
 * collectd plugin netlink_icmp: per-source ICMP metrics and spike alerts
 * from the netlink_icmp kernel module.
 *
 * A receiver thread drains the module's EVENT messages into the
 * aggregation table (nlicmp_sources) under a mutex; the read callback
 * keeps the registration alive, snapshots the table and, with the mutex
 * released, dispatches the values and runs the alert rules
 * (nlicmp_alert_engine), sending the notifications it asks for.
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"
#include "collectd/core/utils/common/common.h"

#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>

#include "icmp_names.h"
#include "nlicmp_alert_engine.h"
#include "nlicmp_alerts.h"
#include "nlicmp_client.h"
#include "nlicmp_config.h"
#include "nlicmp_prefix.h"
#include "nlicmp_sources.h"

#define PLUGIN_NAME "netlink_icmp"
#define LOG_PREFIX PLUGIN_NAME " plugin: "

/* How often the receiver thread looks at its stop flag. */
#define RECEIVE_WAIT_MS 200

static struct nlicmp_config conf;
static bool conf_invalid;

/* Shared by the receiver thread and the read callback. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nlicmp_sources *table;
static uint64_t undelivered_before;	/* from earlier registrations */
static uint64_t undelivered_now;	/* this registration's count */
static uint64_t flush_applied;		/* latest flush number applied */

/*
 * The table's clock, read with table_lock held: a batch and a snapshot
 * then see times in the order they take the lock, so a source heard just
 * now never looks silent for ages (now - last_seen wrapping around).
 * Monotonic, so a step of the wall clock does not time sources out.
 */
static cdtime_t monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return TIMESPEC_TO_CDTIME_T(&ts);
}

static cdtime_t (*table_clock)(void) = monotonic_now;

/* The read callback's: the client, the thread, the connection state. */
static struct nlicmp_client *client;
static pthread_t receiver;
static bool receiver_running;
static atomic_bool receiver_stop;
static atomic_bool receiver_failed;
static bool module_down_notified;
static c_complain_t complain_connect = C_COMPLAIN_INIT_STATIC;
static uint32_t module_flush_ms;	/* from GET_STATS, 0: unknown */
static uint64_t module_flushes;		/* from GET_STATS: flushes so far */
static uint64_t lost_reported;		/* snap.lost when last logged */

/* The receiver thread's own. */
static c_complain_t complain_gap = C_COMPLAIN_INIT_STATIC;
static c_complain_t complain_overrun = C_COMPLAIN_INIT_STATIC;
static c_complain_t complain_badmsg = C_COMPLAIN_INIT_STATIC;
static c_complain_t complain_alloc = C_COMPLAIN_INIT_STATIC;
static uint64_t messages_missed;
static uint64_t overruns;
static uint64_t records_dropped;

/* Records of one nlicmp_receive call, applied under the lock at once. */
struct batch {
	struct nlicmp_record *rec;
	size_t n, cap;
	bool has_listener;
	uint64_t undelivered;
	uint64_t flush;		/* highest flush number in the batch */
	size_t dropped;		/* records lost for want of memory */
};

static struct nlicmp_snapshot snap;
static struct nlicmp_alert_engine *alerts;
static cdtime_t last_read;		/* table_clock() of the last read */
static cdtime_t last_read_time;		/* cdtime() of the last read */
static uint64_t last_read_flush;	/* flush_applied at the last read */

/* ---- notifications ---- */

/* About the module itself: no instance, no meta data. */
static void notify(int severity, const char *message)
{
	notification_t n = {
		.severity = severity,
		.time = cdtime(),
		.plugin = PLUGIN_NAME,
	};

	sstrncpy(n.host, hostname_g, sizeof(n.host));
	sstrncpy(n.message, message, sizeof(n.message));
	plugin_dispatch_notification(&n);
}

/* ---- receiver thread ---- */

static int on_message(struct nlicmp_event_info *info, void *arg)
{
	struct batch *b = arg;

	if (info->missed > 0) {
		messages_missed += info->missed;
		c_complain(LOG_WARNING, &complain_gap,
			   LOG_PREFIX "%" PRIu32 " event message(s) from the "
			   "module were lost (%" PRIu64 " so far); their "
			   "packets are counted in packets-undelivered.",
			   info->missed, messages_missed);
	}
	if (info->has_listener) {
		b->has_listener = true;
		b->undelivered = info->listener.undelivered;
	}
	if (info->flush > b->flush)
		b->flush = info->flush;
	return 0;
}

static int on_record(const struct nlicmp_event_info *info,
		     const struct nlicmp_record *rec, void *arg)
{
	struct batch *b = arg;

	(void)info;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		struct nlicmp_record *r = realloc(b->rec, cap * sizeof(*r));

		if (r == NULL) {
			b->dropped++;
			return 0;
		}
		b->rec = r;
		b->cap = cap;
	}
	b->rec[b->n++] = *rec;
	return 0;
}

static const struct nlicmp_event_ops event_ops = {
	.message = on_message,
	.record = on_record,
};

static void batch_apply(struct batch *b)
{
	cdtime_t now;
	size_t i;

	pthread_mutex_lock(&table_lock);
	now = table_clock();
	for (i = 0; i < b->n; i++) {
		nlicmp_sources_add(table, &b->rec[i], now);
		nlicmp_alert_engine_record(alerts, &b->rec[i]);
	}
	if (b->has_listener && b->undelivered > undelivered_now)
		undelivered_now = b->undelivered;
	if (b->flush > flush_applied)
		flush_applied = b->flush;
	pthread_mutex_unlock(&table_lock);

	if (b->dropped > 0) {
		records_dropped += b->dropped;
		c_complain(LOG_ERR, &complain_alloc,
			   LOG_PREFIX "out of memory: %zu record(s) of an event "
			   "were dropped (%" PRIu64 " so far); the totals are "
			   "no longer exact.", b->dropped, records_dropped);
	}
	b->n = 0;
	b->has_listener = false;
	b->flush = 0;
	b->dropped = 0;
}

static void *receiver_main(void *arg)
{
	struct nlicmp_client *c = arg;
	struct batch b = { 0 };

	while (!atomic_load(&receiver_stop)) {
		int n = nlicmp_receive(c, RECEIVE_WAIT_MS, &event_ops, &b);

		batch_apply(&b);
		if (n >= 0 || n == -EINTR)
			continue;
		if (n == -ENOBUFS) {
			overruns++;
			c_complain(LOG_WARNING, &complain_overrun,
				   LOG_PREFIX "the event socket overran (%" PRIu64
				   " times so far); the module counts what it "
				   "could not deliver in packets-undelivered.",
				   overruns);
			continue;
		}
		if (n == -EBADMSG) {
			c_complain(LOG_ERR, &complain_badmsg,
				   LOG_PREFIX "a malformed event message was "
				   "dropped.");
			continue;
		}
		ERROR(LOG_PREFIX "receiving events failed: %s; reconnecting.",
		      nlicmp_strerror(n));
		atomic_store(&receiver_failed, true);
		break;
	}
	free(b.rec);
	return NULL;
}

/* ---- connection to the module ---- */

static void disconnect(void)
{
	if (receiver_running) {
		atomic_store(&receiver_stop, true);
		pthread_join(receiver, NULL);
		receiver_running = false;
	}
	if (client != NULL) {
		/* Fails harmlessly when the module went away. */
		nlicmp_unregister(client);
		nlicmp_close(client);
		client = NULL;
	}
}

/*
 * Log (rate-limited) why the module cannot be used and, once per outage,
 * send a FAILURE notification; notifications wait for the read callback,
 * when every plugin, the notification writers too, has been initialised.
 */
static void module_down(const char *why, bool notify_now)
{
	char msg[NOTIF_MAX_MSG_LEN];

	c_complain(LOG_ERR, &complain_connect,
		   LOG_PREFIX "%s; retrying every interval.", why);
	if (!notify_now || module_down_notified)
		return;
	module_down_notified = true;
	snprintf(msg, sizeof(msg), "netlink_icmp: %s; retrying every interval",
		 why);
	notify(NOTIF_FAILURE, msg);
}

/* Register a new client and start its receiver; why gets the reason of a
 * failure.
 */
static int connect_module(char *why, size_t whylen)
{
	int err;

	err = nlicmp_open(&client, 0);
	if (err == 0)
		err = nlicmp_register(client);
	if (err < 0) {
		snprintf(why, whylen, "cannot register with the module: %s",
			 nlicmp_strerror(err));
		nlicmp_close(client);
		client = NULL;
		return -1;
	}

	pthread_mutex_lock(&table_lock);
	undelivered_before += undelivered_now;
	undelivered_now = 0;
	pthread_mutex_unlock(&table_lock);

	atomic_store(&receiver_stop, false);
	atomic_store(&receiver_failed, false);
	err = plugin_thread_create(&receiver, receiver_main, client,
				   "nlicmp recv");
	if (err != 0) {
		snprintf(why, whylen, "cannot start the receiver thread: %s",
			 STRERROR(err));
		nlicmp_unregister(client);
		nlicmp_close(client);
		client = NULL;
		return -1;
	}
	receiver_running = true;

	c_release(LOG_INFO, &complain_connect,
		  LOG_PREFIX "registered with the module again.");
	if (module_down_notified) {
		module_down_notified = false;
		notify(NOTIF_OKAY,
		       "netlink_icmp: registered with the module again");
	}
	INFO(LOG_PREFIX "registered as listener %" PRIu32 ".",
	     nlicmp_event_portid(client));
	return 0;
}

/* Whether the module still has this client as a listener: a module
 * unloaded, or unloaded and loaded again, has forgotten it.
 */
static bool check_registered(void)
{
	struct nlicmp_stats st;
	uint32_t me = nlicmp_event_portid(client);
	unsigned int i;
	bool found;
	/* GET_STATS with a stale id could reach another family. */
	int err = nlicmp_check_family(client);

	if (err == 0)
		err = nlicmp_get_stats(client, &st);
	if (err == -NLICMP_E_NOMODULE)
		return false;
	if (err < 0) {
		c_complain(LOG_WARNING, &complain_connect,
			   LOG_PREFIX "cannot check the registration: %s.",
			   nlicmp_strerror(err));
		return true;
	}
	if (st.flush_ms > 0)
		module_flush_ms = st.flush_ms;
	module_flushes = st.flushes;
	for (i = 0; i < st.nlisteners; i++)
		if (st.listener[i].portid == me)
			break;
	found = i < st.nlisteners;
	/* Fresher than the last event's copy, which lags behind a message
	 * that could not be delivered until the next one arrives.
	 */
	if (found) {
		pthread_mutex_lock(&table_lock);
		if (st.listener[i].undelivered > undelivered_now)
			undelivered_now = st.listener[i].undelivered;
		pthread_mutex_unlock(&table_lock);
	}
	nlicmp_stats_free(&st);
	return found;
}

static void keep_connected(void)
{
	char why[128];

	if (client != NULL && atomic_load(&receiver_failed)) {
		disconnect();
	} else if (client != NULL && !check_registered()) {
		disconnect();
		module_down("the netlink_icmp module was unloaded or reloaded",
			    true);
	}
	if (client == NULL && connect_module(why, sizeof(why)) != 0)
		module_down(why, true);
}

/* ---- dispatch ---- */

struct named_value {
	char name[ICMP_NAME_MAX];
	uint64_t value;
};

static int named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct named_value *)a)->name,
		      ((const struct named_value *)b)->name);
}

/* Formatting a name costs more than the rest of a read: the read
 * callback keeps the recent ones (keys hardly ever change).
 */
#define NAME_CACHE_SIZE 1024
static struct {
	uint32_t key;
	bool valid;
	char name[ICMP_NAME_MAX];
} name_cache[NAME_CACHE_SIZE];

static const char *count_name(uint32_t key)
{
	uint32_t h = (key ^ key >> 8 ^ key >> 16) % NAME_CACHE_SIZE;

	if (!name_cache[h].valid || name_cache[h].key != key) {
		icmp_format(name_cache[h].name, sizeof(name_cache[h].name),
			    NLICMP_KEY_FAMILY(key), NLICMP_KEY_TYPE(key),
			    NLICMP_KEY_CODE(key),
			    conf.report_codes && NLICMP_KEY_HAS_CODE(key));
		name_cache[h].key = key;
		name_cache[h].valid = true;
	}
	return name_cache[h].name;
}

/* time 0: now, as collectd stamps it. */
static void dispatch_one(const char *instance, const char *type,
			 const char *type_instance, value_t value,
			 cdtime_t time)
{
	value_list_t vl = VALUE_LIST_INIT;

	vl.values = &value;
	vl.values_len = 1;
	vl.time = time;
	sstrncpy(vl.plugin, PLUGIN_NAME, sizeof(vl.plugin));
	sstrncpy(vl.plugin_instance, instance, sizeof(vl.plugin_instance));
	sstrncpy(vl.type, type, sizeof(vl.type));
	sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
	plugin_dispatch_values(&vl);
}

/*
 * packets-<name> per counter and total_bytes. ICMP and ICMPv6 share names,
 * so counters of both families (in all and other) are summed by name.
 * A new series (zero_at set) gets only zeros stamped at the previous
 * read, its values from the next read on: a store that turns counters
 * into rates then has its first interval too (averaged over two). Both
 * in one read could reach the cache out of order (collectd's write
 * threads), the zero then refused as too old.
 */
static void dispatch_source(const char *instance,
			    const struct nlicmp_snap_source *s,
			    cdtime_t zero_at)
{
	struct named_value stackbuf[16], *nv = stackbuf;
	size_t i, n = 0;

	if (s->n > sizeof(stackbuf) / sizeof(stackbuf[0])) {
		nv = calloc(s->n, sizeof(*nv));
		if (nv == NULL)
			return;
	}
	for (i = 0; i < s->n; i++) {
		const struct nlicmp_snap_count *c = &snap.count[s->first + i];

		sstrncpy(nv[n].name, count_name(c->key), sizeof(nv[n].name));
		nv[n++].value = c->packets;
	}
	if (n > 1)
		qsort(nv, n, sizeof(*nv), named_cmp);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(nv[i].name, nv[i + 1].name) == 0) {
			nv[i + 1].value += nv[i].value;
			continue;
		}
		dispatch_one(instance, "packets", nv[i].name,
			     (value_t){ .derive = zero_at ? 0 :
					(derive_t)nv[i].value }, zero_at);
	}
	dispatch_one(instance, "total_bytes", "",
		     (value_t){ .derive = zero_at ? 0 : (derive_t)s->bytes },
		     zero_at);
	if (nv != stackbuf)
		free(nv);
}

/* ---- alerts ---- */

static void alert_notify(const struct nlicmp_alert_event *ev)
{
	static const int severity[] = {
		[NLICMP_LEVEL_OKAY] = NOTIF_OKAY,
		[NLICMP_LEVEL_WARNING] = NOTIF_WARNING,
		[NLICMP_LEVEL_FAILURE] = NOTIF_FAILURE,
	};
	notification_t n = {
		.severity = severity[ev->level],
		.time = cdtime(),
		.plugin = PLUGIN_NAME,
	};
	char key[16];
	size_t i;

	sstrncpy(n.host, hostname_g, sizeof(n.host));
	sstrncpy(n.plugin_instance, ev->instance, sizeof(n.plugin_instance));
	sstrncpy(n.type, "packets", sizeof(n.type));
	sstrncpy(n.type_instance, ev->rule->type, sizeof(n.type_instance));
	sstrncpy(n.message, ev->message, sizeof(n.message));
	plugin_notification_meta_add_string(&n, "source", ev->source);
	plugin_notification_meta_add_string(&n, "icmp_type",
					    ev->rule->type[0] ? ev->rule->type :
								"any");
	plugin_notification_meta_add_string(&n, "scope", ev->scope);
	plugin_notification_meta_add_double(&n, "rate", ev->rate);
	plugin_notification_meta_add_double(&n, "threshold", ev->threshold);
	if (ev->learned) {
		plugin_notification_meta_add_double(&n, "baseline",
						    ev->baseline);
		plugin_notification_meta_add_double(&n, "deviation",
						    ev->deviation);
	}
	for (i = 0; i < ev->ntop; i++) {
		ssnprintf(key, sizeof(key), "top%zu", i + 1);
		plugin_notification_meta_add_string(&n, key, ev->top[i].name);
		ssnprintf(key, sizeof(key), "top%zu_rate", i + 1);
		plugin_notification_meta_add_double(&n, key, ev->top[i].rate);
	}
	plugin_dispatch_notification(&n);
	plugin_notification_meta_free(n.meta);
}

/* Learned baselines from the last run, if StateFile says where. */
static void load_baselines(void)
{
	struct nlicmp_alert_load_stats st;
	size_t n;
	FILE *f;

	if (conf.state_file == NULL)
		return;
	f = fopen(conf.state_file, "r");
	if (f == NULL) {
		if (errno != ENOENT)
			WARNING(LOG_PREFIX "cannot read StateFile \"%s\": %s; "
				"baselines are learned afresh.", conf.state_file,
				STRERRNO);
		return;
	}
	n = nlicmp_alert_engine_load(alerts, f, &st);
	fclose(f);
	/* Once per start, however many lines: one message, with the count. */
	if (st.invalid > 0)
		WARNING(LOG_PREFIX "StateFile \"%s\": %zu invalid line(s) "
			"skipped, the first at line %zu (not a line of this "
			"file's format, or a value out of range: a mean or "
			"spread from 0 to %.15g packets/s, a learned time "
			"above 0 up to %.15g s); their baselines are learned "
			"afresh.",
			conf.state_file, st.invalid, st.first_invalid,
			NLICMP_RATE_MAX, NLICMP_DURATION_MAX);
	INFO(LOG_PREFIX "%zu learned baseline(s) loaded from \"%s\"; %zu "
	     "line(s) skipped (rules changed, repeated, or more than "
	     "MaxSources).", n,
	     conf.state_file, st.skipped - st.invalid);
}

/*
 * A new file only collectd's user can read or write: a stale one (or a
 * symlink another user of the directory put there) is removed, not
 * followed, and the file is created 0600 whatever collectd's umask.
 * NULL with errno set.
 */
static FILE *create_private(const char *path)
{
	FILE *f;
	int fd, e;

	if (unlink(path) != 0 && errno != ENOENT)
		return NULL;
	/* O_EXCL: whatever appeared since the unlink is not ours. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (f == NULL) {
		e = errno;
		close(fd);
		unlink(path);
		errno = e;
	}
	return f;
}

/* Written whole to a new file, then renamed: never half a file. */
static void save_baselines(void)
{
	char tmp[PATH_MAX];
	FILE *f;
	int err;

	if (conf.state_file == NULL || alerts == NULL)
		return;
	ssnprintf(tmp, sizeof(tmp), "%s" NLICMP_STATE_FILE_SUFFIX,
		  conf.state_file);
	f = create_private(tmp);
	if (f == NULL) {
		ERROR(LOG_PREFIX "cannot create \"%s\": %s; the learned "
		      "baselines are lost.", tmp, STRERRNO);
		return;
	}
	err = nlicmp_alert_engine_save(alerts, f);
	if (fclose(f) != 0)
		err = -1;
	if (err == 0 && rename(tmp, conf.state_file) != 0)
		err = -1;
	if (err != 0) {
		ERROR(LOG_PREFIX "cannot save the learned baselines to \"%s\": "
		      "%s.", conf.state_file, STRERRNO);
		unlink(tmp);
	}
}

static void run_alerts(double seconds)
{
	const struct nlicmp_alert_event *ev;
	size_t i, n = nlicmp_alert_engine_run(alerts, &snap, seconds, &ev);

	for (i = 0; i < n; i++)
		alert_notify(&ev[i]);
}

/* ---- collectd callbacks ---- */

/* Errors are logged here and make init fail: the plugin does not start,
 * the rest of collectd does.
 */
static int nic_config(oconfig_item_t *ci)
{
	if (nlicmp_config_read(&conf, ci) != 0)
		conf_invalid = true;
	return 0;
}

static int nic_init(void)
{
	struct nlicmp_sources_conf sc;
	struct nlicmp_alert_engine_conf ac;
	char why[128];
	size_t r;

	if (conf_invalid) {
		ERROR(LOG_PREFIX "not started: the configuration has errors "
		      "(see above).");
		return -1;
	}
	sc = (struct nlicmp_sources_conf){
		.max_sources = (uint32_t)conf.max_sources,
		.v4_prefix = (unsigned int)conf.v4_prefix,
		.v6_prefix = (unsigned int)conf.v6_prefix,
		.report_codes = conf.report_codes,
		.family = conf.family,
		.timeout = DOUBLE_TO_CDTIME_T(conf.source_timeout),
		.min_reads = (uint32_t)conf.min_reads,
		/* packets/s to packets per cdtime_t unit */
		.min_rate = conf.min_rate / (double)DOUBLE_TO_CDTIME_T(1.0),
		.ignore = conf.ignore,
		.nignore = conf.nignore,
	};
	/* Alerts on type-code names count by code even without ReportCodes
	 * (count_name then folds the codes away in the metrics).
	 */
	for (r = 0; r < conf.nalert; r++)
		if (nlicmp_alert_needs_codes(&conf.alert[r]))
			sc.report_codes = true;
	ac = (struct nlicmp_alert_engine_conf){
		.rule = conf.alert,
		.nrule = conf.nalert,
		.max_sources = (uint32_t)conf.max_sources,
		.codes = sc.report_codes,
	};
	table = nlicmp_sources_new(&sc);
	alerts = nlicmp_alert_engine_new(&ac);
	if (table == NULL || alerts == NULL) {
		ERROR(LOG_PREFIX "out of memory for %d sources.",
		      conf.max_sources);
		return -1;
	}
	load_baselines();
	/* Without the module collectd goes on: the read callback retries. */
	if (connect_module(why, sizeof(why)) != 0)
		module_down(why, false);
	return 0;
}

/* Log records lost for want of memory once per new loss, with counts. */
static void report_lost(uint64_t lost)
{
	if (lost <= lost_reported)
		return;
	WARNING(LOG_PREFIX "%" PRIu64 " more record(s) dropped for want of "
		"memory (%" PRIu64 " in all); the totals are short by them.",
		lost - lost_reported, lost);
	lost_reported = lost;
}

/*
 * The span the interval's counts cover, for alert rates: the wall time
 * since the previous read, or the flush intervals that arrived when they
 * span more (flush_ms above Interval: one read gets a whole flush of
 * packets, the next none).
 */
static double counted_seconds(cdtime_t now, uint64_t flush)
{
	double wall = last_read ? CDTIME_T_TO_DOUBLE(now - last_read) :
				  CDTIME_T_TO_DOUBLE(plugin_get_interval());
	double flushes = 0;

	/* Flush numbers restart with the module; 0: none seen yet. */
	if (last_read && last_read_flush > 0 && flush > last_read_flush &&
	    module_flush_ms > 0)
		flushes = (double)(flush - last_read_flush) *
			  module_flush_ms / 1000.0;
	return flushes > wall ? flushes : wall;
}

static int nic_read(void)
{
	cdtime_t now, now_time = cdtime(), zero_at;
	uint64_t undelivered, flush;
	size_t tracked, i;
	double seconds;
	int err;

	keep_connected();

	pthread_mutex_lock(&table_lock);
	now = table_clock();
	err = nlicmp_sources_snapshot(table, &snap, now);
	undelivered = undelivered_before + undelivered_now;
	tracked = nlicmp_sources_count(table);
	flush = flush_applied;
	pthread_mutex_unlock(&table_lock);
	if (err != 0) {
		ERROR(LOG_PREFIX "out of memory for the snapshot.");
		return -1;
	}
	report_lost(snap.lost);

	zero_at = last_read_time ? last_read_time :
				   now_time - plugin_get_interval();
	for (i = 0; i < snap.nsrc; i++)
		if (snap.src[i].named)
			dispatch_source(snap.src[i].name, &snap.src[i],
					snap.src[i].fresh ? zero_at : 0);
	dispatch_source("all", &snap.all, 0);
	dispatch_one("all", "packets", "malformed",
		     (value_t){ .derive = (derive_t)snap.malformed }, 0);
	dispatch_one("all", "packets", "undelivered",
		     (value_t){ .derive = (derive_t)undelivered }, 0);
	dispatch_one("all", "count", "sources",
		     (value_t){ .gauge = (gauge_t)tracked }, 0);
	dispatch_source("other", &snap.other, 0);

	seconds = counted_seconds(now, flush);
	last_read = now;
	last_read_time = now_time;
	/* Flushes without records (quiet) are not the next interval's: the
	 * next span starts at the module's flush count, less the one whose
	 * records may still be on their way.
	 */
	last_read_flush = module_flushes > flush + 1 ? module_flushes - 1 :
						       flush;
	if (seconds > 0)
		run_alerts(seconds);
	return 0;
}

static int nic_shutdown(void)
{
	disconnect();
	nlicmp_sources_free(table);
	table = NULL;
	nlicmp_snapshot_free(&snap);
	save_baselines();
	nlicmp_alert_engine_free(alerts);
	alerts = NULL;
	memset(name_cache, 0, sizeof(name_cache));
	nlicmp_config_free(&conf);
	return 0;
}

void module_register(void)
{
	nlicmp_config_init(&conf);
	plugin_register_complex_config(PLUGIN_NAME, nic_config);
	plugin_register_init(PLUGIN_NAME, nic_init);
	plugin_register_read(PLUGIN_NAME, nic_read);
	plugin_register_shutdown(PLUGIN_NAME, nic_shutdown);
}
