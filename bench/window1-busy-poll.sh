#!/usr/bin/env bash
# Window 1 (one request outstanding) against memcached and two KVStore nodes, one with the node's
# defaults and one with busy-poll (event loops that spin instead of sleeping in epoll_wait), with
# kvload, alternating round by round. A busy-polling node keeps a core busy even idle, which would
# slow whatever else runs, so each node runs only for its own measurement: started, warmed up,
# measured, stopped, every round (memcached stays up: idle, it costs nothing).
#
# With BEFORE_KVSTORE=<launcher of an older build> a third node, "kvstore-before" (that build,
# default arguments), runs in each round too: a before/after of a change at window 1.
#
# Settings (environment variables): ROUNDS=3  DURATION=5  WARMUP=3 (seconds)  WORKLOAD=get
#   BUSY_ARGS="--busy-poll --io-threads 1"  DEFAULT_ARGS=""  BEFORE_KVSTORE=""  OUT_DIR=<new temp dir>
#   KVSTORE=<launcher>
#   VARIANTS="name=args;name=args" replaces the two nodes by these (each a label and its node
#   arguments), e.g. VARIANTS="spin-0=--idle-spin-us 0;spin-50=--idle-spin-us 50"
# Output: OUT_DIR/results.jsonl (one kvload JSON line per run, labelled), a table of medians.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KVSTORE=${KVSTORE:-$ROOT/kvstore}
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
WORKLOAD=${WORKLOAD:-get}
BUSY_ARGS=${BUSY_ARGS:---busy-poll --io-threads 1}
DEFAULT_ARGS=${DEFAULT_ARGS:-}
VARIANTS=${VARIANTS:-kvstore=$DEFAULT_ARGS;kvstore-busy-poll=$BUSY_ARGS}
BEFORE_KVSTORE=${BEFORE_KVSTORE:-}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-busy-poll.XXXXXX")}
mkdir -p "$OUT_DIR"
KVLOAD="$OUT_DIR/kvload"
RESULTS="$OUT_DIR/results.jsonl"
bench_traps

command -v memcached >/dev/null || die "memcached is needed (bench/run-vs-memcached.sh installs it)"
compile_kvload "$KVLOAD"
build_kvstore_once

measure() {
  local system=$1 protocol=$2 port=$3 round=$4 json
  log "$system $WORKLOAD window 1 (round $round)"
  run_bounded $((WARMUP + DURATION + 60)) "$OUT_DIR/run.json" "$OUT_DIR/kvload.log" \
    "$KVLOAD" --protocol "$protocol" --port "$port" --workload "$WORKLOAD" --window 1 \
    --value-size 100 --keys 10000 --duration "$DURATION" --warmup "$WARMUP" \
    || die "kvload against $system failed; see $OUT_DIR/kvload.log"
  json=$(grep '^{' "$OUT_DIR/run.json" | tail -n 1)
  jq -c --arg system "$system" --argjson round "$round" --arg load "$(cut -d' ' -f1 /proc/loadavg)" \
    --arg utc "$(date -u +%H:%M:%S)" \
    '{system: $system, round: $round, utc: $utc, loadAverage: ($load | tonumber)} + .' <<<"$json" >>"$RESULTS"
}

# Starts a node with the given arguments (and launcher, default KVSTORE), measures it, stops it.
node_round() {
  local system=$1 round=$2 args=$3 launcher=${4:-$KVSTORE} port data_dir pid
  free_port port
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-busy-poll-data.XXXXXX")
  DATA_DIRS+=("$data_dir")
  # shellcheck disable=SC2086
  "$launcher" node --port "$port" --data-dir "$data_dir" $args >"$OUT_DIR/node-$system-$round.log" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  await_node_alive "$pid" "$port" "$OUT_DIR/node-$system-$round.log" 60
  measure "$system" kvstore "$port" "$round"
  stop_pid "$pid"
}

free_port MEMCACHED_PORT
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(-u nobody)
memcached -U "$MEMCACHED_PORT" -p 0 -l 127.0.0.1 -t 2 -m 256 "${as_user[@]}" >"$OUT_DIR/memcached.log" 2>&1 &
MEMCACHED_PID=$!
STARTED_PIDS+=("$MEMCACHED_PID")
sleep 0.5
kill -0 "$MEMCACHED_PID" 2>/dev/null || die "memcached did not start"

: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  measure memcached memcached "$MEMCACHED_PORT" "$round"
  [ -n "$BEFORE_KVSTORE" ] && node_round kvstore-before "$round" "" "$BEFORE_KVSTORE"
  IFS=';' read -r -a variants <<<"$VARIANTS"
  for variant in "${variants[@]}"; do
    node_round "${variant%%=*}" "$round" "${variant#*=}"
  done
done
stop_pid "$MEMCACHED_PID"

jq -s -r '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  (map(select(.system == "memcached") | .latencyMicros.p50) | median) as $m |
  group_by(.system) | sort_by(.[0].system != "memcached") | .[] |
  [.[0].system, length, (map(.opsPerSecond) | median | round), (map(.latencyMicros.p50) | median),
   (map(.latencyMicros.p99) | median), ((map(.latencyMicros.p50) | median) / $m * 100 | round / 100),
   (map(.latencyMicros.p50 | tostring) | join(" ")), (map(.loadAverage) | min), (map(.loadAverage) | max)] | @tsv' "$RESULTS" |
  (printf 'system\truns\tops/s\tp50_us\tp99_us\tp50_x\tp50 by round\tload_min\tload_max\n'; cat) | column -t -s $'\t'
log "results in $OUT_DIR"
