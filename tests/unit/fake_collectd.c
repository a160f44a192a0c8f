// SPDX-License-Identifier: GPL-2.0
/*
 * Fakes of the collectd daemon's functions for the plugin's unit tests.
 * The cf_util_* fakes follow the daemon's documented behaviour (type
 * checks, "true"/"yes"/"on" strings for booleans).
 */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"
#include "collectd/core/utils/common/common.h"

#include <stdarg.h>

#include "fake_collectd.h"

struct fake_value *fake_values;
size_t fake_nvalues;
static size_t values_cap;
struct fake_notification *fake_notifications;
size_t fake_nnotifications;
static size_t notifications_cap;
char fake_log[16384];
cdtime_t fake_time = TIME_T_TO_CDTIME_T_STATIC(1000000);
cdtime_t fake_interval = TIME_T_TO_CDTIME_T_STATIC(1);
char *hostname_g = "testhost";

static void *grow(void *v, size_t *cap, size_t need, size_t size)
{
	if (need > *cap) {
		*cap = *cap ? *cap * 2 : 256;
		if (*cap < need)
			*cap = need;
		v = realloc(v, *cap * size);
		if (v == NULL)
			abort();
	}
	return v;
}

void fake_reset(void)
{
	free(fake_values);
	fake_values = NULL;
	fake_nvalues = values_cap = 0;
	free(fake_notifications);
	fake_notifications = NULL;
	fake_nnotifications = notifications_cap = 0;
	fake_log[0] = '\0';
}

const struct fake_value *fake_find(const char *plugin_instance,
				   const char *type, const char *type_instance)
{
	size_t i = fake_nvalues;

	while (i-- > 0) {
		const struct fake_value *v = &fake_values[i];

		if (strcmp(v->plugin_instance, plugin_instance) == 0 &&
		    strcmp(v->type, type) == 0 &&
		    strcmp(v->type_instance, type_instance) == 0)
			return v;
	}
	return NULL;
}

/* ---- daemon functions ---- */

cdtime_t cdtime(void)
{
	return fake_time;
}

cdtime_t plugin_get_interval(void)
{
	return fake_interval;
}

static void log_v(const char *format, va_list ap)
{
	size_t off = strlen(fake_log);

	if (off + 2 >= sizeof(fake_log))
		return;
	vsnprintf(fake_log + off, sizeof(fake_log) - off - 1, format, ap);
	strcat(fake_log, "\n");
}

void plugin_log(int level, const char *format, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, format);
	log_v(format, ap);
	va_end(ap);
}

/* Every complaint is logged: the tests check what it says. */
void c_complain(int level, c_complain_t *c, const char *format, ...)
{
	va_list ap;

	(void)level;
	c->interval = 1;
	va_start(ap, format);
	log_v(format, ap);
	va_end(ap);
}

void c_do_release(int level, c_complain_t *c, const char *format, ...)
{
	va_list ap;

	(void)level;
	c->interval = 0;
	va_start(ap, format);
	log_v(format, ap);
	va_end(ap);
}

int plugin_dispatch_values(value_list_t const *vl)
{
	struct fake_value *v;

	if (vl->values_len != 1)
		abort();
	fake_values = grow(fake_values, &values_cap, fake_nvalues + 1,
			   sizeof(*fake_values));
	v = &fake_values[fake_nvalues++];
	sstrncpy(v->plugin, vl->plugin, sizeof(v->plugin));
	sstrncpy(v->plugin_instance, vl->plugin_instance,
		 sizeof(v->plugin_instance));
	sstrncpy(v->type, vl->type, sizeof(v->type));
	sstrncpy(v->type_instance, vl->type_instance, sizeof(v->type_instance));
	v->value = vl->values[0];
	v->time = vl->time;
	return 0;
}

static notification_meta_t *meta_add(notification_t *n, const char *name)
{
	notification_meta_t *m = calloc(1, sizeof(*m)), **tail = &n->meta;

	if (m == NULL)
		abort();
	sstrncpy(m->name, name, sizeof(m->name));
	while (*tail)
		tail = &(*tail)->next;
	*tail = m;
	return m;
}

int plugin_notification_meta_add_string(notification_t *n, const char *name,
					const char *value)
{
	notification_meta_t *m = meta_add(n, name);

	m->type = NM_TYPE_STRING;
	m->nm_value.nm_string = strdup(value);
	return 0;
}

int plugin_notification_meta_add_double(notification_t *n, const char *name,
					double value)
{
	notification_meta_t *m = meta_add(n, name);

	m->type = NM_TYPE_DOUBLE;
	m->nm_value.nm_double = value;
	return 0;
}

int plugin_notification_meta_free(notification_meta_t *n)
{
	while (n) {
		notification_meta_t *next = n->next;

		if (n->type == NM_TYPE_STRING)
			free((char *)n->nm_value.nm_string);
		free(n);
		n = next;
	}
	return 0;
}

int plugin_dispatch_notification(const notification_t *n)
{
	struct fake_notification *f;
	const notification_meta_t *m;

	fake_notifications = grow(fake_notifications, &notifications_cap,
				  fake_nnotifications + 1,
				  sizeof(*fake_notifications));
	f = &fake_notifications[fake_nnotifications++];
	memset(f, 0, sizeof(*f));
	f->severity = n->severity;
	sstrncpy(f->plugin, n->plugin, sizeof(f->plugin));
	sstrncpy(f->plugin_instance, n->plugin_instance,
		 sizeof(f->plugin_instance));
	sstrncpy(f->type, n->type, sizeof(f->type));
	sstrncpy(f->type_instance, n->type_instance, sizeof(f->type_instance));
	sstrncpy(f->message, n->message, sizeof(f->message));
	f->rate = f->threshold = NAN;
	for (m = n->meta; m; m = m->next) {
		size_t len = strlen(f->meta);

		if (m->type == NM_TYPE_STRING)
			snprintf(f->meta + len, sizeof(f->meta) - len, "%s=%s;",
				 m->name, m->nm_value.nm_string);
		else if (m->type == NM_TYPE_DOUBLE)
			snprintf(f->meta + len, sizeof(f->meta) - len, "%s=%g;",
				 m->name, m->nm_value.nm_double);
		if (strcmp(m->name, "source") == 0)
			sstrncpy(f->source, m->nm_value.nm_string,
				 sizeof(f->source));
		else if (strcmp(m->name, "icmp_type") == 0)
			sstrncpy(f->icmp_type, m->nm_value.nm_string,
				 sizeof(f->icmp_type));
		else if (strcmp(m->name, "rate") == 0)
			f->rate = m->nm_value.nm_double;
		else if (strcmp(m->name, "threshold") == 0)
			f->threshold = m->nm_value.nm_double;
	}
	return 0;
}

int plugin_register_complex_config(const char *type,
				   int (*callback)(oconfig_item_t *))
{
	(void)type;
	(void)callback;
	return 0;
}

int plugin_register_init(const char *name, plugin_init_cb callback)
{
	(void)name;
	(void)callback;
	return 0;
}

int plugin_register_read(const char *name, int (*callback)(void))
{
	(void)name;
	(void)callback;
	return 0;
}

int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback)
{
	(void)name;
	(void)callback;
	return 0;
}

int plugin_thread_create(pthread_t *thread, void *(*start_routine)(void *),
			 void *arg, char const *name)
{
	(void)name;
	return pthread_create(thread, NULL, start_routine, arg);
}

char *sstrncpy(char *dest, const char *src, size_t n)
{
	size_t len;

	if (n == 0)
		return dest;
	len = strnlen(src, n - 1);
	memcpy(dest, src, len);
	dest[len] = '\0';
	return dest;
}

int ssnprintf(char *str, size_t size, const char *format, ...)
{
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(str, size, format, ap);
	va_end(ap);
	if (size > 0)
		str[size - 1] = '\0';
	return n;
}

char *sstrerror(int errnum, char *buf, size_t buflen)
{
	snprintf(buf, buflen, "%s", strerror(errnum));
	return buf;
}

/* ---- cf_util_* ---- */

static int one_value(const oconfig_item_t *ci, int type, const char *what)
{
	if (ci->values_num != 1 || ci->values[0].type != type) {
		plugin_log(LOG_ERR, "The `%s' option requires exactly one %s "
			   "argument.", ci->key, what);
		return -1;
	}
	return 0;
}

int cf_util_get_string(const oconfig_item_t *ci, char **ret_string)
{
	char *s;

	if (one_value(ci, OCONFIG_TYPE_STRING, "string"))
		return -1;
	s = strdup(ci->values[0].value.string);
	if (s == NULL)
		return -1;
	free(*ret_string);
	*ret_string = s;
	return 0;
}

int cf_util_get_string_buffer(const oconfig_item_t *ci, char *buffer,
			      size_t buffer_size)
{
	if (one_value(ci, OCONFIG_TYPE_STRING, "string"))
		return -1;
	sstrncpy(buffer, ci->values[0].value.string, buffer_size);
	return 0;
}

int cf_util_get_double(const oconfig_item_t *ci, double *ret_value)
{
	if (one_value(ci, OCONFIG_TYPE_NUMBER, "numeric"))
		return -1;
	*ret_value = ci->values[0].value.number;
	return 0;
}

int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool)
{
	const char *s;

	if (ci->values_num != 1)
		return one_value(ci, OCONFIG_TYPE_BOOLEAN, "boolean");
	if (ci->values[0].type == OCONFIG_TYPE_BOOLEAN) {
		*ret_bool = ci->values[0].value.boolean != 0;
		return 0;
	}
	if (ci->values[0].type != OCONFIG_TYPE_STRING)
		return one_value(ci, OCONFIG_TYPE_BOOLEAN, "boolean");
	s = ci->values[0].value.string;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
	    !strcasecmp(s, "on")) {
		*ret_bool = true;
		return 0;
	}
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") ||
	    !strcasecmp(s, "off")) {
		*ret_bool = false;
		return 0;
	}
	plugin_log(LOG_ERR, "Cannot interpret string \"%s\" as boolean value.",
		   s);
	return -1;
}

/* ---- config tree builder ---- */

static oconfig_item_t *leaf(const char *key, int type)
{
	oconfig_item_t *ci = calloc(1, sizeof(*ci));

	if (ci == NULL)
		abort();
	ci->key = strdup(key);
	ci->values = calloc(1, sizeof(*ci->values));
	ci->values_num = 1;
	ci->values[0].type = type;
	return ci;
}

oconfig_item_t *fake_ci_str(const char *key, const char *value)
{
	oconfig_item_t *ci = leaf(key, OCONFIG_TYPE_STRING);

	ci->values[0].value.string = strdup(value);
	return ci;
}

oconfig_item_t *fake_ci_num(const char *key, double value)
{
	oconfig_item_t *ci = leaf(key, OCONFIG_TYPE_NUMBER);

	ci->values[0].value.number = value;
	return ci;
}

oconfig_item_t *fake_ci_bool(const char *key, int value)
{
	oconfig_item_t *ci = leaf(key, OCONFIG_TYPE_BOOLEAN);

	ci->values[0].value.boolean = value;
	return ci;
}

oconfig_item_t *fake_ci_block(const char *key, ...)
{
	oconfig_item_t *ci = calloc(1, sizeof(*ci)), *child;
	va_list ap;

	if (ci == NULL)
		abort();
	ci->key = strdup(key);
	va_start(ap, key);
	while ((child = va_arg(ap, oconfig_item_t *)) != NULL) {
		ci->children = realloc(ci->children, (size_t)(ci->children_num + 1) *
						     sizeof(*ci->children));
		if (ci->children == NULL)
			abort();
		ci->children[ci->children_num] = *child;
		ci->children[ci->children_num].parent = ci;
		ci->children_num++;
		free(child);
	}
	va_end(ap);
	return ci;
}

static void ci_free_contents(oconfig_item_t *ci)
{
	int i;

	for (i = 0; i < ci->values_num; i++)
		if (ci->values[i].type == OCONFIG_TYPE_STRING)
			free(ci->values[i].value.string);
	free(ci->values);
	for (i = 0; i < ci->children_num; i++)
		ci_free_contents(&ci->children[i]);
	free(ci->children);
	free(ci->key);
}

void fake_ci_free(oconfig_item_t *ci)
{
	if (ci == NULL)
		return;
	ci_free_contents(ci);
	free(ci);
}
