#!/usr/bin/env bash
# Course scale with real processes: NODES node JVMs (./kvstore cluster: 64 MB heap each) on
# 127.0.0.1, KEYS keys written through all of them, then SHUTDOWN of a fifth of the nodes, and
# every key read back through the survivors (io.kvstore.bench.cluster.ShutdownFifth). Reports the
# failed reads (target: 0), the time until the survivors saw the fifth gone, and the nodes'
# resident memory, as one JSON line in OUT_DIR/result.json.
#
#   NODES=50 KEYS=2000 BASE_PORT=<free> SEED=1 OUT_DIR=<new temp dir> SKIP_BUILD=0 bench/fifty-nodes.sh
# Every process it starts is stopped by pid on exit, failure or Ctrl-C (bench/lib/processes.sh):
# the launcher gracefully, then any node it left behind.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

NODES=${NODES:-50}
KEYS=${KEYS:-2000}
SEED=${SEED:-1}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-fifty.XXXXXX")}
mkdir -p "$OUT_DIR"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"

if [ -z "${BASE_PORT:-}" ]; then
  for try in $(seq 1 50); do
    BASE_PORT=$((20000 + RANDOM % 30000))
    busy=0
    for i in $(seq 0 $((NODES - 1))); do
      if port_in_use $((BASE_PORT + i)); then busy=1; break; fi
    done
    [ $busy = 0 ] && break
  done
fi

bench_traps
node_pids() { awk '/^node-[0-9]+ /{print $3}' "$OUT_DIR/cluster.out" 2>/dev/null; }
stop_cluster() {
  local launcher=$1 pid
  stop_pid "$launcher" # SIGTERM: the launcher stops its nodes gracefully
  for pid in $(node_pids); do
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done
}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building (mvn -q -o package -DskipTests)"
  (cd "$ROOT" && mvn -B -q -o package -DskipTests -pl cli,bench -am) >"$OUT_DIR/build.log" 2>&1 \
    || die "build failed; see $OUT_DIR/build.log"
fi

log "starting $NODES nodes on 127.0.0.1:$BASE_PORT.. (log: $OUT_DIR/cluster.out)"
DATA="$OUT_DIR/data"
DATA_DIRS+=("$DATA")
"$ROOT/kvstore" cluster --nodes "$NODES" --base-port "$BASE_PORT" --data-dir "$DATA" \
  --monitor-port 0 >"$OUT_DIR/cluster.out" 2>&1 &
LAUNCHER=$!
STARTED_PIDS+=("$LAUNCHER")
trap 'stop_cluster $LAUNCHER; cleanup' EXIT
deadline=$((SECONDS + 60 + 4 * NODES))
until grep -q "cluster ready" "$OUT_DIR/cluster.out"; do
  kill -0 "$LAUNCHER" 2>/dev/null || die "the cluster did not start; see $OUT_DIR/cluster.out"
  [ $SECONDS -lt $deadline ] || die "the cluster was not ready in time; see $OUT_DIR/cluster.out"
  sleep 1
done
log "$(grep 'cluster ready' "$OUT_DIR/cluster.out")"

rc=0
timeout -k 5 600 java -cp "$BENCH_JAR" io.kvstore.bench.cluster.ShutdownFifth \
  "$BASE_PORT" "$NODES" "$KEYS" "$SEED" "$DATA" >"$OUT_DIR/result.json" 2>"$OUT_DIR/check.log" || rc=$?
cat "$OUT_DIR/check.log" >&2
cat "$OUT_DIR/result.json"
exit $rc
