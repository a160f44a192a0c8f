#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Development aid, not a test: start the backend servers on this machine's
# loopback and feed them from collectd's exec plugin running the stand-in
# (lib/standin-putval.sh) instead of the real plugin, then run the dashboard
# validator against them.  Used to work on servers and dashboards while the
# module cannot load here.  Usage: dev-standin.sh [SECONDS_OF_DATA]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
NLB_DIR=$(mktemp -d /tmp/nlb-dev.XXXXXX)
chmod 755 "$NLB_DIR"
. "$here/lib/servers.sh"
trap 'nlb_stop_all; rm -rf "$NLB_DIR"' EXIT

t0=$(date +%s.%N)
nlb_start_carbon
nlb_start_influxd
nlb_start_prometheus 127.0.0.1:9103
nlb_start_graphite_web
nlb_wait_carbon && nlb_wait_influxd && nlb_wait_prometheus && nlb_wait_graphite_web || exit 1
echo "servers ready in $(echo "$(date +%s.%N) - $t0" | bc) s"

cat >"$NLB_DIR/collectd.conf" <<EOC
Hostname "standin-a"
FQDNLookup false
Interval 1
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  File STDOUT
  LogLevel info
</Plugin>
Include "$top/conf/write_graphite.conf"
Include "$top/conf/network-influxdb.conf"
Include "$top/conf/write_prometheus.conf"
LoadPlugin exec
<Plugin exec>
  Exec "nobody" "$here/lib/standin-putval.sh" "${1:-30}"
</Plugin>
EOC
nlb_start_collectd collectd "$NLB_DIR/collectd.conf"
sleep "${1:-30}"
"$NLB_PY" "$here/validate_dashboards.py" --graphite http://127.0.0.1:8080 \
	--influxdb http://127.0.0.1:8086 --prometheus http://127.0.0.1:9090 \
	--range 600 "$top"/contrib/grafana/*.json
rc=$?
if [ -n "${NLB_KEEP:-}" ]; then echo "NLB_DIR=$NLB_DIR; sleeping $NLB_KEEP"; sleep "$NLB_KEEP"; fi
exit $rc
