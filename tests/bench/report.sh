#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turns the bench's wall-clock runs (guest.sh's CSV) into the results table and
# the targets decided there (loss, exact accounting, memory), each within
# the same run of the bench; CPU costs come from cost-report.sh.
# usage: report.sh RAW.csv [SUMMARY.csv]
# Run 0 of each path (warm-up) and sweep runs (run "r<rate>") are left out of
# the medians.
set -euo pipefail
raw=$1
summary=${2:-/dev/null}

awk -F, -v summary="$summary" '
function isnum(x) { return x ~ /^-?[0-9.]+$/ }
function add(k, col, v) {
	if (!isnum(v)) return
	n[k, col]++
	val[k, col, n[k, col]] = v + 0
}
# min / median / max of a group column, after an insertion sort.
function stats(k, col,   i, j, c, t, a) {
	c = n[k, col] + 0
	if (c == 0) { MIN = MED = MAX = "NA"; return 0 }
	for (i = 1; i <= c; i++) a[i] = val[k, col, i]
	for (i = 2; i <= c; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	MIN = a[1]; MAX = a[c]
	MED = (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	return c
}
function med(k, col) { stats(k, col); return MED }
function fmt(x, f) { return isnum(x) ? sprintf(f, x) : "NA" }
function mmm(k, col, f) {
	stats(k, col)
	if (MED == "NA") return "NA"
	return sprintf(f "/" f "/" f, MIN, MED, MAX)
}
function getx(x, key,   i, f, m) {	# key=value in the extra column
	m = split(x, f, ";")
	for (i = 1; i <= m; i++)
		if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2)
	return "NA"
}
function verdict(ok, how) { return (ok ? "MET" : "NOT MET") (how == "" ? "" : " (" how ")") }

NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
	part = $col["part"]; path = $col["path"]; mix = $col["mix"]; run = $col["run"]
	if (run ~ /^r/) {		# sweep: offered vs delivered, one run each
		sw[++nsw] = $0
		next
	}
	if (run == "0") next
	k = part SUBSEP path SUBSEP mix
	if (!(k in seenk)) { seenk[k] = 1; order[++ng] = k }
	nruns[k]++
	for (c in col) add(k, c, $col[c])
	nft = $col["nft"] + 0
	# Exactness per run (module rows): seen == nft, seen == delivered +
	# undelivered; attribution share of what nft counted.
	if (path == "module") {
		# The ABI identity, since REGISTER: nft == seen ==
		# delivered + undelivered; the plugin: all + its undelivered
		# == seen.
		x = $col["extra"]
		s = getx(x, "seen_reg"); nr = getx(x, "nft_reg")
		d = $col["delivered"]; u = $col["undelivered"]
		if (isnum(s) && isnum(d) && isnum(u) && isnum(nr)) {
			if (s + 0 != nr + 0) bad_seen[k]++
			if (d + u != s + 0) bad_id[k]++
		} else bad_id[k]++
		a = $col["attributed"]
		if (isnum(a) && nft > 0) add(k, "attr_share", 100 * a / nft)
		al = $col["all"]; pu = getx(x, "plugin_undelivered")
		if (!isnum(al) || !isnum(pu) || al + pu != s + 0) bad_plugin[k]++
		add(k, "idle_us_s", getx(x, "idle_us_s"))
		add(k, "entry_slab_kb", getx(x, "entry_slab_kb"))
	}
	cons = $col["consumer"]
	if (isnum(cons) && nft > 0) add(k, "loss_pct", 100 * (nft - cons) / nft)
}
END {
	# --- the table -------------------------------------------------------
	printf "\n%-4s %-14s %-6s %4s %9s %-20s %-8s %-20s %9s %9s %9s\n",
		"part", "path", "mix", "runs", "offer_pps", "nft_pps min/med/max",
		"lost%", "busy_us/pkt m/m/m", "extra_us", "sirq_us", "user_us"
	print "    (lost% = counted by nft but not by the path consumer; extra_us = busy/pkt minus the nft-only run of the same part and mix)"
	print "part,path,mix,runs,offered_pps_med,nft_pps_min,nft_pps_med,nft_pps_max,lost_pct_med,busy_us_pkt_min,busy_us_pkt_med,busy_us_pkt_max,extra_us_pkt,softirq_us_pkt_med,extra_softirq_us_pkt,consumer_us_pkt_med,rss_kb_max,attr_share_min,seen,delivered,undelivered,attributed,other" >summary
	for (g = 1; g <= ng; g++) {
		k = order[g]; split(k, p, SUBSEP)
		base = p[1] SUBSEP "nft" SUBSEP p[3]
		# nft alone does not depend on the sources: 10k shares the
		# IPv6 baseline of the 1M run.
		if (!((base, "busy_us_pkt") in n) && p[3] == "s10k")
			base = p[1] SUBSEP "nft" SUBSEP "s1M"
		ex = "NA"; exs = "NA"
		if ((base, "busy_us_pkt") in n && p[2] !~ /@/) {
			ex = med(k, "busy_us_pkt") - med(base, "busy_us_pkt")
			exs = med(k, "softirq_us_pkt") - med(base, "softirq_us_pkt")
		}
		EXTRA[k] = ex
		SIRQ[k] = med(k, "softirq_us_pkt")
		SIRQ_BASE[k] = ((base, "softirq_us_pkt") in n) ? med(base, "softirq_us_pkt") : "NA"
		printf "%-4s %-14s %-6s %4d %9s %-20s %-8s %-20s %9s %9s %9s\n",
			p[1], p[2], p[3], nruns[k], fmt(med(k, "offered_pps"), "%.0f"),
			mmm(k, "nft_pps", "%.0f"), fmt(med(k, "loss_pct"), "%.2f"),
			mmm(k, "busy_us_pkt", "%.1f"), fmt(ex, "%+.2f"),
			fmt(med(k, "softirq_us_pkt"), "%.2f"),
			fmt(med(k, "consumer_us_pkt"), "%.3f")
		stats(k, "rss_kb"); rss = MAX
		stats(k, "attr_share"); ash = MIN
		printf "%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
			p[1], p[2], p[3], nruns[k], med(k, "offered_pps"),
			(stats(k, "nft_pps") ? MIN : "NA"), MED, MAX, med(k, "loss_pct"),
			(stats(k, "busy_us_pkt") ? MIN : "NA"), MED, MAX, ex,
			med(k, "softirq_us_pkt"), exs, med(k, "consumer_us_pkt"), rss, ash,
			med(k, "seen"), med(k, "delivered"), med(k, "undelivered"),
			med(k, "attributed"), med(k, "other") >summary
	}

	# --- the module rows in detail ----------------------------------------
	print ""
	print "module + collectd (medians): sent / nft / S_SEEN / delivered / undelivered / attributed per source / other; collectd CPU, RSS, slab delta"
	for (g = 1; g <= ng; g++) {
		k = order[g]; split(k, p, SUBSEP)
		if (p[2] != "module") continue
		printf "  %s %-5s sent %s nft %s seen %s deliv %s undeliv %s attributed %s (min %s%% of nft) other %s; softirq %s us/pkt (nft alone %s); collectd %s ms/Mpkt (idle %s ms/s not counted), RSS %s kB, module entries slab %s kB (meminfo Slab %+d kB); runs with seen!=nft %d, seen!=deliv+undeliv %d, plugin all+undelivered!=seen %d\n",
			p[1], p[3], med(k, "sent"), med(k, "nft"), med(k, "seen"),
			med(k, "delivered"), med(k, "undelivered"), med(k, "attributed"),
			fmt((stats(k, "attr_share") ? MIN : "NA"), "%.3f"), med(k, "other"),
			fmt(SIRQ[k], "%.2f"), fmt(SIRQ_BASE[k], "%.2f"),
			fmt(med(k, "consumer_us_pkt") * 1000, "%.0f"),
			fmt(med(k, "idle_us_s") / 1000, "%.1f"),
			(stats(k, "rss_kb") ? MAX : "NA"),
			(stats(k, "entry_slab_kb") ? MAX : "NA"), med(k, "slab_kb"),
			bad_seen[k], bad_id[k], bad_plugin[k]
	}

	# --- targets (wall clock) --------------------------------------------------
	print ""
	print "targets (wall clock), each from this run:"
	found = 0
	for (g = 1; g <= ng; g++) {
		k = order[g]; split(k, p, SUBSEP)
		if (p[2] != "module") continue
		found = 1
		exact = !bad_seen[k] && !bad_id[k] && !bad_plugin[k]
		printf "  exact accounting, %s %s: %s\n", p[1], p[3],
			verdict(exact, bad_seen[k] + bad_id[k] + bad_plugin[k] " of " nruns[k] " runs off")
		if (p[3] != "s1M" && stats(k, "attr_share"))
			printf "  attribution >= 99.9%% of nft, %s %s: %s\n", p[1], p[3],
				verdict(MIN >= 99.9, sprintf("min %.3f%%", MIN))
	}
	if (!found) print "  module rows: NOT MEASURED (module, nlicmpctl or plugin missing)"
	# CPU costs: the deterministic part (cost-report.sh), not these runs.
	for (c = 2; c <= 4; c += 2) {
		kb2m = "b" c SUBSEP "module" SUBSEP "s1"; kb2u = "b" c SUBSEP "ulogd" SUBSEP "s1"
		if (!((kb2m, "loss_pct") in n)) { printf "  no loss with %d vCPUs: NOT MEASURED\n", c; continue }
		# Below 0: the consumer also got a stray packet from before the
		# nft reading of the window; nothing was lost.
		stats(kb2m, "loss_pct"); lm = MAX < 0 ? 0 : MAX
		lu = (kb2u, "loss_pct") in n ? med(kb2u, "loss_pct") : "NA"
		stats(kb2m, "undelivered"); um = MAX
		printf "  no loss with %d vCPUs: module max lost %.3f%% (undelivered max %s), ulogd2 median lost %s%%: %s\n",
			c, lm, um, fmt(lu, "%.1f"), verdict(lm == 0 && um == 0, "")
	}
	k10 = "a" SUBSEP "module" SUBSEP "s10k"; k1m = "a" SUBSEP "module" SUBSEP "s1M"
	if ((k10, "rss_kb") in n && (k1m, "rss_kb") in n) {
		stats(k10, "rss_kb"); r10 = MAX; stats(k1m, "rss_kb"); r1m = MAX
		printf "  memory flat past MaxSources: collectd RSS %d kB at 10k sources, %d kB at 1M: %s\n",
			r10, r1m, verdict(r1m <= r10 * 1.5 + 4096, sprintf("%+.0f%%", 100 * (r1m - r10) / r10))
	} else print "  memory flat past MaxSources: NOT MEASURED"
	ku = "a" SUBSEP "udp@unloaded" SUBSEP "udp"; kl = "a" SUBSEP "udp@listener" SUBSEP "udp"
	if ((ku, "nft_pps") in n && (kl, "nft_pps") in n) {
		r = med(kl, "nft_pps") / med(ku, "nft_pps")
		printf "  UDP pps with module + listener >= 98%% of unloaded: %.0f vs %.0f: %s\n",
			med(kl, "nft_pps"), med(ku, "nft_pps"), verdict(r >= 0.98, sprintf("%.1f%%", 100 * r))
	} else print "  UDP pps with module + listener >= 98%: NOT MEASURED"
	ku = "a" SUBSEP "tcp@unloaded" SUBSEP "tcp"; kl = "a" SUBSEP "tcp@listener" SUBSEP "tcp"
	if ((ku, "nft_pps") in n && (kl, "nft_pps") in n)
		printf "  TCP segments/s with module + listener: %.0f vs %.0f unloaded (%.1f%%)\n",
			med(kl, "nft_pps"), med(ku, "nft_pps"), 100 * med(kl, "nft_pps") / med(ku, "nft_pps")

	if (nsw) {
		print ""
		print "delivered vs offered (one run each, 1 source): path offered_pps nft_pps delivered_pps"
		for (i = 1; i <= nsw; i++) {
			split(sw[i], f, ",")
			d = f[col["consumer"]]
			printf "  %-8s %8.0f %8.0f %8s\n", f[col["path"]], f[col["offered_pps"]],
				f[col["nft_pps"]], isnum(d) ? sprintf("%.0f", d / f[col["seconds"]]) : "NA"
		}
	}
}' "$raw"
