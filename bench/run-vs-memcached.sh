#!/usr/bin/env bash
# Measures a KVStore node against memcached on this machine with the native load generator
# (bench/loadgen/kvload.c, compiled here on demand), which costs the machine far less per request
# than the JVM one, so that the servers rather than the client set the figures.
#
# For each placement (unpinned: the scheduler decides; pinned: generator on core 0, both servers
# on core 1, with taskset), it starts memcached (-U PORT -t 2, UDP only, loopback) and a KVStore
# node (durable RocksDB, default config), then alternates the two on the same workload, round by
# round: GET and PUT, window 32 and window 1, then open-loop GET runs at fractions (default a
# quarter, a half, three quarters) of memcached's median window-32 GET rate (latency from the
# scheduled send times). Medians over the rounds. At the end bench/plot-vs-memcached.sh draws
# OUT_DIR/vs-memcached-PLACEMENT.svg (throughput, latency vs offered rate) unless PLOT=0.
# With JVM_WINDOW1=1 (default) the unpinned window-1 GET rounds also run the JVM generator
# (./kvstore bench --window 1 --sockets 1) against both servers, right after the native runs.
#
# Settings (environment variables):
#   ROUNDS=3  DURATION=5  WARMUP=1 (seconds)  VALUE_SIZE=100  KEYS=10000  THREADS=1
#   WINDOWS="32 1"  WORKLOADS="get put"  PLACEMENTS="unpinned pinned"  OPEN_LOOP=1  JVM_WINDOW1=1
#   OPEN_LOOP_FRACTIONS="0.25 0.5 0.75"  PLOT=1
#   ENGINE=rocksdb|memory  OUT_DIR=<new temp dir>  KVSTORE=<launcher, default ./kvstore>
#   NODE_ARGS="<more node options>", e.g. "--busy-poll --io-threads 1"
# Quick look: ROUNDS=1 DURATION=2 PLACEMENTS=unpinned JVM_WINDOW1=0 bench/run-vs-memcached.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KVSTORE=${KVSTORE:-$ROOT/kvstore}
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
VALUE_SIZE=${VALUE_SIZE:-100}
KEYS=${KEYS:-10000}
THREADS=${THREADS:-1}
WINDOWS=${WINDOWS:-32 1}
WORKLOADS=${WORKLOADS:-get put}
PLACEMENTS=${PLACEMENTS:-unpinned pinned}
OPEN_LOOP=${OPEN_LOOP:-1}
JVM_WINDOW1=${JVM_WINDOW1:-1}
OPEN_LOOP_FRACTIONS=${OPEN_LOOP_FRACTIONS:-0.25 0.5 0.75}
PLOT=${PLOT:-1}
ENGINE=${ENGINE:-rocksdb}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-vs-memcached.XXXXXX")}
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results.jsonl"
KVLOAD="$OUT_DIR/kvload"

# Every run is bounded: warm-up, duration, a preload of the keys and (JVM) start-up.
RUN_TIMEOUT=$((WARMUP + DURATION + 60))
STARTUP_TIMEOUT=60
BUILD_TIMEOUT=900

bench_traps

install_missing_tools() {
  local missing=()
  command -v memcached >/dev/null 2>&1 || missing+=(memcached)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "please install ${missing[*]} (no apt-get here)"
  [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root: apt-get install -y ${missing[*]}"
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 600 apt-get install -y "${missing[@]}" >"$OUT_DIR/apt.log" 2>&1; then
    timeout 600 apt-get update >>"$OUT_DIR/apt.log" 2>&1 || true
    timeout 600 apt-get install -y "${missing[@]}" >>"$OUT_DIR/apt.log" 2>&1 \
      || die "could not install ${missing[*]}; see $OUT_DIR/apt.log"
  fi
}

build_generator() {
  compile_kvload "$KVLOAD" "$OUT_DIR/kvload-build.log"
  "$KVLOAD" --selftest >&2 || die "kvload's self-check failed"
}

# Command prefixes of the current placement.
SERVER_CPU=()
CLIENT_CPU=()
set_placement() {
  if [ "$1" = pinned ]; then
    [ "$(nproc)" -ge 2 ] || die "pinning needs 2 cores"
    SERVER_CPU=(taskset -c 1)
    CLIENT_CPU=(taskset -c 0)
  else
    SERVER_CPU=()
    CLIENT_CPU=()
  fi
}

start_memcached() {
  free_port MEMCACHED_PORT
  local as_user=()
  [ "$(id -u)" -eq 0 ] && as_user=(-u nobody) # memcached refuses to run as root
  "${SERVER_CPU[@]}" memcached -U "$MEMCACHED_PORT" -p 0 -l 127.0.0.1 -t 2 -m 256 "${as_user[@]}" \
    >"$OUT_DIR/memcached-$PLACEMENT.log" 2>&1 &
  MEMCACHED_PID=$!
  STARTED_PIDS+=("$MEMCACHED_PID")
  sleep 0.5
  kill -0 "$MEMCACHED_PID" 2>/dev/null || die "memcached did not start; see $OUT_DIR/memcached-$PLACEMENT.log"
  log "memcached $(memcached -V | cut -d' ' -f2) on udp 127.0.0.1:$MEMCACHED_PORT (pid $MEMCACHED_PID, $PLACEMENT)"
}

start_node() {
  free_port KVSTORE_PORT
  local args=(node --port "$KVSTORE_PORT")
  if [ "$ENGINE" = memory ]; then
    args+=(--memory)
  else
    local data_dir
    data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-bench-data.XXXXXX")
    DATA_DIRS+=("$data_dir")
    args+=(--data-dir "$data_dir")
  fi
  # shellcheck disable=SC2206 # NODE_ARGS is a list of options, split on purpose
  args+=(${NODE_ARGS:-})
  "${SERVER_CPU[@]}" "$KVSTORE" "${args[@]}" >"$OUT_DIR/node-$PLACEMENT.log" 2>&1 &
  NODE_PID=$!
  STARTED_PIDS+=("$NODE_PID")
  await_node_alive "$NODE_PID" "$KVSTORE_PORT" "$OUT_DIR/node-$PLACEMENT.log" "$STARTUP_TIMEOUT"
  log "kvstore node ($ENGINE) on udp 127.0.0.1:$KVSTORE_PORT (pid $NODE_PID, $PLACEMENT)"
}

# Datagrams the kernel dropped for a full socket receive buffer, machine-wide (/proc/net/snmp).
udp_rcvbuf_errors() {
  awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 }
                 else print $c }' /proc/net/snmp
}

# Appends one labelled JSON line to the results; RUN_DROPS_FROM is udp_rcvbuf_errors before it.
record() {
  local system=$1 generator=$2 round=$3 json=$4 drops
  drops=$(($(udp_rcvbuf_errors) - RUN_DROPS_FROM))
  jq -c --arg system "$system" --arg generator "$generator" --arg placement "$PLACEMENT" \
    --argjson round "$round" --arg load "$(cut -d' ' -f1 /proc/loadavg)" --argjson drops "$drops" \
    '{system: $system, generator: $generator, placement: $placement, round: $round,
      loadAverage: ($load | tonumber), machineUdpRcvbufDrops: $drops} + .' <<<"$json" >>"$RESULTS"
}

# One native run: system, workload, window, round, and optional extra kvload arguments.
native() {
  local system=$1 workload=$2 window=$3 round=$4 port protocol json
  shift 4
  if [ "$system" = memcached ]; then port=$MEMCACHED_PORT protocol=memcached
  else port=$KVSTORE_PORT protocol=kvstore; fi
  log "$PLACEMENT $system $workload window $window $* (round $round)"
  RUN_DROPS_FROM=$(udp_rcvbuf_errors)
  run_bounded "$RUN_TIMEOUT" "$OUT_DIR/run.json" "$OUT_DIR/kvload.log" \
    "${CLIENT_CPU[@]}" "$KVLOAD" --protocol "$protocol" --port "$port" --workload "$workload" \
    --value-size "$VALUE_SIZE" --keys "$KEYS" --window "$window" --threads "$THREADS" \
    --duration "$DURATION" --warmup "$WARMUP" "$@" \
    || die "kvload against $system failed; see $OUT_DIR/kvload.log"
  json=$(grep '^{' "$OUT_DIR/run.json" | tail -n 1)
  record "$system" kvload "$round" "$json"
}

# One JVM-generator run at window 1 over one socket (how BENCHMARKS.md measured window 1 before).
jvm_window1() {
  local system=$1 round=$2 port protocol json
  if [ "$system" = memcached ]; then port=$MEMCACHED_PORT protocol=memcached
  else port=$KVSTORE_PORT protocol=kvstore; fi
  log "$PLACEMENT $system get window 1, JVM generator (round $round)"
  RUN_DROPS_FROM=$(udp_rcvbuf_errors)
  run_bounded "$RUN_TIMEOUT" "$OUT_DIR/run.json" "$OUT_DIR/jvm-bench.log" \
    "${CLIENT_CPU[@]}" "$KVSTORE" bench --json --node "127.0.0.1:$port" --protocol "$protocol" \
    --workload get --value-size "$VALUE_SIZE" --keys "$KEYS" --window 1 --sockets 1 \
    --duration "${DURATION}s" --warmup "${WARMUP}s" \
    || die "the JVM generator against $system failed; see $OUT_DIR/jvm-bench.log"
  json=$(grep '^{' "$OUT_DIR/run.json" | tail -n 1)
  record "$system" jvm "$round" "$json"
}

median_memcached_get32() {
  jq -s --arg p "$PLACEMENT" '[.[] | select(.placement == $p and .system == "memcached"
      and .generator == "kvload" and .mode == "closed" and .workload == "get" and .window == 32)
      | .opsPerSecond] | sort | if length == 0 then 0 else .[length / 2 | floor] end' "$RESULTS"
}

run_placement() {
  set_placement "$PLACEMENT"
  start_memcached
  start_node
  local workload window round rate peak fraction
  for workload in $WORKLOADS; do
    for window in $WINDOWS; do
      for round in $(seq 1 "$ROUNDS"); do
        native memcached "$workload" "$window" "$round"
        native kvstore "$workload" "$window" "$round"
        if [ "$JVM_WINDOW1" = 1 ] && [ "$PLACEMENT" = unpinned ] && [ "$workload" = get ] \
          && [ "$window" = 1 ]; then
          jvm_window1 memcached "$round"
          jvm_window1 kvstore "$round"
        fi
      done
    done
  done
  if [ "$OPEN_LOOP" = 1 ]; then
    peak=$(median_memcached_get32)
    for fraction in $OPEN_LOOP_FRACTIONS; do
      rate=$(jq -n --argjson r "$peak" --argjson f "$fraction" '$r * $f | floor')
      [ "$rate" -gt 0 ] || continue
      for round in $(seq 1 "$ROUNDS"); do
        native memcached get 1024 "$round" --rate "$rate"
        native kvstore get 1024 "$round" --rate "$rate"
      done
    done
  fi
  stop_pid "$NODE_PID"
  stop_pid "$MEMCACHED_PID"
}

print_table() {
  jq -s -r '
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def r(d): if . == null then "-" else (. * d | round / d | tostring) end;
    map(. + {run: (if .mode == "open" then "open@\(.targetRate)" else "w\(.window)" end)})
    | group_by([.placement, .workload, .run, .generator]) | .[] |
    (map(select(.system == "memcached")) as $m |
     {ops: ($m | map(.opsPerSecond) | median), p50: ($m | map(.latencyMicros.p50) | median),
      p99: ($m | map(.latencyMicros.p99) | median)}) as $base |
    group_by(.system) | sort_by(.[0].system != "memcached") | .[] |
    (map(.opsPerSecond) | median) as $ops |
    (map(.latencyMicros.p50) | median) as $p50 |
    (map(.latencyMicros.p99) | median) as $p99 |
    [ .[0].placement, .[0].workload, .[0].run, .[0].generator, .[0].system, (length | tostring),
      ($ops | r(1)), ($p50 | r(10)), ($p99 | r(10)),
      (map(.latencyMicros.p999) | median | r(10)),
      (if $base.ops > 0 then ($ops / $base.ops) | r(100) else "-" end),
      (if $base.p50 > 0 then ($p50 / $base.p50) | r(100) else "-" end),
      (if $base.p99 > 0 then ($p99 / $base.p99) | r(100) else "-" end),
      (map(.timeouts) | add | tostring),
      (map(.clientCpuMicrosPerRequest // null) | median | r(100)),
      (map(.loadAverage) | median | r(10)) ] | @tsv' "$RESULTS" |
    (printf 'placement\tworkload\trun\tgenerator\tsystem\truns\tops/s\tp50_us\tp99_us\tp999_us\tops_x\tp50_x\tp99_x\ttimeouts\tclient_us/req\tload\n'; cat) |
    column -t -s $'\t'
}

main() {
  install_missing_tools
  [ -x "$KVSTORE" ] || die "$KVSTORE not found; run from a KVStore checkout"
  build_generator
  log "building KVStore if needed"
  timeout "$BUILD_TIMEOUT" "$KVSTORE" --help >/dev/null || die "building KVStore failed"
  export KVSTORE_SKIP_BUILD=1 # built once: no rebuild under a running benchmark
  : >"$RESULTS"
  for PLACEMENT in $PLACEMENTS; do
    run_placement
  done
  echo
  echo "KVStore ($ENGINE) vs memcached (-t 2, UDP): ${VALUE_SIZE}-byte values, $KEYS keys," \
    "kvload with $THREADS thread(s), ${DURATION}s measured after ${WARMUP}s warm-up; medians of" \
    "$ROUNDS alternating rounds; _x columns: KVStore / memcached (ops: higher is better)"
  print_table | tee "$OUT_DIR/table.txt"
  if [ "$PLOT" = 1 ]; then
    echo
    "$ROOT/bench/plot-vs-memcached.sh" "$RESULTS" "$OUT_DIR/vs-memcached" || log "plotting failed"
  fi
  echo
  echo "raw results (one JSON line per run): $RESULTS"
  echo "logs: $OUT_DIR"
}

main "$@"
