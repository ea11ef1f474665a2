#!/usr/bin/env bash
# Same-run before/after of one node's throughput: two builds of the node (BEFORE_JAR, AFTER_JAR),
# alternated ROUNDS times under the same closed-loop load from one generator (GENERATOR=jvm:
# AFTER_JAR's ./kvstore bench; GENERATOR=kvload: bench/loadgen/kvload.c, compiled here), so that
# drifts in machine load hit both alike. Prints one line per run and the median ops/s of each side.
# NODE_ARGS=rocksdb gives each run a new RocksDB data directory (the default node, durable).
#
#   BEFORE_JAR=/tmp/before/kvstore.jar bench/before-after.sh
#   ROUNDS=3 DURATION=10s WARMUP=3s WORKLOAD=get WINDOW=32 VALUE_SIZE=100 NODE_ARGS="--memory"
#   GENERATOR=jvm|kvload
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BEFORE_JAR=${BEFORE_JAR:?set BEFORE_JAR to the jar built before the change}
AFTER_JAR=${AFTER_JAR:-$ROOT/cli/target/kvstore.jar}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
WORKLOAD=${WORKLOAD:-get}
WINDOW=${WINDOW:-32}
VALUE_SIZE=${VALUE_SIZE:-100}
NODE_ARGS=${NODE_ARGS:---memory}
PORT=${PORT:-4170}
GENERATOR=${GENERATOR:-jvm}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-before-after.XXXXXX")
if [ "$GENERATOR" = kvload ]; then
  gcc -O2 -std=c11 -Wall -pthread -o "$OUT/kvload" "$ROOT/bench/loadgen/kvload.c" -lm
fi
seconds() { local v=${1%s}; echo "${v%%.*}"; } # kvload takes whole seconds
NODE_OPTS="-Xmx64m -Xss512k -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:+AlwaysPreTouch"

node_pid=""
cleanup() {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  rm -rf "$OUT"/data-*
}
trap cleanup EXIT

run() { # label jar
  local label=$1 jar=$2 log="$OUT/node-$1-$3.log" args=$NODE_ARGS
  [ "$NODE_ARGS" = rocksdb ] && args="--data-dir $OUT/data-$label-$3"
  # shellcheck disable=SC2086
  java $NODE_OPTS -jar "$jar" node --port "$PORT" $args >"$log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 100); do grep -q "listening on udp" "$log" && break; sleep 0.2; done
  grep -q "listening on udp" "$log" || { echo "node did not start: $log" >&2; exit 1; }
  if [ "$GENERATOR" = kvload ]; then
    timeout 300 "$OUT/kvload" --port "$PORT" --workload "$WORKLOAD" --window "$WINDOW" \
        --value-size "$VALUE_SIZE" --duration "$(seconds "$DURATION")" --warmup "$(seconds "$WARMUP")" \
        2>>"$OUT/kvload.log" | grep '^{' > "$OUT/$label-$3.json"
  else
    timeout 300 java -Xmx512m -XX:+UseParallelGC -jar "$AFTER_JAR" bench --node "127.0.0.1:$PORT" \
        --workload "$WORKLOAD" --window "$WINDOW" --value-size "$VALUE_SIZE" \
        --duration "$DURATION" --warmup "$WARMUP" --json > "$OUT/$label-$3.json"
  fi
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
  rm -rf "$OUT/data-$label-$3"
  printf '%-7s round %s  %s\n' "$label" "$3" \
    "$(grep -o '"opsPerSecond":[0-9.]*\|"timeouts":[0-9]*\|"errors":{[^}]*}\|"p50":[0-9]*\|"p99":[0-9]*' "$OUT/$label-$3.json" | tr '\n' ' ') load $(cut -d' ' -f1 /proc/loadavg)"
}

for r in $(seq 1 "$ROUNDS"); do
  run before "$BEFORE_JAR" "$r"
  run after "$AFTER_JAR" "$r"
done
for label in before after; do
  cat "$OUT"/$label-*.json | grep -o '"opsPerSecond":[0-9.]*' | cut -d: -f2 | sort -n \
    | awk -v l="$label" '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%s median ops/s %.0f (%d runs)\n", l, m, NR}'
done
echo "results in $OUT"
