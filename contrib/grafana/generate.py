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
# Graphite: every tracked source's packets (not all, not other).
G_SRC_PKT = ("exclude(" + G + ".*.packets.*, "
             "'\\.netlink_icmp\\.(all|other)\\.')")
# Prometheus: per-source packets/s over the dashboard's range.
P_SRC_RANGE = ('sum by (instance, netlink_icmp) (rate('
               + P_PKT.format(sel='netlink_icmp!~"all|other"') + '[$__range]))')
P_TOP_SRC = 'topk($top, ' + P_SRC_RANGE + ')'


def errors_panel(key, title, note, graphite_glob, regex):
    """A host-total panel of ICMP error types: note says what a spike means."""
    return {
        "key": key, "title": title, "unit": "pps", "w": 8, "description": note,
        "graphite": ["aliasByNode(" + G + ".all.packets." + graphite_glob + ", 1, 5)"],
        "influxdb": [(
            I_RATE.format(where='"type" = \'packets\' AND "instance" = \'all\' '
                          'AND "type_instance" =~ /' + regex + '/'),
            "$tag_host $tag_type_instance")],
        "prometheus": [(
            'sum by (instance, type) (rate('
            + P_PKT.format(sel='netlink_icmp="all", type=~"' + regex.strip("^$") + '"')
            + '[$__rate_interval]))', "{{instance}} {{type}}")],
    }

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
    {"row": "Source $source"},
    {
        "key": "source_types",
        "title": "$source: packets/s by ICMP type (and code, with ReportCodes)",
        "description": "The source picked above. The lines are the example "
                       "<Alert>'s WarningRate and FailureRate.",
        "unit": "pps", "thresholds": True, "w": 16,
        "graphite": ["aliasByNode(" + G + ".$source.packets.*, 1, 3, 5)"],
        "influxdb": [(
            I_RATE.format(where='"type" = \'packets\' AND "instance" =~ /^$source$/'),
            "$tag_host $tag_instance $tag_type_instance")],
        "prometheus": [(
            'sum by (instance, netlink_icmp, type) (rate('
            + P_PKT.format(sel='netlink_icmp=~"$source"')
            + '[$__rate_interval]))', "{{instance}} {{netlink_icmp}} {{type}}")],
    },
    {
        "key": "source_bytes",
        "title": "$source: bytes/s",
        "unit": "Bps", "w": 8,
        "graphite": ["aliasByNode(" + G + ".$source.total_bytes, 1, 3)"],
        "influxdb": [(
            'SELECT non_negative_derivative(last("value"), 1s) FROM '
            '"netlink_icmp_value" WHERE "host" =~ /^$host$/ AND "type" = '
            '\'total_bytes\' AND "instance" =~ /^$source$/ AND $timeFilter '
            'GROUP BY time($__interval), "host", "instance" fill(none)',
            "$tag_host $tag_instance")],
        "prometheus": [(
            'rate(collectd_netlink_icmp_total_bytes_total{instance=~"$host", '
            'netlink_icmp=~"$source"}[$__rate_interval])',
            "{{instance}} {{netlink_icmp}}")],
    },
    {"row": "ICMP errors (host total)"},
    errors_panel(
        "unreachable", "Destination unreachable (by code, with ReportCodes)",
        "Someone answers this host's packets with 'unreachable': a spike of "
        "port_unreach is usually a UDP scan's or a resolver's answers, "
        "net/host_unreach a routing failure on the path, admin_prohibited a "
        "firewall, frag_needed a path MTU problem (see the PMTU panel).",
        "dest_unreach*", "^dest_unreach.*$"),
    errors_panel(
        "time_exceeded", "Time exceeded",
        "ttl_exceeded from routers on the path: a traceroute answered (a "
        "few), or a routing loop (a steady stream); frag_reassembly: "
        "fragments lost on the way.",
        "time_exceeded*", "^time_exceeded.*$"),
    errors_panel(
        "pmtu", "Packet too big / fragmentation needed (path MTU)",
        "A link on the path has a smaller MTU than this host sends with "
        "(a tunnel, a VPN). A steady rate means the host keeps sending too "
        "big packets: a path-MTU black hole if the messages are filtered "
        "further on. IPv4's frag_needed is shown apart with ReportCodes "
        "only (else it is in dest_unreach).",
        "{packet_too_big*,dest_unreach-frag_needed}",
        "^(packet_too_big.*|dest_unreach-frag_needed)$"),
    {"row": "Top sources"},
    {
        "key": "top_table", "table": True, "w": 24, "unit": "short",
        "title": "Top $top sources: packets/s, busiest ICMP type, share of the host total",
        "title_influxdb": "Sources: packets/s and busiest ICMP type",
        "description": "Averages over the dashboard's time range. InfluxQL "
                       "cannot divide one series by another host's total, "
                       "so the InfluxDB table has no share column.",
        "graphite": [
            "aliasSub(aliasByNode(highestAverage(groupByNodes(" + G_SRC_PKT
            + ", 'sum', 1, 3), $top), 0, 1), '$', ' packets/s')",
            "aliasSub(aliasByNode(applyByNode(" + G_SRC_PKT
            + ", 3, 'highestAverage(%.packets.*, 1)'), 1, 3, 5), "
            "'^(\\S+) (\\S+) (\\S+)$', '\\1 \\2 busiest: \\3')",
            "aliasSub(aliasByNode(asPercent(groupByNodes(" + G_SRC_PKT
            + ", 'sum', 1, 3), groupByNodes(exclude(" + G
            + ".all.packets.*, '(undelivered|malformed)$'), 'sum', 1), 0), 0, 1), "
            "'$', ' % of host')"],
        "influxdb": [
            ('SELECT mean("rate") AS "packets/s" FROM (SELECT sum("rate") AS "rate" FROM ('
             + I_RATE.format(where='"type" = \'packets\' AND "instance" !~ /^(all|other)$/')
             + ') WHERE $timeFilter GROUP BY time($__interval), "host", "instance" fill(none)'
             ') GROUP BY "host", "instance"', "$tag_host $tag_instance"),
            # Rates between raw points, no time buckets: light enough
            # for a long range.
            ('SELECT top("rate", "type_instance", 1) AS "busiest type packets/s" FROM ('
             'SELECT mean("rate") AS "rate" FROM ('
             'SELECT non_negative_derivative("value", 1s) AS "rate" FROM '
             '"netlink_icmp_value" WHERE "host" =~ /^$host$/ AND "type" = '
             '\'packets\' AND "instance" !~ /^(all|other)$/ AND $timeFilter '
             'GROUP BY "host", "instance", "type_instance"'
             ') GROUP BY "host", "instance", "type_instance") GROUP BY "host", "instance"',
             "$tag_host $tag_instance")],
        "prometheus": [
            (P_TOP_SRC, "packets/s"),
            ('topk by (instance, netlink_icmp) (1, sum by (instance, netlink_icmp, type) '
             '(rate(' + P_PKT.format(sel='netlink_icmp!~"all|other"') + '[$__range])))'
             ' and on (instance, netlink_icmp) ' + P_TOP_SRC, "busiest type"),
            ('100 * ' + P_SRC_RANGE + ' / on (instance) group_left sum by (instance) (rate('
             + P_PKT.format(sel='netlink_icmp="all", type!~"undelivered|malformed"')
             + '[$__range])) and on (instance, netlink_icmp) ' + P_TOP_SRC, "share")],
    },
]

DATASOURCES = {
    "graphite": {"name": "Graphite", "host_query": "collectd.*",
                 "source_query": "collectd.$host.netlink_icmp.*",
                 "all_value": "*"},
    "influxdb": {"name": "InfluxDB",
                 "host_query": 'SHOW TAG VALUES FROM "netlink_icmp_value" '
                               'WITH KEY = "host"',
                 "source_query": 'SHOW TAG VALUES FROM "netlink_icmp_value" '
                                 'WITH KEY = "instance" WHERE "host" =~ /^$host$/',
                 "all_value": None},
    "prometheus": {"name": "Prometheus",
                   "host_query": "label_values(collectd_netlink_icmp_count, instance)",
                   "source_query": 'label_values(collectd_netlink_icmp_packets_total'
                                   '{instance=~"$host"}, netlink_icmp)',
                   "all_value": None},
}


def target(ds, ref, q, table=False):
    dsref = {"type": ds, "uid": "${datasource}"}
    if ds == "graphite":
        return {"refId": ref, "datasource": dsref, "target": q, "textEditor": True}
    query, legend = q
    if ds == "influxdb":
        return {"refId": ref, "datasource": dsref, "query": query,
                "rawQuery": True, "alias": legend,
                "resultFormat": "table" if table else "time_series"}
    if table:
        return {"refId": ref, "datasource": dsref, "expr": query,
                "legendFormat": legend, "instant": True, "range": False,
                "format": "table"}
    return {"refId": ref, "datasource": dsref, "expr": query,
            "legendFormat": legend, "range": True}


def row(pid, spec, y):
    return {"id": pid, "type": "row", "title": spec["row"], "collapsed": False,
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []}


# How each datasource's table rows become one row per source.
TABLE_TRANSFORMS = {
    # Series to rows: one row per series, its mean over the range.
    "graphite": [{"id": "reduce", "options": {"reducers": ["mean"]}}],
    "influxdb": [{"id": "merge", "options": {}},
                 {"id": "organize", "options": {"excludeByName": {"Time": True}}}],
    # The three instant queries joined on (instance, netlink_icmp).
    "prometheus": [
        {"id": "merge", "options": {}},
        {"id": "organize", "options": {
            "excludeByName": {"Time": True},
            "renameByName": {"instance": "host", "netlink_icmp": "source",
                             "type": "busiest type",
                             "Value #A": "packets/s",
                             "Value #B": "busiest type packets/s",
                             "Value #C": "share of host %"}}},
        {"id": "sortBy", "options": {"sort": [{"field": "packets/s", "desc": True}]}}],
}


def table_panel(ds, pid, spec, x, y):
    return {
        "id": pid,
        "type": "table",
        "title": spec.get("title_" + ds, spec["title"]),
        "description": spec.get("description", ""),
        "datasource": {"type": ds, "uid": "${datasource}"},
        "gridPos": {"h": 9, "w": spec.get("w", 24), "x": x, "y": y},
        "interval": "1s",
        "targets": [target(ds, chr(ord("A") + i), q, table=True)
                    for i, q in enumerate(spec[ds])],
        "transformations": TABLE_TRANSFORMS[ds],
        "fieldConfig": {"defaults": {"decimals": 1}, "overrides": []},
        "options": {"showHeader": True},
    }


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
        "description": spec.get("description", ""),
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
        if "row" in spec:
            if x > 0:
                x, y = 0, y + 9
            panels.append(row(pid, spec, y))
            y += 1
            continue
        w = spec.get("w", 12)
        if x + w > 24:
            x, y = 0, y + 9
        make = table_panel if spec.get("table") else panel
        panels.append(make(ds, pid, spec, x, y))
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
    # One source for the per-source row; all and other are not sources.
    source_var = {
        "type": "query", "name": "source", "label": "Source",
        "datasource": {"type": ds, "uid": "${datasource}"},
        "query": meta["source_query"], "definition": meta["source_query"],
        "refresh": 2, "multi": False, "includeAll": False, "current": {},
        "sort": 1, "hide": 0, "options": [], "regex": "/^(?!(all|other)$)/",
    }
    return {
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "9.0.0"},
            {"type": "datasource", "id": ds, "name": meta["name"], "version": "1.0.0"},
            {"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
            {"type": "panel", "id": "table", "name": "Table", "version": ""},
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
            source_var,
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
