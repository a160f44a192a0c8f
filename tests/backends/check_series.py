#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check that a backend holds the series collectd's netlink_icmp plugin
should have written, with the expected values.

  check_series.py NAME BACKEND URL [--tries N] [--delay S] EXPECT...

BACKEND is how the backend names the collectd identifier
HOST/netlink_icmp-INSTANCE/TYPE[-TYPE_INSTANCE] and what a value means:
  exporter    collectd write_prometheus /metrics   cumulative counter
  prometheus  Prometheus HTTP API (instant query)   cumulative counter
  influxdb    InfluxDB 1.x /query, db "collectd"    cumulative counter
              (measurement netlink_icmp_value, tags host, instance, type,
              type_instance)
  graphite    graphite-web /render (write_graphite StoreRates true,
              SeparateInstances true, EscapeCharacter "_")
              DERIVE types are per-second rates in 1 s points: their sum
              over the last --range seconds is the count, give or take one
              interval's worth (the first value of a counter yields no
              rate); GAUGE (count) is compared by its last point.
EXPECT is one of
  ID=N     the value is N
  ID=N~T   graphite rates: the sum is within T of N (T: what one interval
           of the traffic sent carries)
  ID>N     the value is greater than N
  !ID      the series does not exist (hosts' series must stay distinct)
The expectations are retried together, --tries times --delay s apart
(bounded polling while the last values are still on their way).
Prints "PASS NAME" or "FAIL NAME: why" and exits 0/1; on stderr, each
try whose problems differ from the try before (what changed while it
polled: a failure's first cause is not always its last).
"""
import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ID_RE = re.compile(r"^([^/]+)/netlink_icmp-([^/]+)/([a-z_]+)(?:-(.+))?$")


def http(url, params=None, raw=False):
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=20) as r:
        body = r.read().decode()
    return body if raw else json.loads(body)


def parse_id(s):
    m = ID_RE.match(s)
    if not m:
        raise SystemExit("bad identifier %r" % s)
    return m.groups()          # host, instance, type, type_instance or None


def graphite_escape(s):
    return s.replace(".", "_").replace(":", "_")


def prom_name_labels(host, inst, typ, ti):
    if typ == "count":
        name = "collectd_netlink_icmp_count"
    else:
        name = "collectd_netlink_icmp_%s_total" % typ
    labels = {"instance": host, "netlink_icmp": inst}
    if ti:
        labels["type"] = ti
    return name, labels


class Exporter:
    """collectd write_prometheus' text exposition."""

    def __init__(self, url, _range):
        self.url = url

    def fetch(self):
        self.samples = {}
        for line in http(self.url, raw=True).splitlines():
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"^(\w+)\{(.*)\}\s+(\S+)", line)
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            key = (m.group(1), tuple(sorted(labels.items())))
            self.samples[key] = float(m.group(3))

    def value(self, ident):
        name, labels = prom_name_labels(*ident)
        return self.samples.get((name, tuple(sorted(labels.items()))))


class Prometheus:
    def __init__(self, url, _range):
        self.url = url.rstrip("/")

    def fetch(self):
        pass

    def value(self, ident):
        name, labels = prom_name_labels(*ident)
        sel = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
        if not ident[3]:
            sel += ',type=""'
        res = http(self.url + "/api/v1/query", {"query": "%s{%s}" % (name, sel)})
        r = res["data"]["result"]
        if len(r) > 1:
            raise RuntimeError("%d series for %s" % (len(r), sel))
        return float(r[0]["value"][1]) if r else None


class Influx:
    def __init__(self, url, _range):
        self.url = url.rstrip("/")

    def fetch(self):
        pass

    def value(self, ident):
        host, inst, typ, ti = ident
        q = ("SELECT last(\"value\") FROM \"netlink_icmp_value\" WHERE "
             "\"host\" = '%s' AND \"instance\" = '%s' AND \"type\" = '%s' AND "
             "\"type_instance\" = '%s'" % (host, inst, typ, ti or ""))
        res = http(self.url + "/query", {"db": "collectd", "q": q})
        r = res["results"][0]
        if "error" in r:
            raise RuntimeError(r["error"])
        if not r.get("series"):
            return None
        return float(r["series"][0]["values"][0][1])


class Graphite:
    def __init__(self, url, range_s):
        self.url = url.rstrip("/")
        self.range_s = range_s

    def fetch(self):
        pass

    def path(self, ident):
        host, inst, typ, ti = ident
        p = "collectd.%s.netlink_icmp.%s.%s" % (graphite_escape(host), graphite_escape(inst), typ)
        return p + ("." + ti if ti else "")

    def points(self, ident):
        res = http(self.url + "/render", {"target": self.path(ident), "format": "json",
                                          "from": "-%ds" % self.range_s, "until": "now"})
        if not res:
            return None
        return [(t, v) for v, t in res[0]["datapoints"] if v is not None]

    def value(self, ident):
        pts = self.points(ident)
        if pts is None:
            return None
        if ident[2] == "count":            # GAUGE: the latest point
            return pts[-1][1] if pts else None
        # Each rate times the time since the previous point.  collectd's
        # intervals drift around 1 s under load, so two values can land in
        # one whisper slot (one survives) or a slot stays empty; weighting
        # by the gap to the previous surviving point keeps the integral.
        total, prev = 0.0, None
        for t, v in pts:
            total += v * (t - prev if prev is not None else 1)
            prev = t
        return total


BACKENDS = {"exporter": Exporter, "prometheus": Prometheus,
            "influxdb": Influx, "graphite": Graphite}


def check_once(be, expects, seen):
    be.fetch()
    problems = []
    seen.clear()
    for e in expects:
        if e.startswith("!"):
            v = be.value(parse_id(e[1:]))
            if v is not None:
                problems.append("%s exists (= %g), should not" % (e[1:], v))
            continue
        m = re.match(r"^(.+?)(=|>)(\d+(?:\.\d+)?)(?:~(\d+(?:\.\d+)?))?$", e)
        if not m:
            raise SystemExit("bad expectation %r" % e)
        ident, op, want = parse_id(m.group(1)), m.group(2), float(m.group(3))
        tol = float(m.group(4) or 0)
        v = be.value(ident)
        seen.append("%s=%s" % (m.group(1), "missing" if v is None else "%g" % v))
        if v is None:
            problems.append("%s missing" % m.group(1))
        elif op == ">":
            if not v > want:
                problems.append("%s = %g, want > %g" % (m.group(1), v, want))
        elif tol:
            if abs(v - want) > tol:
                problems.append("%s = %g, want %g +- %g" % (m.group(1), v, want, tol))
        elif v != want:
            problems.append("%s = %g, want %g" % (m.group(1), v, want))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("backend", choices=sorted(BACKENDS))
    ap.add_argument("url")
    ap.add_argument("--tries", type=int, default=30)
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--range", type=int, default=1800)
    ap.add_argument("expect", nargs="+")
    a = ap.parse_args()
    be = BACKENDS[a.backend](a.url, a.range)
    problems = ["never queried"]
    seen = []
    t0 = time.monotonic()
    last = None
    for i in range(a.tries):
        try:
            problems = check_once(be, a.expect, seen)
        except (OSError, ValueError, RuntimeError, KeyError, IndexError) as e:
            problems = ["query failed: %s" % e]
        if not problems:
            print("PASS %s (%d expectations, try %d, %.0f s)" % (
                a.name, len(a.expect), i + 1, time.monotonic() - t0), flush=True)
            print("  %s %s: %s" % (a.name, a.backend, " ".join(seen)), file=sys.stderr, flush=True)
            return 0
        if problems != last:
            print("  %s try %d (%.0f s): %s" % (a.name, i + 1, time.monotonic() - t0,
                                               "; ".join(problems)), file=sys.stderr, flush=True)
            last = problems
        if i + 1 < a.tries:
            time.sleep(a.delay)
    print("FAIL %s: %s (%d tries, %.0f s)" % (a.name, "; ".join(problems), a.tries,
                                             time.monotonic() - t0), flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
