#!/usr/bin/env bash
# Rebalance benchmark: MB/s streamed while a fourth node joins a loaded 3-node cluster (N=3, R=2,
# W=2, RocksDB data dirs on this machine's disk), and the client latency meanwhile.
#   bench/rebalance.sh [KEYS] [RATE]      e.g. bench/rebalance.sh 200000 8MB
# Preloads KEYS keys (100-byte values) through node 1, then runs a mixed load (90% GET) through
# node 1 for 30 s at a small window; 5 s in, node 4 joins. Samples every node's /metrics each
# second: the sum of rebalance.bytes.streamed (acknowledged batches) over time, and when node 4
# became complete. Prints the bench JSON (p99 is over the whole 30 s, join included).
# NO_JOIN=1: the same run without the fourth node (the baseline latency of the same load).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/processes.sh
source "$ROOT/bench/lib/processes.sh"
KEYS=${1:-200000}
RATE=${2:-8MB}
WORK=$(mktemp -d /tmp/kvstore-rebalance.XXXXXX)
DATA_DIRS+=("$WORK")
cleanup() { stop_all_started; mkdir -p /tmp/rebalance-bench-logs; cp "$WORK"/*.log /tmp/rebalance-bench-logs/ 2>/dev/null || true; rm -rf "${DATA_DIRS[@]}"; }
trap cleanup EXIT INT TERM
JAR="$ROOT/cli/target/kvstore.jar"
[ -f "$JAR" ] || die "build first: mvn -B -q -DskipTests -pl cli -am package"
head -c 32 /dev/urandom | base64 > "$WORK/secret"
cat > "$WORK/config.yaml" <<YAML
replication:
  rebalance-bytes-per-second: $RATE
YAML
PORTS=() HTTP=()
for i in 1 2 3 4; do free_port p; free_port h; PORTS+=("$p"); HTTP+=("$h"); done
start_node() { # index (0-based)
  local i=$1 join=()
  [ "$i" -gt 0 ] && join=(--join "127.0.0.1:${PORTS[0]}")
  java -Xmx512m -jar "$JAR" node --port "${PORTS[$i]}" --http-port "${HTTP[$i]}" \
    --data-dir "$WORK/n$i" --config "$WORK/config.yaml" --cluster-secret-file "$WORK/secret" \
    "${join[@]}" >"$WORK/n$i.log" 2>&1 &
  STARTED_PIDS+=("$!")
}
metric() { # http-port name -> value (0 if absent)
  { curl -s --max-time 2 "http://127.0.0.1:$1/metrics" || true; } | awk -v n="kvstore_$2" '$1 ~ "^"n"[{ ]" {print $2; f=1} END {if (!f) print 0}' | head -1
}
for i in 0 1 2; do start_node "$i"; sleep 1; done
sleep 5
log "preloading $KEYS keys"
run_bounded 600 "$WORK/preload.json" "$WORK/bench.err" java -jar "$JAR" bench --node "127.0.0.1:${PORTS[0]}" \
  --keys "$KEYS" --value-size 100 --duration 1s --warmup 0s --json
log "load for 30 s; node 4 joins at 5 s"
timeout -k 5 120 java -jar "$JAR" bench --node "127.0.0.1:${PORTS[0]}" --keys "$KEYS" --value-size 100 \
  --no-preload --window 4 --sockets 2 --duration 30s --warmup 0s --json >"$WORK/load.json" 2>>"$WORK/bench.err" &
LOAD=$!
STARTED_PIDS+=("$LOAD")
sleep 5
if [ "${NO_JOIN:-0}" = 1 ]; then
  wait "$LOAD" || true
  echo "load without a join: $(cat "$WORK/load.json")"
  exit 0
fi
start_node 3
start_s=$(date +%s.%N)
for s in $(seq 1 25); do
  sleep 1
  total=0
  for i in 0 1 2 3; do total=$((total + $(metric "${HTTP[$i]}" rebalance_bytes_streamed | cut -d. -f1))); done
  complete=$(metric "${HTTP[3]}" rebalance_complete | cut -d. -f1)
  received=$(metric "${HTTP[3]}" rebalance_records_received | cut -d. -f1)
  echo "t=${s}s streamed_bytes=$total joiner_complete=$complete joiner_records_received=$received"
  if [ "$complete" = "1" ] && [ "$received" -gt 0 ] && [ "$s" -ge 3 ]; then
    end_s=$(date +%s.%N); break
  fi
done
wait "$LOAD" || true
echo "join streamed $total bytes in $(echo "${end_s:-0} - $start_s" | bc) s (includes node start and the 1 s settle)"
echo "load during the join: $(cat "$WORK/load.json")"
