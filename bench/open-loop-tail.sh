#!/usr/bin/env bash
# Where an open loop's tail comes from: one KVStore node (durable RocksDB, the launcher's JVM
# options) under an open-loop GET at RATE, its JVM logging every safepoint and GC with the
# timenanos decoration (System.nanoTime: CLOCK_MONOTONIC, kvload's clock), kvload writing every
# measured request slower than SLOW_US to a slow log; bench/profile/open-loop-tail.py then counts
# how many of the p99 and p99.9 requests were in flight during a safepoint. The node's CPU per
# request by thread comes from /proc, its system calls per request from perf stat (if perf works),
# which gives the requests per wake-up (per epoll_wait) and per recvmmsg.
#
# Two variants alternate (A B A B ...), each run on a new node after a warm-up run of WARMUP_RUN
# seconds (JIT): A_KVSTORE/B_KVSTORE (launchers), A_JAVA_OPTS/B_JAVA_OPTS (added to the launcher's
# defaults), A_NODE_ARGS/B_NODE_ARGS. VARIANTS=A runs A alone. MEMCACHED=1 adds a memcached -t 2
# run per round (/usr/bin/memcached on a free loopback port, ended by pid).
#
# ALLOC_PROFILE=1 attaches async-profiler 3.0 (event=alloc, fetched as bench/profile-node.sh does)
# to each node for kvload's measured seconds only (jcmd JVMTI.agent_load after its warm-up, stopped
# when it ends; the options quoted, as jcmd splits them at '=' otherwise): OUT_DIR/alloc-VARIANT-ROUND.collapsed (stacks with thread names, count last), its
# event loops' sample count in the results (allocSamplesEventLoop; one sample per ~512 KiB allocated).
#
# Settings: RATE=77000 DURATION=5 WARMUP=1 WARMUP_RUN=3 ROUNDS=2 SLOW_US=100 THREADS=1
#   CPU_LIST="" (taskset -c for kvload, e.g. 0; the node unpinned)  OUT_DIR=<new temp dir>
# Output: OUT_DIR/results.jsonl (kvload's JSON + variant, round, load, node CPU by thread, system
# calls per request, young collections in the measured seconds), a table and the analysis of each
# run on stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

RATE=${RATE:-77000}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
WARMUP_RUN=${WARMUP_RUN:-3}
ROUNDS=${ROUNDS:-2}
SLOW_US=${SLOW_US:-100}
THREADS=${THREADS:-1}
VARIANTS=${VARIANTS:-A B}
MEMCACHED=${MEMCACHED:-0}
ALLOC_PROFILE=${ALLOC_PROFILE:-0}
CPU_LIST=${CPU_LIST:-}
A_KVSTORE=${A_KVSTORE:-$ROOT/kvstore}
B_KVSTORE=${B_KVSTORE:-$ROOT/kvstore}
A_JAVA_OPTS=${A_JAVA_OPTS:-}
B_JAVA_OPTS=${B_JAVA_OPTS:-}
A_NODE_ARGS=${A_NODE_ARGS:-}
B_NODE_ARGS=${B_NODE_ARGS:-}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-open-loop-tail.XXXXXX")}
mkdir -p "$OUT_DIR"
KVLOAD="$OUT_DIR/kvload"
RESULTS="$OUT_DIR/results.jsonl"
KVSTORE=$A_KVSTORE # await_node_alive's is-alive
export KVSTORE_SKIP_BUILD=1
bench_traps
compile_kvload "$KVLOAD"
CLIENT=("$KVLOAD")
[ -n "$CPU_LIST" ] && CLIENT=(taskset -c "$CPU_LIST" "$KVLOAD")
if [ "$ALLOC_PROFILE" = 1 ]; then
  ASYNC_JAR="$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar"
  if [ ! -f "$ASYNC_JAR" ]; then
    timeout 300 mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:3.0 >&2 \
      || die "could not fetch async-profiler 3.0 from Maven Central"
  fi
  (cd "$OUT_DIR" && unzip -o -q "$ASYNC_JAR" linux-x64/libasyncProfiler.so) || die "no linux-x64 library in $ASYNC_JAR"
  ASYNC_LIBRARY="$OUT_DIR/linux-x64/libasyncProfiler.so"
fi
PERF=0
perf stat -e 'syscalls:sys_enter_recvmmsg' -x, true >/dev/null 2>&1 && PERF=1

# CPU ticks of each thread of a process, "name ticks", summed by name (digits dropped).
thread_ticks() {
  local stat
  for stat in /proc/"$1"/task/*/stat; do
    sed -E 's/^[0-9]+ \((.*)\) (.*)$/\1\t\2/' "$stat" 2>/dev/null
  done | awk -F'\t' '{ split($2, f, " "); name = $1; gsub(/[0-9]+/, "", name); gsub(/ /, "_", name);
                       t[name] += f[12] + f[13] } END { for (n in t) print n, t[n] }'
}
# Run-queue delay (ns, runnable but not running) and involuntary switches of each thread, by name.
thread_waits() {
  local task name
  for task in /proc/"$1"/task/*; do
    name=$(tr -d '0-9' <"$task/comm" 2>/dev/null | tr ' ' _) || continue
    printf '%s %s %s\n' "$name" "$(cut -d' ' -f2 "$task/schedstat" 2>/dev/null || echo 0)" \
      "$(awk '/^nonvoluntary_ctxt_switches/ {print $2}' "$task/status" 2>/dev/null || echo 0)"
  done | awk '{ w[$1] += $2; n[$1] += $3 } END { for (k in w) print k, w[k], n[k] }'
}
waits_json() { # before after seconds: {name: {runQueueMsPerSecond, preemptionsPerSecond}}
  awk -v s="$3" 'NR == FNR { w[$1] = $2; n[$1] = $3; next } { dw = $2 - w[$1]; dn = $3 - n[$1];
      if (dw > 0) { printf "%s\"%s\":{\"runQueueMsPerSecond\":%.2f,\"preemptionsPerSecond\":%.0f}", sep, $1,
        dw / 1e6 / s, dn / s; sep = "," } } BEGIN { printf "{" } END { print "}" }' "$1" "$2"
}
ticks_json() { # before after requests
  awk -v hz="$(getconf CLK_TCK)" -v n="$3" 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1];
      if (d > 0) { printf "%s%s", sep, "\"" $1 "\":" sprintf("%.2f", d * 1e6 / hz / n); sep = "," } }
      BEGIN { printf "{" } END { print "}" }' "$1" "$2"
}

# One measured open-loop run against PORT (server PID, for /proc and perf); appends to RESULTS.
measure() {
  local label=$1 round=$2 port=$3 pid=$4 protocol=$5 base="$OUT_DIR/$1-$2" perf_pid="" json requests
  local seconds=$((WARMUP + DURATION)) threads="{}" calls="{}" waits="{}" profiling="" alloc=null
  thread_ticks "$pid" >"$base.ticks-before"
  thread_waits "$pid" >"$base.waits-before"
  if [ "$PERF" = 1 ]; then
    timeout $((seconds + 30)) perf stat -x, -p "$pid" -o "$base.perf" -e \
      'syscalls:sys_enter_recvmmsg,syscalls:sys_enter_recvmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_write,syscalls:sys_enter_futex' &
    perf_pid=$!
  fi
  if [ "$ALLOC_PROFILE" = 1 ] && [ "$protocol" = kvstore ]; then
    (sleep "$WARMUP"; timeout 30 jcmd "$pid" JVMTI.agent_load "$ASYNC_LIBRARY" \
      '"start,event=alloc,threads"' >"$base.alloc.log" 2>&1) &
    profiling=$!
  fi
  run_bounded $((seconds + 60)) "$base.json" "$base.kvload.log" "${CLIENT[@]}" --protocol "$protocol" \
    --port "$port" --keys 10000 --value-size 100 --workload get --window 1024 --threads "$THREADS" \
    --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --preload 0 \
    --slow-log "$base.slow" --slow-us "$SLOW_US" || die "kvload failed; see $base.kvload.log"
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
  if [ -n "$profiling" ]; then
    wait "$profiling" || true
    timeout 30 jcmd "$pid" JVMTI.agent_load "$ASYNC_LIBRARY" \
      "\"stop,collapsed,file=$OUT_DIR/alloc-$label-$round.collapsed\"" >>"$base.alloc.log" 2>&1 || true
    alloc=$(awk '/^\[multiThreadIoEventLoopGroup/ { n += $NF } END { print n + 0 }' \
      "$OUT_DIR/alloc-$label-$round.collapsed" 2>/dev/null || echo null)
  fi
  thread_ticks "$pid" >"$base.ticks-after"
  thread_waits "$pid" >"$base.waits-after"
  json=$(grep '^{' "$base.json" | tail -n 1)
  requests=$(jq --argjson s "$seconds" '.opsPerSecond * $s | floor' <<<"$json")
  threads=$(ticks_json "$base.ticks-before" "$base.ticks-after" "$requests")
  waits=$(waits_json "$base.waits-before" "$base.waits-after" "$seconds")
  if [ -s "$base.perf" ]; then
    calls=$(awk -F, -v n="$requests" '$3 ~ /sys_enter/ && $1 + 0 > 0 { sub("syscalls:sys_enter_", "", $3);
      printf "%s\"%s\":%.3f", sep, $3, $1 / n; sep = "," } BEGIN { printf "{" } END { print "}" }' "$base.perf")
  fi
  jq -c --arg variant "$label" --argjson round "$round" --arg load "$(cut -d' ' -f1 /proc/loadavg)" \
    --arg utc "$(date -u +%H:%M:%S)" --argjson alloc "$alloc" --argjson threads "$threads" --argjson calls "$calls" --argjson waits "$waits" \
    '{variant: $variant, round: $round, utc: $utc, loadAverage: ($load | tonumber),
      nodeCpuMicrosPerRequest: ([$threads[]] | add), nodeThreadCpuMicrosPerRequest: $threads,
      syscallsPerRequest: $calls, nodeThreadWaits: $waits, allocSamplesEventLoop: $alloc} + .' <<<"$json" >>"$RESULTS"
}

run_kvstore() {
  local label=$1 round=$2 launcher java_opts node_args port data_dir pid log_file
  launcher=$(eval echo "\$${label}_KVSTORE") java_opts=$(eval echo "\$${label}_JAVA_OPTS")
  node_args=$(eval echo "\$${label}_NODE_ARGS")
  free_port port
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-open-loop-tail-data.XXXXXX")
  DATA_DIRS+=("$data_dir")
  log_file="$OUT_DIR/node-$label-$round.log"
  # shellcheck disable=SC2086
  KVSTORE_JAVA_OPTS="-Xlog:gc*,safepoint:file=$OUT_DIR/jvm-$label-$round.log:timenanos,uptime,level,tags $java_opts" \
    "$launcher" node --port "$port" --data-dir "$data_dir" $node_args >"$log_file" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  await_node_alive "$pid" "$port" "$log_file" 60
  log "round $round: $label warm-up ($WARMUP_RUN s, preload)"
  run_bounded $((WARMUP_RUN + 90)) "$OUT_DIR/warm.json" "$OUT_DIR/warm.log" "${CLIENT[@]}" --port "$port" \
    --keys 10000 --value-size 100 --workload get --window 1024 --rate "$RATE" \
    --duration "$WARMUP_RUN" --warmup 0 || die "warm-up failed; see $OUT_DIR/warm.log"
  log "round $round: $label measured"
  measure "$label" "$round" "$port" "$pid" kvstore
  stop_pid "$pid"
}

run_memcached() {
  local round=$1 port pid
  free_port port
  memcached -U "$port" -p 0 -l 127.0.0.1 -t 2 -m 256 -u "$(id -un)" >"$OUT_DIR/memcached.log" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  sleep 0.5
  run_bounded $((WARMUP_RUN + 90)) "$OUT_DIR/warm.json" "$OUT_DIR/warm.log" "${CLIENT[@]}" \
    --protocol memcached --port "$port" --keys 10000 --value-size 100 --workload get --window 1024 \
    --rate "$RATE" --duration "$WARMUP_RUN" --warmup 0 || die "memcached warm-up failed"
  log "round $round: memcached measured"
  measure memcached "$round" "$port" "$pid" memcached
  stop_pid "$pid"
}

: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for v in $VARIANTS; do run_kvstore "$v" "$round"; done
  if [ "$MEMCACHED" = 1 ]; then run_memcached "$round"; fi
done

jq -r '[.variant, .round, .utc, .opsPerSecond, .latencyMicros.p50, .latencyMicros.p99,
        .latencyMicros.p999, .latencyMicros.max, .timeouts, .sendLagMicros.p99,
        (.nodeCpuMicrosPerRequest * 100 | round / 100),
        (.nodeThreadCpuMicrosPerRequest | to_entries | sort_by(-.value) | .[:3] | map("\(.key)=\(.value)") | join(",")),
        (.syscallsPerRequest | to_entries | map("\(.key)=\(.value)") | join(",")),
        (.nodeThreadWaits | to_entries | sort_by(-.value.runQueueMsPerSecond) | .[:2]
          | map("\(.key)=\(.value.runQueueMsPerSecond)ms/s,\(.value.preemptionsPerSecond)/s") | join(",")),
        .loadAverage] | @tsv' "$RESULTS" |
  (printf 'variant\tround\tutc\tops/s\tp50_us\tp99_us\tp999_us\tmax_us\ttimeouts\tlag_p99\tnode_us/req\ttop threads\tsyscalls/req\trun-queue wait\tload\n'; cat) |
  column -t -s $'\t'
for f in "$OUT_DIR"/*.slow; do
  base=${f%.slow}
  name=$(basename "$base")
  [ -f "$OUT_DIR/jvm-$name.log" ] || continue
  echo "== $name"
  python3 "$ROOT/bench/profile/open-loop-tail.py" "$f" "$OUT_DIR/jvm-$name.log" "$base.json"
done
log "results in $OUT_DIR"
