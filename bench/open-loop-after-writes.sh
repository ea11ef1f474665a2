#!/usr/bin/env bash
# Why a node answers an open loop worse right after serving writes: one KVStore node (durable
# RocksDB, default config), driven by kvload, in phases on the same node:
#   fresh    open-loop GET at RATE (the keys preloaded by kvload)
#   writes   closed-loop PUT at window 32 for WRITE_SECONDS (what bench/run-vs-memcached.sh runs
#            before its open loop)
#   after    open-loop GET at RATE, at once
#   later    open-loop GET at RATE again, after PAUSE seconds of idleness
# with a GC log (-Xlog:gc) and RocksDB's own LOG (flushes, compactions, stalls) kept in OUT_DIR, so
# that a phase's tail can be laid beside what the JVM and RocksDB did meanwhile, and the node's CPU
# per request in each phase, by thread (from /proc: under other load a latency moves with the
# machine, the CPU a request costs much less). With PROFILE=1 async-profiler (as in
# bench/profile-node.sh) is attached for each open-loop phase alone (jcmd JVMTI.agent_load):
# OUT_DIR/profile-ROUND-PHASE.collapsed and .svg. ROUNDS repeats the sequence on a new node each time.
#
# Settings (environment variables): RATE=50000  WRITE_SECONDS=30  PAUSE=20  DURATION=5  WARMUP=1
#   ROUNDS=1  PROFILE=0  NODE_ARGS="" (extra ./kvstore node arguments)  OUT_DIR=<new temp dir>
#   KVSTORE=<launcher>
# Output: one JSON line per phase in OUT_DIR/results.jsonl (nodeCpuMicrosPerRequest, and by
# thread name in nodeThreadCpuMicrosPerRequest), a table on stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KVSTORE=${KVSTORE:-$ROOT/kvstore}
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

RATE=${RATE:-50000}
WRITE_SECONDS=${WRITE_SECONDS:-30}
PAUSE=${PAUSE:-20}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
ROUNDS=${ROUNDS:-1}
PROFILE=${PROFILE:-0}
NODE_ARGS=${NODE_ARGS:-}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-after-writes.XXXXXX")}
mkdir -p "$OUT_DIR"
KVLOAD="$OUT_DIR/kvload"
RESULTS="$OUT_DIR/results.jsonl"
bench_traps

compile_kvload "$KVLOAD"
build_kvstore_once
if [ "$PROFILE" = 1 ]; then
  jar="$HOME/.m2/repository/tools/profiler/async-profiler/3.0/async-profiler-3.0.jar"
  [ -f "$jar" ] || die "no $jar: run bench/profile-node.sh once (it fetches async-profiler)"
  (cd "$OUT_DIR" && unzip -o -q "$jar" linux-x64/libasyncProfiler.so) || die "no library in $jar"
  PROFILER_LIB="$OUT_DIR/linux-x64/libasyncProfiler.so"
fi

# CPU ticks (user + system) of each thread of a process, "name ticks" per line, summed by name
# (the name is the thread's comm, up to 15 characters; digits dropped so that pools add up).
thread_ticks() {
  local stat
  for stat in /proc/"$1"/task/*/stat; do
    # comm may hold spaces: it is the text between the first "(" and the last ")"
    sed -E 's/^[0-9]+ \((.*)\) (.*)$/\1\t\2/' "$stat" 2>/dev/null
  done | awk -F'\t' '{ split($2, f, " "); name = $1; gsub(/[0-9]+/, "", name); gsub(/ /, "_", name);
                       t[name] += f[12] + f[13] } END { for (n in t) print n, t[n] }'
}

# JSON {name: microseconds per request} from two thread_ticks snapshots and a request count.
ticks_per_request() {
  local before=$1 after=$2 requests=$3 hz
  hz=$(getconf CLK_TCK)
  awk -v hz="$hz" -v n="$requests" 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1];
      if (d > 0) { printf "%s%s", sep, "\"" $1 "\":" sprintf("%.2f", d * 1e6 / hz / n); sep = "," } }
      BEGIN { printf "{" } END { print "}" }' "$before" "$after"
}

phase() {
  local round=$1 name=$2 port=$3 seconds json requests threads profiling=0
  shift 3
  log "round $round: $name $*"
  seconds=$((WARMUP + DURATION))
  [ "$name" = writes ] && seconds=$((WRITE_SECONDS + 1))
  if [ "$PROFILE" = 1 ] && [ "$name" != writes ]; then
    profiling=1
    # The options in single quotes: jcmd would read "a=b" as a named argument of its own.
    timeout 30 jcmd "$node_pid" JVMTI.agent_load "$PROFILER_LIB" \
      "'start,event=cpu,interval=1000000,threads'" | grep -q 'return code: 0' \
      || die "could not attach async-profiler"
  fi
  thread_ticks "$node_pid" >"$OUT_DIR/ticks-before"
  run_bounded $((seconds + 60)) "$OUT_DIR/run.json" "$OUT_DIR/kvload.log" \
    "$KVLOAD" --port "$port" --keys 10000 --value-size 100 "$@" || die "kvload failed; see $OUT_DIR/kvload.log"
  thread_ticks "$node_pid" >"$OUT_DIR/ticks-after"
  if [ "$profiling" = 1 ]; then
    local collapsed="$OUT_DIR/profile-$round-$name.collapsed"
    timeout 30 jcmd "$node_pid" JVMTI.agent_load "$PROFILER_LIB" "'stop,collapsed,file=$collapsed'" \
      | grep -q 'return code: 0' || die "could not stop async-profiler"
    python3 "$ROOT/bench/profile/jfr-flame.py" --from-collapsed \
      --title "KVStore node, open-loop GET at $RATE/s, phase $name, $(git -C "$ROOT" rev-parse --short HEAD)" \
      "$collapsed" >"$OUT_DIR/profile-$round-$name.svg"
  fi
  json=$(grep '^{' "$OUT_DIR/run.json" | tail -n 1)
  # Requests of the whole kvload run (warm-up included, as in the ticks; the preload of 10,000
  # keys left out), at the measured rate.
  requests=$(jq --argjson s "$seconds" '.opsPerSecond * $s | floor' <<<"$json")
  threads=$(ticks_per_request "$OUT_DIR/ticks-before" "$OUT_DIR/ticks-after" "$requests")
  jq -c --arg phase "$name" --argjson round "$round" --arg load "$(cut -d' ' -f1 /proc/loadavg)" \
    --arg utc "$(date -u +%H:%M:%S)" --argjson threads "$threads" \
    '{round: $round, phase: $phase, utc: $utc, loadAverage: ($load | tonumber),
      nodeCpuMicrosPerRequest: ([$threads[]] | add), nodeThreadCpuMicrosPerRequest: $threads} + .' \
    <<<"$json" >>"$RESULTS"
}

: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  free_port port
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-after-writes-data.XXXXXX")
  DATA_DIRS+=("$data_dir")
  # shellcheck disable=SC2086
  KVSTORE_JAVA_OPTS="-Xlog:gc*:file=$OUT_DIR/gc-$round.log:uptime,level,tags" \
    "$KVSTORE" node --port "$port" --data-dir "$data_dir" $NODE_ARGS >"$OUT_DIR/node-$round.log" 2>&1 &
  node_pid=$!
  STARTED_PIDS+=("$node_pid")
  await_node_alive "$node_pid" "$port" "$OUT_DIR/node-$round.log" 60
  open=(--workload get --window 1024 --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP")
  phase "$round" fresh "$port" "${open[@]}"
  phase "$round" writes "$port" --workload put --window 32 --duration "$WRITE_SECONDS" --warmup 1
  phase "$round" after "$port" "${open[@]}"
  sleep "$PAUSE"
  phase "$round" later "$port" "${open[@]}"
  stop_pid "$node_pid"
  find "$data_dir" -maxdepth 2 -name LOG -exec cp {} "$OUT_DIR/rocksdb-LOG-$round" \; || true
done

jq -r '[.round, .phase, .utc, .opsPerSecond, .latencyMicros.p50, .latencyMicros.p99,
        .latencyMicros.p999, .timeouts, (.sendLagMicros.p99 // "-"), (.nodeCpuMicrosPerRequest * 100 | round / 100),
        (.nodeThreadCpuMicrosPerRequest | to_entries | sort_by(-.value) | .[:3] | map("\(.key)=\(.value)") | join(",")),
        .loadAverage] | @tsv' "$RESULTS" |
  (printf 'round\tphase\tutc\tops/s\tp50_us\tp99_us\tp999_us\ttimeouts\tlag_p99_us\tnode_us/req\ttop threads (us/req)\tload\n'; cat) |
  column -t -s $'\t'
log "results in $OUT_DIR"
