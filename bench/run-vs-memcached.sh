#!/usr/bin/env bash
# Measures KVStore against memcached on this machine with the same load generator
# (./kvstore bench speaks both protocols) and the same closed-loop workloads, alternating
# the two systems so that drifts in machine load hit both alike.
#
# Runs, for each KVStore engine (in-memory, then RocksDB in a temporary data dir):
#   for GET and PUT, at window 32 and window 1: memcached, kvstore, memcached, kvstore, ...
# then prints a table of median throughput, p50 and p99, and the kvstore/memcached ratio.
#
# Settings (environment variables):
#   ROUNDS=2  DURATION=10s  WARMUP=3s  VALUE_SIZE=100  KEYS=10000  SOCKETS=4
#   WINDOWS="32 1"  WORKLOADS="get put"  ENGINES="memory rocksdb"
#   MEMCACHED_PORT=11311  KVSTORE_PORT=4100  OUT_DIR=<new temp dir>
# Example, a quick look: ROUNDS=1 DURATION=3s WARMUP=1s ENGINES=memory bench/run-vs-memcached.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KVSTORE="$ROOT/kvstore"
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
VALUE_SIZE=${VALUE_SIZE:-100}
KEYS=${KEYS:-10000}
SOCKETS=${SOCKETS:-4}
WINDOWS=${WINDOWS:-32 1}
WORKLOADS=${WORKLOADS:-get put}
ENGINES=${ENGINES:-memory rocksdb}
MEMCACHED_PORT=${MEMCACHED_PORT:-11311}
KVSTORE_PORT=${KVSTORE_PORT:-4100}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-vs-memcached.XXXXXX")}
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results.jsonl"

# Generous bounds: a bench run may take its warm-up, duration, preload and JVM start.
BENCH_TIMEOUT=$(($(seconds_of "$WARMUP") + $(seconds_of "$DURATION") + 120))
STARTUP_TIMEOUT=60
BUILD_TIMEOUT=900

bench_traps

install_missing_tools() {
  local missing=()
  command -v memcached >/dev/null 2>&1 || missing+=(memcached)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "please install ${missing[*]} (no apt-get here)"
  local root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 \
      || die "installing ${missing[*]} needs root: run 'apt-get install -y ${missing[*]}' as root"
    root=(sudo)
  fi
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 600 "${root[@]}" apt-get install -y "${missing[@]}" >"$OUT_DIR/apt.log" 2>&1; then
    timeout 600 "${root[@]}" apt-get update >>"$OUT_DIR/apt.log" 2>&1 || true
    timeout 600 "${root[@]}" apt-get install -y "${missing[@]}" >>"$OUT_DIR/apt.log" 2>&1 \
      || die "could not install ${missing[*]}; see $OUT_DIR/apt.log"
  fi
}

start_memcached() {
  port_in_use "$MEMCACHED_PORT" && die "UDP port $MEMCACHED_PORT is taken; set MEMCACHED_PORT"
  # UDP only (-p 0 turns TCP off), loopback only, 2 worker threads, 256 MB of items.
  local as_user=()
  [ "$(id -u)" -eq 0 ] && as_user=(-u nobody) # memcached refuses to run as root
  memcached -U "$MEMCACHED_PORT" -p 0 -l 127.0.0.1 -t 2 -m 256 "${as_user[@]}" \
    >"$OUT_DIR/memcached.log" 2>&1 &
  MEMCACHED_PID=$!
  STARTED_PIDS+=("$MEMCACHED_PID")
  sleep 0.5
  kill -0 "$MEMCACHED_PID" 2>/dev/null || die "memcached did not start; see $OUT_DIR/memcached.log"
  log "memcached $(memcached -V | cut -d' ' -f2) on udp 127.0.0.1:$MEMCACHED_PORT (pid $MEMCACHED_PID)"
}

# Starts a node with the given engine and waits until it answers.
start_node() {
  local engine=$1 args=(node --port "$KVSTORE_PORT")
  port_in_use "$KVSTORE_PORT" && die "UDP port $KVSTORE_PORT is taken; set KVSTORE_PORT"
  if [ "$engine" = memory ]; then
    args+=(--memory)
  else
    local data_dir
    data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-bench-data.XXXXXX")
    DATA_DIRS+=("$data_dir")
    args+=(--data-dir "$data_dir")
  fi
  "$KVSTORE" "${args[@]}" >"$OUT_DIR/node-$engine.log" 2>&1 &
  NODE_PID=$!
  STARTED_PIDS+=("$NODE_PID")
  local deadline=$((SECONDS + STARTUP_TIMEOUT))
  until "$KVSTORE" is-alive --node "127.0.0.1:$KVSTORE_PORT" >/dev/null 2>&1; do
    kill -0 "$NODE_PID" 2>/dev/null || die "the $engine node exited; see $OUT_DIR/node-$engine.log"
    [ $SECONDS -lt $deadline ] || die "the $engine node did not answer within ${STARTUP_TIMEOUT}s"
    sleep 0.5
  done
  log "kvstore node ($engine engine) on udp 127.0.0.1:$KVSTORE_PORT (pid $NODE_PID)"
}

stop_node() {
  stop_pid "$NODE_PID"
}

# Runs one measurement and appends its JSON line, labelled with the system, to the results.
bench() {
  local system=$1 protocol=$2 port=$3 workload=$4 window=$5 round=$6 json
  log "$system $workload window $window (round $round)"
  json=$(timeout "$BENCH_TIMEOUT" "$KVSTORE" bench --json \
    --node "127.0.0.1:$port" --protocol "$protocol" --workload "$workload" \
    --value-size "$VALUE_SIZE" --keys "$KEYS" --window "$window" --sockets "$SOCKETS" \
    --duration "$DURATION" --warmup "$WARMUP" 2>>"$OUT_DIR/bench.log" | grep '^{' | tail -n 1) \
    || die "bench against $system failed; see $OUT_DIR/bench.log"
  jq -c --arg system "$system" --argjson round "$round" '{system: $system, round: $round} + .' \
    <<<"$json" >>"$RESULTS"
}

print_table() {
  jq -s -r '
    def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    group_by([.workload, .window]) | .[] |
    (map(select(.system == "memcached") | .opsPerSecond) | median) as $base |
    group_by(.system) | .[] |
    [ .[0].workload, (.[0].window | tostring), .[0].system, (length | tostring),
      (map(.opsPerSecond) | median | floor | tostring),
      (map(.latencyMicros.p50) | median | floor | tostring),
      (map(.latencyMicros.p99) | median | floor | tostring),
      (if $base then ((map(.opsPerSecond) | median) / $base * 100 | round / 100 | tostring)
       else "-" end),
      (map(.timeouts) | add | tostring) ] | @tsv' "$RESULTS" |
    (printf 'workload\twindow\tsystem\truns\tops/s\tp50_us\tp99_us\tvs_memcached\ttimeouts\n'; cat) |
    column -t -s $'\t'
}

main() {
  install_missing_tools
  [ -x "$KVSTORE" ] || die "$KVSTORE not found; run from a KVStore checkout"
  log "building KVStore if needed"
  timeout "$BUILD_TIMEOUT" "$KVSTORE" --help >/dev/null || die "building KVStore failed"
  # Built once: an edit during the run must not rebuild the jar under a running benchmark.
  export KVSTORE_SKIP_BUILD=1
  : >"$RESULTS"

  start_memcached
  local engine workload window round
  for engine in $ENGINES; do
    start_node "$engine"
    for workload in $WORKLOADS; do
      for window in $WINDOWS; do
        for round in $(seq 1 "$ROUNDS"); do
          bench memcached memcached "$MEMCACHED_PORT" "$workload" "$window" "$round"
          bench "kvstore-$engine" kvstore "$KVSTORE_PORT" "$workload" "$window" "$round"
        done
      done
    done
    stop_node
  done

  echo
  echo "KVStore vs memcached: ${VALUE_SIZE}-byte values, $KEYS keys, $SOCKETS sockets," \
    "${DURATION} measured after ${WARMUP} warm-up; medians over runs"
  print_table
  echo
  echo "raw results (one JSON line per run): $RESULTS"
  echo "logs: $OUT_DIR"
}

main "$@"
