#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validate Grafana dashboards against the live servers they are meant for.

Grafana itself is not installable here, so this checks what can be checked
without it:

1. The JSON is a Grafana dashboard model: an object with uid, title, an
   integer schemaVersion (>= 30), a `datasource`-type template variable
   whose plugin id matches the dashboard's datasource type, panels with
   unique integer ids, a gridPos and targets with unique refIds, every
   panel/target datasource pointing at that variable, and every $variable a
   query uses defined (or a Grafana built-in).
2. Every template variable query and every panel query, after the Grafana
   variables and macros are substituted the way Grafana does for "All",
   returns non-empty data from the real server: graphite-web's find/render
   API, InfluxDB's HTTP /query, Prometheus' HTTP API.

Usage: validate_dashboards.py [--graphite URL] [--influxdb URL [--influx-db DB]]
         [--prometheus URL] [--range SECONDS] [--timeout SECONDS]
         [--expect-host HOST]... FILE.json...
A dashboard whose datasource has no URL given gets check 1 only (and says so).
Prints `ok ...`/`FAIL ...` lines; exits 1 if anything failed.
"""
import argparse
import json
import math
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BUILTINS = {"__interval", "__interval_ms", "__rate_interval", "__range",
            "__range_s", "timeFilter", "__timeFilter", "__from", "__to",
            "__dashboard", "__org", "__user"}
VAR_RE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")

failures = 0
timeout_s = 30          # per HTTP request (--timeout)


def report(ok, what):
    global failures
    if not ok:
        failures += 1
    print("%s %s" % ("ok  " if ok else "FAIL", what), flush=True)


def http_json(url, params=None, data=None):
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    body = urllib.parse.urlencode(data).encode() if data else None
    try:
        with urllib.request.urlopen(url, body, timeout=timeout_s) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise RuntimeError("%s: %s" % (e, e.read(400).decode(errors="replace"))) from None


# ----------------------------------------------------------- model checks --

def used_vars(text):
    return {a or b for a, b in VAR_RE.findall(text)}


def query_text(ds, t):
    return {"graphite": t.get("target"), "influxdb": t.get("query"),
            "prometheus": t.get("expr")}.get(ds)


def check_model(name, d):
    """Return the datasource type, or None when the model is unusable."""
    ok = True

    def need(cond, what):
        nonlocal ok
        if not cond:
            ok = False
            report(False, "%s: %s" % (name, what))
        return cond

    if not need(isinstance(d, dict), "top level is not an object"):
        return None
    need(isinstance(d.get("uid"), str) and d["uid"], "no uid")
    need(isinstance(d.get("title"), str) and d["title"], "no title")
    sv = d.get("schemaVersion")
    need(isinstance(sv, int) and sv >= 30, "schemaVersion %r not an int >= 30" % (sv,))
    tvars = d.get("templating", {}).get("list", [])
    need(isinstance(tvars, list), "templating.list is not a list")
    names = [v.get("name") for v in tvars]
    need(len(names) == len(set(names)), "duplicate template variable names")
    dsvars = [v for v in tvars if v.get("type") == "datasource"]
    if not need(len(dsvars) == 1, "needs exactly one datasource template variable"):
        return None
    ds = dsvars[0].get("query")
    need(ds in ("graphite", "influxdb", "prometheus"),
         "datasource variable query %r is not a known plugin id" % (ds,))
    dsname = dsvars[0]["name"]
    dsref = {"type": ds, "uid": "${%s}" % dsname}
    defined = set(names) | BUILTINS
    for v in tvars:
        if v.get("type") == "query":
            need(v.get("datasource") == dsref,
                 "variable %s datasource %r is not %r" % (v.get("name"), v.get("datasource"), dsref))
            need(isinstance(v.get("query"), str) and v["query"],
                 "variable %s has no query" % v.get("name"))
    panels = d.get("panels")
    if not need(isinstance(panels, list) and panels, "no panels"):
        return None
    ids = [p.get("id") for p in panels]
    need(all(isinstance(i, int) for i in ids), "panel id not an integer: %r" % ids)
    need(len(ids) == len(set(ids)), "panel ids not unique: %r" % ids)
    for p in panels:
        pn = "%s panel %s" % (name, p.get("id"))
        gp = p.get("gridPos", {})
        need(all(isinstance(gp.get(k), int) for k in "hwxy") and gp["x"] + gp["w"] <= 24,
             "%s: bad gridPos %r" % (pn, gp))
        need(isinstance(p.get("type"), str), "%s: no type" % pn)
        if p.get("type") == "row":
            # A row only groups the panels below it: no query of its own.
            need(not p.get("targets"), "%s: a row with targets" % pn)
            undef = used_vars(p.get("title", "")) - defined
            need(not undef, "%s: undefined variables %s" % (pn, sorted(undef)))
            continue
        need(p.get("datasource") == dsref, "%s: datasource %r is not %r" % (pn, p.get("datasource"), dsref))
        targets = p.get("targets") or []
        need(targets, "%s: no targets" % pn)
        refs = [t.get("refId") for t in targets]
        need(len(refs) == len(set(refs)) and all(refs), "%s: refIds %r" % (pn, refs))
        for t in targets:
            need(t.get("datasource", dsref) == dsref, "%s %s: datasource" % (pn, t.get("refId")))
            q = query_text(ds, t)
            if need(isinstance(q, str) and q, "%s %s: no query" % (pn, t.get("refId"))):
                undef = used_vars(q) - defined
                need(not undef, "%s %s: undefined variables %s" % (pn, t.get("refId"), sorted(undef)))
    report(ok, "%s: Grafana dashboard model (schemaVersion %s, %d panels, datasource variable %s=%s)"
           % (name, sv, len(panels), dsname, ds))
    return ds if ok else None


# ------------------------------------------------------- live query checks --

class Backend:
    def __init__(self, url, range_s):
        self.url = url.rstrip("/")
        self.range_s = range_s

    def interval_s(self, panel):
        # Grafana: max(panel min interval, range / max data points), here
        # with a 1000-pixel-wide panel.
        m = re.fullmatch(r"(\d+)s", panel.get("interval") or "1s")
        return max(int(m.group(1)) if m else 1, math.ceil(self.range_s / 1000))


class Graphite(Backend):
    def var_values(self, q):
        found = http_json(self.url + "/metrics/find", {"query": q})
        return [n["text"] for n in found]

    def fmt_all(self, var, values):
        return var.get("allValue") or "{" + ",".join(values) + "}"

    def run(self, t, subst, panel):
        q = subst(t["target"])
        res = http_json(self.url + "/render", data={
            "target": q, "from": "-%ds" % self.range_s, "until": "now",
            "format": "json"})
        n = sum(1 for s in res if any(v is not None for v, _ in s["datapoints"]))
        return q, n, [s["target"] for s in res][:6]


class Influx(Backend):
    def __init__(self, url, range_s, db):
        super().__init__(url, range_s)
        self.db = db

    def query(self, q):
        res = http_json(self.url + "/query", {"db": self.db, "q": q, "epoch": "s"})
        r = res["results"][0]
        if "error" in r:
            raise RuntimeError(r["error"])
        return r.get("series", [])

    def var_values(self, q):
        return sorted({row[-1] for s in self.query(q) for row in s["values"]})

    def fmt_all(self, var, values):
        # Grafana's InfluxDB regex escaping of multi-value variables
        esc = [re.sub(r"([\\^$*+?.()|\[\]{}/])", r"\\\1", v) for v in values]
        return var.get("allValue") or "(" + "|".join(esc) + ")"

    def run(self, t, subst, panel):
        q = subst(t["query"]).replace("$timeFilter", "time >= now() - %ds" % self.range_s)
        series = self.query(q)
        n = sum(1 for s in series if any(v is not None for row in s["values"] for v in row[1:]))
        return q, n, [",".join("%s=%s" % kv for kv in sorted(s.get("tags", {}).items()))
                      for s in series][:6]


class Prometheus(Backend):
    # Grafana's default scrape interval for a Prometheus datasource; with it
    # $__rate_interval = max($__interval + 15s, 4 * 15s).
    scrape_s = 15

    def var_values(self, q):
        m = re.fullmatch(r"label_values\((?:\s*(.+?)\s*,)?\s*(\w+)\s*\)", q.strip())
        if not m:
            raise RuntimeError("unsupported variable query %r" % q)
        metric, label = m.groups()
        params = {"match[]": metric} if metric else {}
        return http_json(self.url + "/api/v1/label/%s/values" % label, params)["data"]

    def fmt_all(self, var, values):
        # Grafana's Prometheus escaping: the regex escape is itself inside a
        # PromQL string, hence two backslashes.
        esc = [re.sub(r"([$^*{}\[\]'+?.()|])", r"\\\\\1", v.replace("\\", "\\\\\\\\"))
               for v in values]
        return var.get("allValue") or "(" + "|".join(esc) + ")"

    def run(self, t, subst, panel):
        iv = self.interval_s(panel)
        q = subst(t["expr"]).replace("$__rate_interval", "%ds" % max(iv + self.scrape_s, 4 * self.scrape_s))
        now = time.time()
        res = http_json(self.url + "/api/v1/query_range", data={
            "query": q, "start": now - self.range_s, "end": now, "step": iv})
        if res.get("status") != "success":
            raise RuntimeError(res)
        data = res["data"]["result"]
        n = sum(1 for s in data if any(v != "NaN" for _, v in s["values"]))
        return q, n, [",".join("%s=%s" % kv for kv in sorted(s["metric"].items())) for s in data][:6]


def var_regex(v):
    """A variable's regex filter ("/.../"), as Grafana applies it."""
    m = re.fullmatch(r"/(.*)/", v.get("regex") or "")
    return re.compile(m.group(1)) if m else None


def check_live(name, d, ds, be, expect_hosts):
    tvars = d["templating"]["list"]
    values = {}
    for v in tvars:
        if v["type"] == "query":
            # Variables may use the ones before them (source uses host).
            q = VAR_RE.sub(lambda m: values.get(m.group(1) or m.group(2), m.group(0)),
                           v["query"])
            try:
                vals = be.var_values(q)
                rx = var_regex(v)
                if rx:
                    vals = [x for x in vals if rx.search(x)]
            except Exception as e:      # noqa: BLE001 - reported, not hidden
                report(False, "%s: variable %s query %r: %s" % (name, v["name"], q, e))
                return
            report(bool(vals), "%s: variable %s = %s" % (name, v["name"], vals))
            if v["name"] == "host" and expect_hosts:
                missing = set(expect_hosts) - set(vals)
                report(not missing, "%s: hosts %s all present%s" % (
                    name, sorted(expect_hosts), " (missing %s)" % sorted(missing) if missing else ""))
            values[v["name"]] = be.fmt_all(v, vals) if v.get("includeAll") else (vals[0] if vals else "")
        elif v["type"] == "custom":
            values[v["name"]] = v["current"]["value"]

    for p in d["panels"]:
        if p.get("type") == "row":
            continue
        iv = be.interval_s(p)

        def subst(q):
            q = q.replace("$__interval_ms", str(iv * 1000)).replace("$__interval", "%ds" % iv)
            q = q.replace("$__range", "%ds" % be.range_s)
            return VAR_RE.sub(lambda m: values.get(m.group(1) or m.group(2), m.group(0)), q)

        for t in p["targets"]:
            what = "%s: panel %d %r %s" % (name, p["id"], p["title"], t["refId"])
            try:
                q, n, sample = be.run(t, subst, p)
            except Exception as e:      # noqa: BLE001
                report(False, "%s: %s" % (what, e))
                continue
            report(n > 0, "%s: %d series with data %s%s" % (
                what, n, sample, "" if n else " <- " + q))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--graphite")
    ap.add_argument("--influxdb")
    ap.add_argument("--influx-db", default="collectd")
    ap.add_argument("--prometheus")
    ap.add_argument("--range", type=int, default=600, help="seconds back from now")
    ap.add_argument("--expect-host", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=30,
                    help="seconds per HTTP request (a slow guest needs more)")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    global timeout_s
    timeout_s = a.timeout
    backends = {}
    if a.graphite:
        backends["graphite"] = Graphite(a.graphite, a.range)
    if a.influxdb:
        backends["influxdb"] = Influx(a.influxdb, a.range, a.influx_db)
    if a.prometheus:
        backends["prometheus"] = Prometheus(a.prometheus, a.range)
    for f in a.files:
        name = f.rsplit("/", 1)[-1]
        try:
            with open(f) as fh:
                d = json.load(fh)
        except (OSError, ValueError) as e:
            report(False, "%s: %s" % (name, e))
            continue
        ds = check_model(name, d)
        if ds is None:
            continue
        if ds in backends:
            check_live(name, d, ds, backends[ds], a.expect_host)
        else:
            print("skip %s: no %s server given, model checked only" % (name, ds))
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
