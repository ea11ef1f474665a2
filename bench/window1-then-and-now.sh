#!/usr/bin/env bash
# Window 1 (one request outstanding), GET, the same kvload against memcached and two builds of the
# node, alternating round by round: NOW_JAR (default: this checkout's jar) and THEN_JAR (e.g. the
# issue-3 commit's jar, built in a separate worktree), so that "the node got slower" and "the
# machine or the client differ" can be told apart. Each node also gets THEN_JAR's JVM generator
# (./kvstore bench --window 1 --sockets 4, the command of the issue-3 table).
#
#   THEN_JAR=/tmp/issue3/cli/target/kvstore.jar bench/window1-then-and-now.sh
#   ROUNDS=3 DURATION=5 WARMUP=1 OUT_DIR=<new temp dir>
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"
THEN_JAR=${THEN_JAR:?set THEN_JAR to the older build of cli/target/kvstore.jar}
NOW_JAR=${NOW_JAR:-$ROOT/cli/target/kvstore.jar}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-window1.XXXXXX")}
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results.jsonl"
: >"$RESULTS"
NODE_OPTS=(-Xmx64m -Xss512k -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:+AlwaysPreTouch)
bench_traps
compile_kvload "$OUT_DIR/kvload"

start_server() { # name -> sets PORT, SERVER_PID
  free_port PORT
  local data
  case "$1" in
    memcached)
      local as_user=()
      [ "$(id -u)" -eq 0 ] && as_user=(-u nobody)
      memcached -U "$PORT" -p 0 -l 127.0.0.1 -t 2 -m 256 "${as_user[@]}" >"$OUT_DIR/$1.log" 2>&1 &
      SERVER_PID=$!; STARTED_PIDS+=("$SERVER_PID"); sleep 0.5 ;;
    now|then)
      data=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-window1-data.XXXXXX"); DATA_DIRS+=("$data")
      local jar=$NOW_JAR; [ "$1" = then ] && jar=$THEN_JAR
      java "${NODE_OPTS[@]}" -jar "$jar" node --port "$PORT" --data-dir "$data" >"$OUT_DIR/$1.log" 2>&1 &
      SERVER_PID=$!; STARTED_PIDS+=("$SERVER_PID")
      for _ in $(seq 1 150); do grep -q "listening on udp" "$OUT_DIR/$1.log" && break; sleep 0.2; done
      grep -q "listening on udp" "$OUT_DIR/$1.log" || die "node $1 did not start; see $OUT_DIR/$1.log" ;;
  esac
}

measure() { # server round
  local protocol=kvstore json
  [ "$1" = memcached ] && protocol=memcached
  run_bounded $((WARMUP + DURATION + 60)) "$OUT_DIR/run.json" "$OUT_DIR/kvload.log" "$OUT_DIR/kvload" \
    --protocol "$protocol" --port "$PORT" --workload get --window 1 --duration "$DURATION" --warmup "$WARMUP"
  json=$(grep '^{' "$OUT_DIR/run.json" | tail -n 1)
  jq -c --arg s "$1" --arg g kvload --argjson r "$2" --arg l "$(cut -d' ' -f1 /proc/loadavg)" \
    '{server: $s, generator: $g, round: $r, load: ($l | tonumber), opsPerSecond, p50: .latencyMicros.p50, p99: .latencyMicros.p99}' <<<"$json" >>"$RESULTS"
  run_bounded $((WARMUP + DURATION + 60)) "$OUT_DIR/run.json" "$OUT_DIR/jvm.log" java -Xmx512m -XX:+UseParallelGC \
    -jar "$THEN_JAR" bench --json --node "127.0.0.1:$PORT" --protocol "$protocol" --workload get \
    --window 1 --sockets 4 --duration "${DURATION}s" --warmup "${WARMUP}s"
  json=$(grep '^{' "$OUT_DIR/run.json" | tail -n 1)
  jq -c --arg s "$1" --arg g jvm-then --argjson r "$2" --arg l "$(cut -d' ' -f1 /proc/loadavg)" \
    '{server: $s, generator: $g, round: $r, load: ($l | tonumber), opsPerSecond, p50: (.latencyMicros.p50 // .p50Micros // .latency.p50), p99: (.latencyMicros.p99 // .p99Micros // .latency.p99)}' <<<"$json" >>"$RESULTS"
  tail -n 2 "$RESULTS" >&2
}

for round in $(seq 1 "$ROUNDS"); do
  for server in memcached now then; do
    start_server "$server"
    measure "$server" "$round"
    stop_pid "$SERVER_PID"
  done
done
jq -s -r 'group_by([.server, .generator]) | .[] | (map(.p50) | sort) as $p | (map(.opsPerSecond) | sort) as $o
  | [.[0].server, .[0].generator, length, $o[length / 2 | floor], $p[length / 2 | floor],
     (map(.p99) | sort | .[length / 2 | floor]), (map(.load) | min), (map(.load) | max)] | @tsv' "$RESULTS" |
  (printf 'server\tgenerator\truns\tops/s\tp50_us\tp99_us\tload_min\tload_max\n'; cat) | column -t -s $'\t'
echo "results: $RESULTS"
