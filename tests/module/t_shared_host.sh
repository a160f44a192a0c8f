# SPDX-License-Identifier: GPL-2.0
# Safe on a shared host (issue 9): what an unprivileged user can make the
# module do, and what a closing or leaving listener gets.

# Namespaces per test: 24 keeps the suite short under TCG (1 to 3 s per
# namespace on a busy host); NLICMP_USERNS_N=200 is the issue's figure.
USERNS_N=${NLICMP_USERNS_N:-24}
# The waits of the rounds below grow with it (and with the test bed's
# NLICMP_VM_TIMEOUT_SCALE).
USERNS_SCALE=$(( ${NLICMP_VM_TIMEOUT_SCALE:-1} * (1 + USERNS_N / 50) ))

# "${NOBODY[@]}" CMD...: run CMD as nobody, without capabilities (an
# array, not a function: "${NOBODY[@]}" CMD & makes $! the process
# itself, which the test's cleanup can kill, not a subshell around it).
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

# With the default parameters, root of a user namespace (any user can make
# one) may not listen, not even to the network namespace it owns.
test_userns_refused() {
	local out refused
	load || fail "insmod failed"
	out=$("${NOBODY[@]}" bash -c '
		for i in $(seq '"$USERNS_N"'); do
			unshare --user --map-root-user --net "$TOOL" fill 1
		done' 2>&1)
	refused=$(echo "$out" | grep -c '^register 1 errno 1 extack "netlink_icmp: needs CAP_NET_ADMIN in the initial user namespace')
	log "$USERNS_N user+net namespaces as nobody: $refused REGISTER refused with EPERM and an extack"
	expect_eq "REGISTERs refused (EPERM + extack)" "$refused" "$USERNS_N"
	expect_eq "host listeners" "$(stat listeners)" 0
}

# Percpu and unreclaimable slab of the whole guest, in KiB, once every
# slab cache gave back its empty slabs (the floods' skbs, freed by now,
# would otherwise still hold theirs).
mem_kib() {
	local f
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null
	done
	awk '/^Percpu:/ { p = $2 } /^SUnreclaim:/ { s = $2 } END { print p, s }' /proc/meminfo
}

# The slab caches of processes and their address spaces: the module
# allocates nothing from them, and 200 namespaces' processes move them by
# megabytes between two rounds that run the same processes.
PROC_CACHES='^(task_struct|mm_struct|vm_area_struct|maple_node|vma_lock|anon_vma|anon_vma_chain|sighand_cache|signal_cache|files_cache|fs_cache|pid|cred_jar|task_delay_info)$'

# task_kib SLABINFO: what one more task (a kworker, say) takes from the
# PROC_CACHES a kernel thread uses (KiB, rounded up).
task_kib() {
	awk '$1 ~ /^(task_struct|signal_cache|sighand_cache|cred_jar|pid|task_delay_info)$/ {
		b += $4 } END { printf "%d\n", (b + 1023) / 1024 }' "$1"
}

# ntasks: how many tasks the guest runs.
ntasks() {
	local d n=0
	for d in /proc/[0-9]*; do n=$((n + 1)); done
	echo $n
}

# proc_slab_growth BEFORE AFTER: what PROC_CACHES grew (KiB) between two
# copies of /proc/slabinfo.
proc_slab_growth() {
	awk -v re="$PROC_CACHES" 'FNR == 1 { f++ } NF > 5 && $1 ~ re {
		kb += (f == 1 ? -1 : 1) * $3 * $4 / 1024 } END { printf "%d\n", kb }' \
		"$1" "$2"
}

# slab_growth BEFORE AFTER: the slab caches that grew most between two
# copies of /proc/slabinfo, "name +KiB" each (what a memory figure is
# made of, for the log).
slab_growth() {
	awk 'FNR == 1 { f++ } f == 1 && NF > 5 { kb[$1] -= $3 * $4 / 1024 }
		f == 2 && NF > 5 { kb[$1] += $3 * $4 / 1024 }
		END { for (n in kb) if (kb[n] >= 16) printf "%d %s\n", kb[n], n }' \
		"$1" "$2" | sort -rn | head -n 8 | awk '{ printf "%s +%d; ", $2, $1 }'
}

# Waits until no CPU's backlog holds a packet: until the packets the CPUs
# processed stop growing for a second (at most 60 s).
backlog_drained() {
	local a b=-1 i p _
	for i in $(seq 61); do
		a=$b
		b=0
		while read -r p _; do
			b=$((b + 16#$p))
		done </proc/net/softnet_stat
		[ "$a" = "$b" ] && return 0
		sleep 1
	done
	return 1
}

# wait_lines FILE N TRIES: until FILE has N lines, checked every 0.2 s
# at most TRIES times.
wait_lines() {
	local i
	for i in $(seq "$3"); do
		[ "$(wc -l <"$1")" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# The memory cgroups (v2, mounted by tests/vm/init) the namespaces of a
# round run in: one per round, so that what the first round frees late
# is not read as the second's.
USERNS_CG=/sys/fs/cgroup/nlicmp-userns

# memcg_percpu_kib CGROUP: per-CPU memory charged to CGROUP, in KiB.
memcg_percpu_kib() {
	awk '$1 == "percpu" { print int($2 / 1024) }' "$1"/memory.stat
}

# userns_round DIR REGISTER: USERNS_N user+net+PID namespaces as nobody,
# in the cgroup DIR's name under USERNS_CG, each with a hold process
# (tests/module/nlicmp_modtool.c) that sends REGISTER if REGISTER is 1
# and is never asked to if 0 (it waits, as the refused ones do), then a
# flood of spoofed sources on its lo. Leaves the namespaces up, waiting
# on DIR/end (round_end ends them), and sets:
#   R_PCPU R_SLAB  growth of the guest's per-CPU and unreclaimable slab
#                  memory (KiB) from before the REGISTERs to after the floods,
#                  the slab without PROC_CACHES' growth
#   R_PROC         that growth of PROC_CACHES (KiB)
#   R_TASKS        how many more tasks the guest runs after than before
#                  (the module's flushes may have started kworkers)
#   R_MEMCG        per-CPU memory charged to the namespaces' memcg (KiB)
#                  over the same span
# The namespaces' processes, sockets and files exist before that span
# starts: what grows in it is what REGISTER and the floods cost.
userns_round() {
	local dir=$1 register=$2 m0 m1 c0 c1 t0 t1 i scale=$USERNS_SCALE
	local go_fd count_fd cg=$USERNS_CG/${1##*/}
	mkdir -p "$cg" || fail "cannot create $cg"
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 777 "$dir"
	# Three barriers (go, count, end), held by this shell with flock until
	# it lets all the namespaces register, then count, then end: blocking,
	# not polling, as 200 polling shells would starve a 2-vCPU TCG guest.
	# Each namespace is a PID namespace too, so that killing its unshare
	# (the test's cleanup) ends everything it started; it gets none of
	# the barriers' file descriptors, else a waiting flock would hold the
	# lock it waits for after a failed test. Each namespace floods once
	# its own REGISTER was answered (hold prints that line).
	# The floods take turns (a lock): 200 at once would queue 180000
	# skbs, whose freed slabs then blur the memory figure. The backlog
	# has room for a few turns' packets, so that what reaches the tables
	# is bounded by the budgets, not by drops before the hooks.
	touch "$dir"/go "$dir"/count "$dir"/end "$dir"/flood "$dir"/ready \
		"$dir"/flooded "$dir"/done
	chmod 644 "$dir"/go "$dir"/count "$dir"/end "$dir"/flood
	chmod 666 "$dir"/ready "$dir"/flooded "$dir"/done
	exec {go_fd}<"$dir"/go {count_fd}<"$dir"/count {R_END_FD}<"$dir"/end
	flock -x "$go_fd"
	flock -x "$count_fd"
	flock -x "$R_END_FD"
	# What this shell starts from here on is in the cgroup.
	echo $BASHPID >"$cg"/cgroup.procs
	R_PIDS=()
	for i in $(seq "$USERNS_N"); do
		"${NOBODY[@]}" unshare --user --map-root-user --net --pid --fork \
			--kill-child bash -c '
			d='"$dir"' i='$i' register='$register'
			ip link set lo up
			# icmpflood sends to documentation prefixes only.
			ip addr add 2001:db8::1/128 dev lo nodad
			# hold talks through two FIFOs (a coproc loses what
			# a process printed if it exited before it was read).
			mkfifo $d/in.$i $d/out.$i
			: >$d/err.$i
			"$TOOL" hold <$d/in.$i >$d/out.$i 2>&1 &
			exec 3>$d/in.$i 4<$d/out.$i
			while read -r reg <&4 && [ "$reg" != ready ]; do
				echo "$reg" >>$d/err.$i
			done
			if [ "$reg" != ready ]; then
				echo "hold ended before its REGISTER" >>$d/err.$i
				for f in ready flooded done; do echo $i >>$d/$f; done
				exit 1
			fi
			echo $i >>$d/ready
			flock -s $d/go true
			if [ $register = 1 ]; then
				echo go >&3
				while read -r reg <&4; do
					echo "$reg" >>$d/err.$i
					case $reg in register*) break ;; esac
				done
				[ -s $d/err.$i ] ||
					echo "hold ended without a word" >$d/err.$i
			else
				echo "no REGISTER" >>$d/err.$i
			fi
			flock $d/flood "$FLOOD" -q -i lo -m 00:00:00:00:00:00 \
				-d 2001:db8::1 -n 100000 -r -c 900 -t 20 >/dev/null \
				2>>$d/err.$i || echo "flood failed" >>$d/err.$i
			echo $i >>$d/flooded
			flock -s $d/count true
			"$CTL" stats >$d/stats.$i
			echo $i >>$d/done
			flock -s $d/end true
			exec 3>&-
			wait' {go_fd}<&- {count_fd}<&- {R_END_FD}<&- >/dev/null 2>&1 &
		track $!
		R_PIDS+=($!)
	done
	echo $BASHPID >/sys/fs/cgroup/cgroup.procs
	wait_lines "$dir"/ready "$USERNS_N" $((600 * scale)) || fail "namespaces not up"
	m0=$(mem_kib)
	t0=$(ntasks)
	cat /proc/slabinfo >"$dir"/slabinfo.0
	c0=$(memcg_percpu_kib "$cg")
	flock -u "$go_fd"
	wait_lines "$dir"/flooded "$USERNS_N" $((1800 * scale)) ||
		fail "floods did not end"
	# A flood's last packets may still wait in a backlog: the counts and
	# the memory are read once every queued packet went through.
	backlog_drained || fail "backlogs still draining after 60 s"
	m1=$(mem_kib)
	t1=$(ntasks)
	cat /proc/slabinfo >"$dir"/slabinfo.1
	c1=$(memcg_percpu_kib "$cg")
	flock -u "$count_fd"
	wait_lines "$dir"/done "$USERNS_N" $((600 * scale)) || fail "stats not read"
	exec {go_fd}<&- {count_fd}<&-
	R_PCPU=$(( ${m1% *} - ${m0% *} ))
	R_PROC=$(proc_slab_growth "$dir"/slabinfo.0 "$dir"/slabinfo.1)
	R_TASKS=$((t1 - t0))
	R_SLAB=$(( ${m1#* } - ${m0#* } - R_PROC ))
	R_MEMCG=$((c1 - c0))
	R_GREW=$(slab_growth "$dir"/slabinfo.0 "$dir"/slabinfo.1)
}

# any_alive PID...: whether one of them still runs.
any_alive() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# round_end [settle]: lets the namespaces of a round exit and waits for
# them (at most 120 s, scaled), then, with "settle", until the guest's
# memory stops shrinking (the namespaces are torn down after their last
# process; at most 60 s).
round_end() {
	local i a b=0 scale=$USERNS_SCALE
	flock -u "$R_END_FD"
	exec {R_END_FD}<&-
	for i in $(seq $((600 * scale))); do
		any_alive "${R_PIDS[@]}" || break
		sleep 0.2
	done
	any_alive "${R_PIDS[@]}" &&
		fail "namespaces still up $((120 * scale)) s after their end"
	wait "${R_PIDS[@]}" 2>/dev/null
	[ "${1:-}" = settle ] || return 0
	for i in $(seq 30); do
		a=$b
		b=$(mem_kib)
		b=$(( ${b% *} + ${b#* } ))
		[ $((a - b)) -lt 64 ] && [ $((b - a)) -lt 64 ] && return 0
		sleep 2
	done
	log "the guest's memory still moved 60 s after the namespaces ended"
}

# With userns_listeners=1: USERNS_N namespaces as nobody, each with a
# listener and a flood of spoofed sources on its lo. The global budgets
# bound what they get together: listeners, entries, and the module's
# memory (slab + per-CPU); the host's own namespace still gets its
# listener and its entries. A control round then runs the same
# namespaces and floods without REGISTER: what they cost the guest
# without a listener (about 12 KiB per namespace with 200, besides the
# processes' caches, which are left out of both rounds: PROC_CACHES).
# The module's memory is the first round's growth minus the control's. The control
# comes second, on the pages the first round's teardown left free, so
# that its growth, if anything, reads low and the module's high; and
# it must not have cost the module a thing (no listener, no entry).
test_userns_budget() {
	local dir=/tmp/userns-budget lt=16 et=8192 ce=1024 ncpu esz
	local ok refused entries budget host_mac host_entries backlog
	local r_pcpu r_slab r_memcg r_tasks extra module memcg_min f i bad
	local c=/sys/kernel/slab/nlicmp_entry objs slabs order cache_kb
	[ -n "${FLOOD:-}" ] && [ -x "$FLOOD" ] || fail "icmpflood not built"
	[ -f /sys/fs/cgroup/cgroup.subtree_control ] || fail "no cgroup v2 in the guest"
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control ||
		fail "no memory controller"
	rmdir $USERNS_CG/* $USERNS_CG 2>/dev/null
	mkdir -p $USERNS_CG || fail "cannot create $USERNS_CG"
	echo +memory >$USERNS_CG/cgroup.subtree_control ||
		fail "no memory controller in $USERNS_CG"
	load userns_listeners=1 max_listeners_total=$lt max_entries_total=$et \
		child_max_entries=$ce idle_ms=600000 || fail "insmod failed"
	backlog=$(sysctl -n net.core.netdev_max_backlog)
	# The test's subshell restores it on any exit (expanded now: the
	# local is gone by then), and removes the cgroups it can.
	trap "sysctl -qw net.core.netdev_max_backlog=$backlog; rmdir $USERNS_CG/* $USERNS_CG 2>/dev/null" EXIT
	sysctl -qw net.core.netdev_max_backlog=10000

	userns_round $dir 1
	r_pcpu=$R_PCPU r_slab=$R_SLAB r_memcg=$R_MEMCG r_tasks=$R_TASKS
	log "slab caches that grew most with REGISTER (KiB): $R_GREW (the processes' $R_PROC KiB not counted)"
	# The entries' own cache, read directly: the difference of the two
	# rounds below carries what 200 namespaces cost the guest, this does
	# not (SLUB may share the cache with others of the same size: then it
	# reads high).
	[ -r $c/objects ] || fail "no $c/objects: cannot read the entry cache"
	read -r objs _ <$c/objects
	read -r slabs _ <$c/slabs
	order=$(cat $c/order)
	cache_kb=$((slabs * ($(getconf PAGESIZE) << order) / 1024))
	# The host's own namespace is not under the global budgets: with all
	# of them taken by the containers, its listener still registers and
	# its own table still fills.
	topo_up
	listen_bg "" /tmp/host-budget.out
	wait_listeners 1 || fail "the host's listener was refused while the containers held the global budgets"
	host_mac=$(cat /sys/class/net/h1/address)
	ip netns exec nlsrc1 "$FLOOD" -q -i eth0 -m "$host_mac" -d "${host6[1]}" \
		-n 500 -c 5000 -t 20 >/dev/null 2>&1
	host_entries=$(stat entries)
	log "host namespace with the global budgets used up: listeners $(stat listeners), entries $host_entries"
	[ "$host_entries" -ge 500 ] ||
		fail "host namespace: $host_entries entries after 500 sources, want >= 500"
	round_end settle

	userns_round $dir.control 0
	round_end
	log "control, $USERNS_N namespaces without REGISTER: per-CPU $R_PCPU KiB, unreclaimable slab but the processes' $R_SLAB KiB, per-CPU charged to their memcg $R_MEMCG KiB"
	log "slab caches that grew most in the control (KiB): $R_GREW (the processes' $R_PROC KiB not counted)"
	# What the control costs is subtracted from the module's figure, so
	# it is bounded: 10 to 25 KiB per namespace were measured with the
	# processes' caches (6.1 and 6.12), about half that without; 24
	# allowed (a module that allocated for namespaces without a listener
	# would show here).
	[ $((R_PCPU + R_SLAB)) -le $((USERNS_N * 24)) ] ||
		fail "control round grew by $((R_PCPU + R_SLAB)) KiB, over 24 KiB for each of $USERNS_N namespaces"
	# Each must read no listener and no entry; the odd one out is named,
	# with what its hold and flood said.
	bad=""
	for i in $(seq "$USERNS_N"); do
		f=$dir.control/stats.$i
		grep -qx 'listeners 0' "$f" 2>/dev/null &&
			grep -qx 'entries 0' "$f" 2>/dev/null ||
			bad="$bad [$i: $(tr '\n' ' ' <"$f" 2>/dev/null | cut -c1-120)| $(tr '\n' ' ' <$dir.control/err.$i 2>/dev/null | cut -c1-200)]"
	done
	[ -z "$bad" ] || fail "control namespaces without 'listeners 0' and 'entries 0':$bad"
	expect_eq "control namespaces whose flood was seen" \
		"$(grep -lE '^seen [1-9]' $dir.control/stats.* | wc -l)" "$USERNS_N"

	ok=$(grep -l '^listeners 1$' $dir/stats.* | wc -l)
	refused=$(grep -l 'too many listeners in all namespaces' $dir/err.* | wc -l)
	entries=$(cat $dir/stats.* | awk '$1 == "entries" { s += $2 } END { print s + 0 }')
	# Tasks the first round started beyond the control's (kworkers for
	# the flushes) are the module's: their PROC_CACHES objects are added
	# back.
	extra=$((r_tasks - R_TASKS))
	[ "$extra" -gt 0 ] || extra=0
	module=$((r_pcpu + r_slab - R_PCPU - R_SLAB + extra * $(task_kib $dir/slabinfo.1)))
	log "tasks started: $r_tasks with REGISTER, $R_TASKS in the control; $extra counted as the module's, $(task_kib $dir/slabinfo.1) KiB each"
	ncpu=$(nproc --all)
	# Per entry its slab object (slub_debug makes it larger) and a hash
	# bucket; per listener its lazy state (13 KiB in a 32 KiB slab under
	# slub_debug), per-CPU unattributed counters (8.3 KiB per CPU) and
	# 32 KiB of slack. Without the global budget there would be about
	# 14300 entries (16 listeners x 900 sources), not max_entries_total.
	esz=$(cat /sys/kernel/slab/nlicmp_entry/slab_size 2>/dev/null || echo 256)
	budget=$(( (et * (esz + 16) + lt * (65536 + ncpu * 8448)) / 1024 ))
	# REGISTER allocates the listener's per-CPU counters in the caller's
	# context: at least 8 KiB per CPU per listener lands in their memcg.
	# The entries are made in softirq context, where nothing is charged.
	memcg_min=$((lt * ncpu * 8))
	log "REGISTER outcomes in the namespaces: $(sort $dir/err.* | uniq -c | sed 's/^ *//' | paste -sd ';')"
	log "$USERNS_N namespaces: listeners $ok (refused $refused), entries $entries (max_entries_total $et, child_max_entries $ce)"
	log "memory growth with REGISTER: per-CPU $r_pcpu KiB, unreclaimable slab but the processes' $r_slab KiB; the module's (minus the control's) $module KiB; budget $budget KiB (entry slab object $esz B, $ncpu CPUs)"
	log "per-CPU memory charged to the namespaces' memcg: $r_memcg KiB (control $R_MEMCG KiB), want >= $memcg_min KiB more than the control"
	log "the entry cache after the floods: $objs objects in $slabs slabs, $cache_kb KiB$( [ -L $c ] && echo " (shared: $(readlink $c))")"
	[ "$objs" -ge "$entries" ] ||
		fail "the entry cache holds $objs objects, fewer than the $entries entries counted"
	[ "$cache_kb" -le $(( (et * (esz + 16) + 65536) / 1024 )) ] || [ -L $c ] ||
		fail "the entry cache takes $cache_kb KiB for $et entries of $esz B"
	expect_eq "listeners registered" "$ok" "$lt"
	expect_eq "REGISTERs refused by max_listeners_total" "$refused" $((USERNS_N - lt))
	expect_eq "entries in all namespaces" "$entries" "$et"
	[ "$module" -le "$budget" ] ||
		fail "module memory $module KiB above the budget $budget KiB"
	[ $((r_memcg - R_MEMCG)) -ge "$memcg_min" ] ||
		fail "memcg charged $((r_memcg - R_MEMCG)) KiB of per-CPU memory for $lt listeners, want >= $memcg_min"
}

# A listener closes while flushes of a large table run; an unprivileged
# process takes its port id at once. It must not get a single EVENT.
test_portid_reuse() {
	local pa pb gp portid out mac i n scale=${NLICMP_VM_TIMEOUT_SCALE:-1}
	[ -n "${FLOOD:-}" ] && [ -x "$FLOOD" ] || fail "icmpflood not built"
	load max_entries=65536 idle_ms=600000 || fail "insmod failed"
	topo_up
	listen_bg "" /tmp/pa.out
	pa=$LPID
	wait_listeners 1 || fail "listener A did not register"
	portid=$("$CTL" stats | awk '$1 == "listener" { print $2; exit }')
	[ -n "$portid" ] || fail "no port id for listener A"
	listen_bg "" /dev/null
	pb=$LPID
	wait_listeners 2 || fail "listener B did not register"
	mac=$(cat /sys/class/net/h1/address)
	ip netns exec nlsrc1 "$FLOOD" -q -i eth0 -m "$mac" -d "${host6[1]}" \
		-n 1000000 -r -c 200000 -t 30 >/tmp/pr-flood.out 2>&1 &
	track $!
	# Until the table is large and every flush sends many events (a debug
	# kernel floods several times slower, and closes a socket slower).
	# (A deadline, not a count of tries: on the debug kernel one stats
	# request takes seconds.)
	i=$((SECONDS + 20 * scale))
	while [ "$SECONDS" -lt "$i" ]; do
		n=$(stat entries)
		[ "$n" -ge 8000 ] 2>/dev/null && break
		sleep 0.2
	done
	# Else no flush is long and nothing would be tested.
	[ "$n" -ge 1000 ] 2>/dev/null ||
		fail "the table did not grow: '$n' entries when listener A was to be killed (flood: $(tr '\n' ' ' </tmp/pr-flood.out))"
	"${NOBODY[@]}" "$TOOL" grab "$portid" $((4 * scale)) >/tmp/grab.out 2>&1 &
	gp=$!
	track $gp
	for i in $(seq 100); do
		grep -q '^grab trying' /tmp/grab.out && break
		sleep 0.1
	done
	# Else the port id was free before: nothing would be tested.
	kill -0 "$pa" 2>/dev/null ||
		fail "listener A exited by itself: $(tail -n 3 /tmp/pa.out.err)"
	kill -KILL "$pa"
	wait "$pa" "$gp" 2>/dev/null
	out=$(grep '^grab portid' /tmp/grab.out)
	log "listener A (port id $portid) killed at $(stat entries) entries, $(stat flushes) flushes; $out"
	echo "$out" | grep -q " bound yes " || fail "port id never free: $out"
	echo "$out" | grep -q " tries 1 " && fail "port id free before A was killed: $out"
	echo "$out" | grep -q " events 0$" || fail "another socket got A's events: $out"
	listen_stop "$pb"
}

# UNREGISTER long before the next periodic flush: the leaver still gets
# what it was sent for (a final flush).
test_unregister_final_flush() {
	local got
	FLUSH_MS=60000 load || fail "insmod failed"
	listen_bg "" /tmp/uf.out
	wait_listeners 1 || fail "listener did not register"
	ping -q -c 3 -i 0.05 127.0.0.1 >/dev/null || fail "ping lo"
	listen_stop "$LPID"
	got=$(awk '/^ipv4 127.0.0.1 > 127.0.0.1 echo_request / {
		for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1)
	} END { print s + 0 }' /tmp/uf.out)
	expect_eq "echo requests received before UNREGISTER completed" "$got" 3
}
