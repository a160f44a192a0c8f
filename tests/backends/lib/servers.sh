# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Start/stop helpers for the backend servers the end-to-end tests run.
# Sourced by bash scripts.  Every server gets a config generated under
# $NLB_DIR (a temp dir), listens on loopback only, runs in the foreground as a
# child we track by PID, and is stopped by that PID.  Readiness is polled
# with bounded retries; nothing relies on a fixed sleep.

NLB_PY=/usr/bin/python3          # Debian's python: graphite-web and carbon live in its dist-packages
NLB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${NLB_CARBON_PORT:=2003}"
: "${NLB_CARBON_PICKLE_PORT:=2004}"
: "${NLB_CARBON_QUERY_PORT:=7002}"
: "${NLB_GRAPHITE_WEB_PORT:=8080}"
: "${NLB_INFLUX_HTTP_PORT:=8086}"
: "${NLB_INFLUX_RPC_PORT:=8088}"
: "${NLB_INFLUX_COLLECTD_PORT:=25826}"
: "${NLB_PROM_PORT:=9090}"

nlb_log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# nlb_wait DESC TRIES DELAY CMD...: run CMD until it succeeds, at most TRIES
# times, DELAY seconds apart.  Returns 1 (and says so) when it never did.
nlb_wait() {
	local desc=$1 tries=$2 delay=$3 i
	shift 3
	for ((i = 1; i <= tries; i++)); do
		if [ -n "${NLB_WAIT_ALIVE:-}" ] && ! nlb_alive "$NLB_WAIT_ALIVE"; then
			nlb_log "$desc: $NLB_WAIT_ALIVE exited, not waiting any longer"
			return 1
		fi
		if "$@" >/dev/null 2>&1; then
			nlb_log "$desc: ready after $i tries"
			return 0
		fi
		sleep "$delay"
	done
	nlb_log "$desc: not ready after $tries tries"
	return 1
}

# nlb_wait_alive NAME DESC TRIES DELAY CMD...: nlb_wait, but give up as soon
# as the process NAME (started by nlb_start) has exited.
nlb_wait_alive() {
	NLB_WAIT_ALIVE=$1 nlb_wait "${@:2}"
}

# nlb_start NAME CMD...: run CMD in the background, stdout/stderr to
# $NLB_DIR/log/NAME.log, PID to $NLB_DIR/pids/NAME.
nlb_start() {
	local name=$1
	shift
	mkdir -p "$NLB_DIR/log" "$NLB_DIR/pids"
	"$@" >"$NLB_DIR/log/$name.log" 2>&1 &
	echo $! >"$NLB_DIR/pids/$name"
	echo "$name" >>"$NLB_DIR/pids/.order"
	nlb_log "$name: started, pid $!"
}

nlb_pid() { cat "$NLB_DIR/pids/$1" 2>/dev/null; }

nlb_alive() {
	local pid
	pid=$(nlb_pid "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# nlb_stop NAME [TIMEOUT_S]: SIGTERM by PID, wait for it to exit (bounded),
# SIGKILL if it did not.
nlb_stop() {
	local name=$1 timeout=${2:-40} pid i
	pid=$(nlb_pid "$name") || return 0
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < timeout * 5; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			nlb_log "$name: still running after ${timeout}s, SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null
	rm -f "$NLB_DIR/pids/$name"
	nlb_log "$name: stopped"
}

# Stop everything nlb_start started, newest first.
nlb_stop_all() {
	local name
	[ -f "$NLB_DIR/pids/.order" ] || return 0
	for name in $(tac "$NLB_DIR/pids/.order"); do
		[ -f "$NLB_DIR/pids/$name" ] && nlb_stop "$name" "${NLB_STOP_TIMEOUT:-40}"
	done
	rm -f "$NLB_DIR/pids/.order"
}

nlb_http_ok() { curl -sf -o /dev/null --max-time 5 "$1"; }

nlb_tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# ---------------------------------------------------------------- carbon --

nlb_carbon_conf() {
	local d=$NLB_DIR/carbon
	mkdir -p "$d/conf" "$d/storage/whisper" "$d/storage/lists" "$d/log"
	cat >"$d/conf/carbon.conf" <<EOF
[cache]
STORAGE_DIR = $d/storage/
LOCAL_DATA_DIR = $d/storage/whisper/
WHITELISTS_DIR = $d/storage/lists/
CONF_DIR = $d/conf/
LOG_DIR = $d/log/
PID_DIR = $d/
ENABLE_LOGROTATION = False
USER =
# The series names are path-based; collectd sends no tags.
ENABLE_TAGS = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 5000
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $NLB_CARBON_PORT
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = $NLB_CARBON_PICKLE_PORT
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = $NLB_CARBON_QUERY_PORT
LOG_LISTENER_CONNECTIONS = False
LOG_UPDATES = False
LOG_CREATES = True
WHISPER_AUTOFLUSH = False
EOF
	# 1 s points, as fine as the collectd Interval the tests use (1 s, S s
	# on a slow kernel: guest.sh); a coarser
	# archive behind it so a long-running install does not grow unbounded.
	cat >"$d/conf/storage-schemas.conf" <<EOF
[collectd]
pattern = ^collectd\.
retentions = 1s:6h,10s:7d

[default]
pattern = .*
retentions = 1s:6h
EOF
	cat >"$d/conf/storage-aggregation.conf" <<EOF
[default]
pattern = .*
xFilesFactor = 0
aggregationMethod = average
EOF
}

nlb_start_carbon() {
	nlb_carbon_conf
	local d=$NLB_DIR/carbon
	nlb_start carbon carbon-cache --config="$d/conf/carbon.conf" \
		--pidfile="$d/carbon-cache.pid" --logdir="$d/log" --nodaemon start
}

nlb_wait_carbon() {
	nlb_wait carbon "${1:-240}" 0.5 nlb_tcp_open 127.0.0.1 "$NLB_CARBON_PORT"
}

# ---------------------------------------------------------- graphite-web --

nlb_start_graphite_web() {
	local d=$NLB_DIR/graphite-web
	mkdir -p "$d/log" "$d/storage"
	# Our own settings module replaces Debian's /etc/graphite/local_settings.py
	# (GRAPHITE_SETTINGS_MODULE), so nothing under /etc or /var is touched.
	cat >"$d/nlb_graphite_settings.py" <<EOF
SECRET_KEY = 'netlink-icmp-backend-test'
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
TIME_ZONE = 'UTC'
LOG_ROTATION = False
DEFAULT_XFILES_FACTOR = 0
GRAPHITE_ROOT = '/usr/share/graphite-web'
STATIC_ROOT = '/usr/share/graphite-web/static'
CONF_DIR = '$d'
STORAGE_DIR = '$d/storage'
LOG_DIR = '$d/log'
INDEX_FILE = '$d/storage/index'
WHISPER_DIR = '$NLB_DIR/carbon/storage/whisper'
# Ask carbon-cache for points it has not written yet.
CARBONLINK_HOSTS = ['127.0.0.1:$NLB_CARBON_QUERY_PORT']
TAGDB = ''
FUNCTION_PLUGINS = []
DATABASES = {'default': {'NAME': '$d/graphite.db',
                         'ENGINE': 'django.db.backends.sqlite3'}}
EOF
	# The find API (Grafana's template variable queries) needs the auth
	# tables: create the sqlite schema first, then exec the server so the
	# PID we track is the server's.
	# shellcheck disable=SC2016 # expanded by that bash, from its arguments
	nlb_start graphite-web env PYTHONPATH="$d" \
		GRAPHITE_SETTINGS_MODULE=nlb_graphite_settings \
		DJANGO_SETTINGS_MODULE=graphite.settings \
		bash -c '"$0" -m django migrate --run-syncdb -v0 >/dev/null 2>&1 &&
			exec "$0" "$1" "$2" "$3"' \
		"$NLB_PY" "$NLB_LIB/graphite_web.py" 127.0.0.1 "$NLB_GRAPHITE_WEB_PORT"
}

nlb_wait_graphite_web() {
	nlb_wait graphite-web "${1:-480}" 0.5 nlb_http_ok \
		"http://127.0.0.1:$NLB_GRAPHITE_WEB_PORT/metrics/find?query=*"
}

# -------------------------------------------------------------- influxdb --

nlb_start_influxd() {
	local d=$NLB_DIR/influxdb
	mkdir -p "$d/meta" "$d/data" "$d/wal" "$d/typesdb"
	# The collectd input reads every file in typesdb; give it only types.db.
	ln -sf /usr/share/collectd/types.db "$d/typesdb/types.db"
	cat >"$d/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$NLB_INFLUX_RPC_PORT"
[meta]
  dir = "$d/meta"
[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$NLB_INFLUX_HTTP_PORT"
  log-enabled = false
[[collectd]]
  enabled = true
  bind-address = "127.0.0.1:$NLB_INFLUX_COLLECTD_PORT"
  database = "collectd"
  typesdb = "$d/typesdb"
  batch-size = 5000
  batch-timeout = "1s"
EOF
	nlb_start influxd influxd run -config "$d/influxdb.conf"
}

nlb_wait_influxd() {
	nlb_wait influxd "${1:-240}" 0.5 nlb_http_ok \
		"http://127.0.0.1:$NLB_INFLUX_HTTP_PORT/ping"
}

# ------------------------------------------------------------ prometheus --

# nlb_start_prometheus TARGET...: scrape each host:port every
# $NLB_PROM_SCRAPE_S seconds (1: collectd's Interval in the tests; on a slow
# kernel both scale), timing out after as long.  honor_labels keeps
# write_prometheus' own `instance` label (the collectd host) instead of
# replacing it with the scrape address.
nlb_start_prometheus() {
	local d=$NLB_DIR/prometheus t targets=
	mkdir -p "$d/data"
	for t in "$@"; do
		targets="$targets${targets:+, }'$t'"
	done
	cat >"$d/prometheus.yml" <<EOF
global:
  scrape_interval: ${NLB_PROM_SCRAPE_S:-1}s
  scrape_timeout: ${NLB_PROM_SCRAPE_S:-1}s
  evaluation_interval: 1s
scrape_configs:
  - job_name: collectd
    honor_labels: true
    static_configs:
      - targets: [$targets]
EOF
	nlb_start prometheus prometheus --config.file="$d/prometheus.yml" \
		--storage.tsdb.path="$d/data" \
		--web.listen-address="127.0.0.1:$NLB_PROM_PORT" \
		--web.enable-lifecycle
}

nlb_wait_prometheus() {
	nlb_wait prometheus "${1:-240}" 0.5 nlb_http_ok \
		"http://127.0.0.1:$NLB_PROM_PORT/-/ready"
}

# -------------------------------------------------------------- collectd --

# nlb_start_collectd NAME CONF [NETNS]: collectd -f with CONF, optionally in
# a network namespace.
nlb_start_collectd() {
	local name=$1 conf=$2 ns=${3:-}
	if [ -n "$ns" ]; then
		nlb_start "$name" ip netns exec "$ns" collectd -f -C "$conf"
	else
		nlb_start "$name" collectd -f -C "$conf"
	fi
}
