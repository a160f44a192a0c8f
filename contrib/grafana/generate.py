#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the netlink_icmp Grafana dashboards, one per datasource.

The three dashboards share one layout (PANELS); only the queries differ.
Run from anywhere: generate.py [OUTDIR] (default: this file's directory).
The JSON files are committed; edit this file and regenerate rather than
editing the JSON by hand.

Series names the queries expect are the ones collectd writes with the
options in conf/write_graphite.conf, conf/network-influxdb.conf and
conf/write_prometheus.conf (see README.md here).
"""
import json
import os
import sys

SCHEMA_VERSION = 37          # Grafana 9.x dashboard model
WARNING_RATE = 100           # packets/s, conf/netlink_icmp.conf's example
FAILURE_RATE = 1000

# Graphite paths: collectd.<host>.netlink_icmp.<source>.<type>[.<type_instance>]
G = "collectd.$host.netlink_icmp"
# InfluxDB: per-type rate of the cumulative DERIVE counter, per host/source.
I_RATE = ('SELECT non_negative_derivative(last("value"), 1s) AS "rate" '
          'FROM "netlink_icmp_value" WHERE "host" =~ /^$host$/ AND {where} '
          'AND $timeFilter GROUP BY time($__interval), "host", "instance", '
          '"type_instance" fill(none)')
P_PKT = 'collectd_netlink_icmp_packets_total{{instance=~"$host", {sel}}}'

PANELS = [
    {
        "key": "top",
        "title": "Top $top sources by rate (packets/s, all ICMP types)",
        # InfluxQL cannot keep the N busiest series of a query; the panel
        # shows every tracked source (bounded by MaxSources), busiest first.
        "title_influxdb": "Sources by rate (packets/s, all ICMP types; busiest first)",
        "unit": "pps", "thresholds": True, "w": 24,
        "graphite": [
            "aliasByNode(highestAverage(exclude(groupByNodes("
            + G + ".*.packets.*, 'sum', 1, 3), '^[^.]+\\.(all|other)$'), $top), 0, 1)"],
        "influxdb": [(
            'SELECT sum("rate") FROM (' + I_RATE.format(
                where='"type" = \'packets\' AND "instance" !~ /^(all|other)$/')
            + ') WHERE $timeFilter GROUP BY time($__interval), "host", "instance" fill(none)',
            "$tag_host $tag_instance")],
        "prometheus": [(
            'topk($top, sum by (instance, netlink_icmp) (rate('
            + P_PKT.format(sel='netlink_icmp!~"all|other"')
            + '[$__rate_interval])))', "{{instance}} {{netlink_icmp}}")],
    },
    {
        "key": "types",
        "title": "ICMP types, host total (packets/s)",
        "unit": "pps", "thresholds": True,
        "graphite": [
            "aliasByNode(exclude(" + G + ".all.packets.*, '(undelivered|malformed)$'), 1, 5)"],
        "influxdb": [(
            I_RATE.format(where='"type" = \'packets\' AND "instance" = \'all\' '
                          'AND "type_instance" !~ /^(undelivered|malformed)$/'),
            "$tag_host $tag_type_instance")],
        "prometheus": [(
            'sum by (instance, type) (rate('
            + P_PKT.format(sel='netlink_icmp="all", type!~"undelivered|malformed"')
            + '[$__rate_interval]))', "{{instance}} {{type}}")],
    },
    {
        "key": "totals",
        "title": "Host totals (packets/s, bytes/s on the right)",
        "unit": "pps", "right_unit": "Bps",
        "graphite": [
            "aliasSub(aliasByNode(sumSeriesWithWildcards(exclude("
            + G + ".all.packets.*, 'undelivered$'), 5), 1), '$', ' packets')",
            "aliasSub(aliasByNode(" + G + ".all.total_bytes, 1), '$', ' bytes')"],
        "influxdb": [
            ('SELECT sum("rate") FROM (' + I_RATE.format(
                where='"type" = \'packets\' AND "instance" = \'all\' '
                      'AND "type_instance" != \'undelivered\'')
             + ') WHERE $timeFilter GROUP BY time($__interval), "host" fill(none)',
             "$tag_host packets"),
            ('SELECT non_negative_derivative(last("value"), 1s) FROM '
             '"netlink_icmp_value" WHERE "host" =~ /^$host$/ AND "type" = '
             '\'total_bytes\' AND "instance" = \'all\' AND $timeFilter '
             'GROUP BY time($__interval), "host" fill(none)',
             "$tag_host bytes")],
        "prometheus": [
            ('sum by (instance) (rate('
             + P_PKT.format(sel='netlink_icmp="all", type!="undelivered"')
             + '[$__rate_interval]))', "{{instance}} packets"),
            ('rate(collectd_netlink_icmp_total_bytes_total{instance=~"$host", '
             'netlink_icmp="all"}[$__rate_interval])', "{{instance}} bytes")],
    },
    {
        "key": "lost",
        "title": "Not by name: 'other' sources, undelivered, truncated (packets/s)",
        "unit": "pps",
        "graphite": [
            "aliasSub(aliasByNode(sumSeriesWithWildcards("
            + G + ".other.packets.*, 5), 1), '$', ' other')",
            "aliasSub(aliasByNode(" + G + ".all.packets.undelivered, 1), '$', ' undelivered')",
            "aliasSub(aliasByNode(" + G + ".all.packets.malformed, 1), '$', ' truncated header')"],
        "influxdb": [
            ('SELECT sum("rate") FROM (' + I_RATE.format(
                where='"type" = \'packets\' AND "instance" = \'other\'')
             + ') WHERE $timeFilter GROUP BY time($__interval), "host" fill(none)',
             "$tag_host other"),
            (I_RATE.format(where='"type" = \'packets\' AND "instance" = \'all\' '
                           'AND "type_instance" = \'undelivered\''),
             "$tag_host undelivered"),
            (I_RATE.format(where='"type" = \'packets\' AND "instance" = \'all\' '
                           'AND "type_instance" = \'malformed\''),
             "$tag_host truncated header")],
        "prometheus": [
            ('sum by (instance) (rate('
             + P_PKT.format(sel='netlink_icmp="other"')
             + '[$__rate_interval]))', "{{instance}} other"),
            ('rate(' + P_PKT.format(sel='netlink_icmp="all", type="undelivered"')
             + '[$__rate_interval])', "{{instance}} undelivered"),
            ('rate(' + P_PKT.format(sel='netlink_icmp="all", type="malformed"')
             + '[$__rate_interval])', "{{instance}} truncated header")],
    },
    {
        "key": "sources",
        "title": "Tracked sources",
        "unit": "short",
        "graphite": ["aliasByNode(" + G + ".all.count.sources, 1)"],
        "influxdb": [(
            'SELECT last("value") FROM "netlink_icmp_value" WHERE "host" =~ '
            '/^$host$/ AND "type" = \'count\' AND "instance" = \'all\' AND '
            '"type_instance" = \'sources\' AND $timeFilter '
            'GROUP BY time($__interval), "host" fill(none)', "$tag_host")],
        "prometheus": [(
            'collectd_netlink_icmp_count{instance=~"$host", netlink_icmp="all", '
            'type="sources"}', "{{instance}}")],
    },
]

DATASOURCES = {
    "graphite": {"name": "Graphite", "host_query": "collectd.*",
                 "all_value": "*"},
    "influxdb": {"name": "InfluxDB",
                 "host_query": 'SHOW TAG VALUES FROM "netlink_icmp_value" '
                               'WITH KEY = "host"',
                 "all_value": None},
    "prometheus": {"name": "Prometheus",
                   "host_query": "label_values(collectd_netlink_icmp_count, instance)",
                   "all_value": None},
}


def target(ds, ref, q):
    dsref = {"type": ds, "uid": "${datasource}"}
    if ds == "graphite":
        return {"refId": ref, "datasource": dsref, "target": q, "textEditor": True}
    query, legend = q
    if ds == "influxdb":
        return {"refId": ref, "datasource": dsref, "query": query,
                "rawQuery": True, "resultFormat": "time_series", "alias": legend}
    return {"refId": ref, "datasource": dsref, "expr": query,
            "legendFormat": legend, "range": True}


def panel(ds, pid, spec, x, y):
    w = spec.get("w", 12)
    steps = [{"color": "green", "value": None}]
    if spec.get("thresholds"):
        steps += [{"color": "orange", "value": WARNING_RATE},
                  {"color": "red", "value": FAILURE_RATE}]
    overrides = []
    if spec.get("right_unit"):
        overrides.append({
            "matcher": {"id": "byFrameRefID", "options": "B"},
            "properties": [
                {"id": "unit", "value": spec["right_unit"]},
                {"id": "custom.axisPlacement", "value": "right"}]})
    return {
        "id": pid,
        "type": "timeseries",
        "title": spec.get("title_" + ds, spec["title"]),
        "datasource": {"type": ds, "uid": "${datasource}"},
        "gridPos": {"h": 9, "w": w, "x": x, "y": y},
        "interval": "1s",
        "targets": [target(ds, chr(ord("A") + i), q)
                    for i, q in enumerate(spec[ds])],
        "fieldConfig": {
            "defaults": {
                "unit": spec["unit"],
                "min": 0,
                "custom": {
                    "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
                    "showPoints": "never", "spanNulls": False,
                    # WarningRate/FailureRate of the example <Alert> as lines
                    "thresholdsStyle": {"mode": "line" if spec.get("thresholds") else "off"},
                },
                "thresholds": {"mode": "absolute", "steps": steps},
            },
            "overrides": overrides,
        },
        "options": {
            "legend": {"showLegend": True, "displayMode": "table",
                       "placement": "right", "calcs": ["mean", "max", "lastNotNull"],
                       "sortBy": "Mean", "sortDesc": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def dashboard(ds):
    meta = DATASOURCES[ds]
    panels, x, y = [], 0, 0
    for pid, spec in enumerate(PANELS, start=1):
        w = spec.get("w", 12)
        if x + w > 24:
            x, y = 0, y + 9
        panels.append(panel(ds, pid, spec, x, y))
        x += w
        if x >= 24:
            x, y = 0, y + 9
    host_var = {
        "type": "query", "name": "host", "label": "Host",
        "datasource": {"type": ds, "uid": "${datasource}"},
        "query": meta["host_query"], "definition": meta["host_query"],
        "refresh": 2, "multi": True, "includeAll": True,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1, "hide": 0, "options": [], "regex": "",
    }
    if meta["all_value"]:
        host_var["allValue"] = meta["all_value"]
    return {
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
            {"type": "datasource", "id": ds, "name": meta["name"], "version": "1.0.0"},
            {"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
        ],
        "uid": "netlink-icmp-" + ds,
        "title": "netlink_icmp: per-source ICMP (%s)" % meta["name"],
        "description": "ICMP seen by the netlink_icmp kernel module, per source, "
                       "as collectd's netlink_icmp plugin reports it.",
        "tags": ["collectd", "netlink_icmp", "icmp"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": [
            {"type": "datasource", "name": "datasource", "label": "Data source",
             "query": ds, "current": {}, "hide": 0, "refresh": 1, "regex": "",
             "options": []},
            host_var,
            {"type": "custom", "name": "top", "label": "Top N",
             "query": "5,10,20,50", "current": {"text": "10", "value": "10"},
             "multi": False, "includeAll": False, "hide": 0,
             "options": [{"text": v, "value": v, "selected": v == "10"}
                         for v in ("5", "10", "20", "50")]},
        ]},
        "panels": panels,
    }


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for ds in DATASOURCES:
        path = os.path.join(outdir, "netlink_icmp-%s.json" % ds)
        with open(path, "w") as f:
            json.dump(dashboard(ds), f, indent=2)
            f.write("\n")
        print(path)


if __name__ == "__main__":
    main()
