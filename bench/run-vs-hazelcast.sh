#!/usr/bin/env bash
# Measures a 3-node KVStore cluster against a 3-member Hazelcast cluster (IMap, 2 synchronous
# backups: 3 copies of every entry, like KVStore's N=3) on this machine, in one run, with the same
# load harness and workload (io.kvstore.bench.replicated.ReplicatedBench in the bench module:
# closed loop, fixed window, HdrHistogram latencies), alternating the two systems so that drifts in
# machine load hit both alike. Every node and member runs in a JVM of its own with the same JVM
# options (NODE_JAVA_OPTS: by default the heap and GC ./kvstore gives a node), on 127.0.0.1 only.
#
#   MODE=cluster (default): for each GET fraction in MIXES, ROUNDS times: kvstore, hazelcast.
#   MODE=single: one KVStore node, variant A alternated with variant B if one is given:
#     A_LABEL=a A_JAR=cli/target/kvstore.jar A_NODE_ARGS=""   (e.g. --config n1.yaml)
#     B_LABEL=b B_JAR=...                     B_NODE_ARGS=...
#   MODE=both: cluster, then single.
# Then prints a table of medians (ops/s, p50, p99) and the ratios.
#
# Settings (environment variables):
#   ROUNDS=2  DURATION=20s  WARMUP=5s  MIXES="0.9 0.5"  WINDOW=32  KEYS=10000  VALUE_SIZE=100
#   NODES=3  ENGINE=memory (or rocksdb)  CLUSTER_NODE_ARGS=""  OUT_DIR=<new temp dir>
#   NODE_JAVA_OPTS="-Xmx64m ..."  SKIP_BUILD=0 (1: use the jars as they are)
# Examples: a smoke test: ROUNDS=1 DURATION=3s WARMUP=1s MIXES=0.9 bench/run-vs-hazelcast.sh
#   N=1 cost of the replication code: a jar built before it (A) vs this one with N=1 (B):
#   printf 'replication:\n  n: 1\n  r: 1\n  w: 1\n' >/tmp/n1.yaml
#   MODE=single A_LABEL=before A_JAR=/tmp/before.jar B_LABEL=n1 B_JAR=cli/target/kvstore.jar \
#     B_NODE_ARGS="--config /tmp/n1.yaml" bench/run-vs-hazelcast.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

MODE=${MODE:-cluster}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
MIXES=${MIXES:-0.9 0.5}
WINDOW=${WINDOW:-32}
KEYS=${KEYS:-10000}
VALUE_SIZE=${VALUE_SIZE:-100}
NODES=${NODES:-3}
ENGINE=${ENGINE:-memory}
CLUSTER_NODE_ARGS=${CLUSTER_NODE_ARGS:-}
NODE_JAVA_OPTS=${NODE_JAVA_OPTS:--Xmx64m -Xss512k -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:+AlwaysPreTouch}
HARNESS_JAVA_OPTS=${HARNESS_JAVA_OPTS:--Xmx512m -XX:+UseParallelGC}
# What Hazelcast asks for at start ("to get the best performance results"), given to its members
# and to the harness (its client); no phone home: nothing leaves this machine. A common pool of 2
# threads: with 1 (2 cores) Hazelcast starts a new thread for every completed future.
HZ_JAVA_ARGS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Dhazelcast.phone.home.enabled=false
  -Djava.util.concurrent.ForkJoinPool.common.parallelism=2"
KVSTORE_JAR="$ROOT/cli/target/kvstore.jar"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"
A_LABEL=${A_LABEL:-a}
A_JAR=${A_JAR:-$KVSTORE_JAR}
A_NODE_ARGS=${A_NODE_ARGS:-}
B_LABEL=${B_LABEL:-b}
B_JAR=${B_JAR:-}
B_NODE_ARGS=${B_NODE_ARGS:-}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-vs-hazelcast.XXXXXX")}
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results.jsonl"
CLUSTER_NAME="kvstore-bench-$$"

# A harness run: JVM start, cluster check (60 s at most), preload (120 s at most), warm-up,
# duration, drain (10 s at most).
HARNESS_TIMEOUT=$(($(seconds_of "$WARMUP") + $(seconds_of "$DURATION") + 200))
STARTUP_TIMEOUT=90
BUILD_TIMEOUT=900

bench_traps

case "$MODE" in cluster | single | both) ;; *) die "MODE must be cluster, single or both, got $MODE" ;; esac
[ "$ENGINE" = memory ] || [ "$ENGINE" = rocksdb ] || die "ENGINE must be memory or rocksdb"
command -v jq >/dev/null 2>&1 || die "jq is needed for the summary (Debian: apt-get install jq)"

build() {
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    [ -f "$KVSTORE_JAR" ] && [ -f "$BENCH_JAR" ] || die "SKIP_BUILD=1 but the jars are missing"
    return 0
  fi
  log "building the node and the harness (mvn package -pl cli,bench)"
  (cd "$ROOT" && timeout "$BUILD_TIMEOUT" mvn -B -q -DskipTests -DskipITs -pl cli,bench -am package \
    >"$OUT_DIR/build.log" 2>&1) || { tail -n 20 "$OUT_DIR/build.log" >&2; die "build failed; see $OUT_DIR/build.log"; }
}

# Waits until LOG has a line matching PATTERN, or fails if PID exits or time runs out.
await_line() {
  local pid=$1 log_file=$2 pattern=$3 what=$4 deadline=$((SECONDS + STARTUP_TIMEOUT))
  until grep -q "$pattern" "$log_file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "$what exited; see $log_file"
    [ $SECONDS -lt $deadline ] || die "$what not ready within ${STARTUP_TIMEOUT}s; see $log_file"
    sleep 0.3
  done
}

# Starts a KVStore node: start_node JAR PORT LOG SECRET SEED_PORT(or "") EXTRA_ARGS...
# Sets NODE_PID.
start_node() {
  local jar=$1 port=$2 log_file=$3 secret=$4 seed=$5 args
  shift 5
  args=(node --port "$port" --bind 127.0.0.1 --cluster-secret-file "$secret")
  [ -n "$seed" ] && args+=(--join "127.0.0.1:$seed")
  if [ "$ENGINE" = memory ]; then
    args+=(--memory)
  else
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-vs-hz-data.XXXXXX")
    DATA_DIRS+=("$dir")
    args+=(--data-dir "$dir")
  fi
  # shellcheck disable=SC2086
  java $NODE_JAVA_OPTS -jar "$jar" "${args[@]}" "$@" >"$log_file" 2>&1 &
  NODE_PID=$!
  STARTED_PIDS+=("$NODE_PID")
  await_line "$NODE_PID" "$log_file" "listening on udp" "kvstore node on port $port"
}

new_secret() {
  local file=$OUT_DIR/cluster-secret
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$file")
  echo "$file"
}

# Starts NODES KVStore nodes joined through the first. Sets KV_ADDRESSES.
start_kvstore_cluster() {
  local secret ports=() i seed="" extra=()
  secret=$(new_secret)
  read -r -a extra <<<"$CLUSTER_NODE_ARGS"
  for i in $(seq 1 "$NODES"); do
    local port
    free_port port
    start_node "$KVSTORE_JAR" "$port" "$OUT_DIR/kvstore-node-$i.log" "$secret" "$seed" "${extra[@]}"
    [ -z "$seed" ] && seed=$port
    ports+=("$port")
  done
  KV_ADDRESSES=$(printf '127.0.0.1:%s,' "${ports[@]}")
  KV_ADDRESSES=${KV_ADDRESSES%,}
  log "kvstore: $NODES nodes ($ENGINE engine) on udp $KV_ADDRESSES"
}

# Starts NODES Hazelcast members, each in its own JVM. Sets HZ_ADDRESSES.
start_hazelcast_cluster() {
  local ports=() pids=() i
  for i in $(seq 1 "$NODES"); do
    local port
    free_port port
    ports+=("$port")
  done
  HZ_ADDRESSES=$(printf '127.0.0.1:%s,' "${ports[@]}")
  HZ_ADDRESSES=${HZ_ADDRESSES%,}
  for i in $(seq 1 "$NODES"); do
    # shellcheck disable=SC2086
    java $NODE_JAVA_OPTS $HZ_JAVA_ARGS -cp "$BENCH_JAR" \
      io.kvstore.bench.replicated.HazelcastMember --port "${ports[$((i - 1))]}" \
      --members "$HZ_ADDRESSES" --cluster-name "$CLUSTER_NAME" >"$OUT_DIR/hazelcast-member-$i.log" 2>&1 &
    pids+=($!)
    STARTED_PIDS+=($!)
  done
  for i in $(seq 1 "$NODES"); do
    await_line "${pids[$((i - 1))]}" "$OUT_DIR/hazelcast-member-$i.log" "hazelcast member ready" \
      "hazelcast member $i"
  done
  log "hazelcast $(unzip -p "$BENCH_JAR" META-INF/maven/com.hazelcast/hazelcast/pom.properties 2>/dev/null \
    | sed -n 's/^version=//p'): $NODES members on tcp $HZ_ADDRESSES (backup-count 2, async 0)"
}

# One harness run; appends its JSON line to the results.
#   measure SYSTEM ADDRESSES LABEL GET_FRACTION ROUND
measure() {
  local system=$1 addresses=$2 label=$3 mix=$4 round=$5 out
  out="$OUT_DIR/run-$label-$mix-$round.json"
  log "$label: GET fraction $mix, window $WINDOW (round $round)"
  # shellcheck disable=SC2086
  run_bounded "$HARNESS_TIMEOUT" "$out" "$OUT_DIR/harness.log" \
    java $HARNESS_JAVA_OPTS $HZ_JAVA_ARGS -cp "$BENCH_JAR" \
    io.kvstore.bench.replicated.ReplicatedBench --system "$system" --nodes "$addresses" \
    --cluster-name "$CLUSTER_NAME" --window "$WINDOW" --keys "$KEYS" --value-size "$VALUE_SIZE" \
    --get-fraction "$mix" --warmup "$WARMUP" --duration "$DURATION" --label "$label" --round "$round" \
    || die "the harness failed against $label; see $OUT_DIR/harness.log"
  # The 1-minute load average at the end of the run: how busy the shared machine was.
  grep '^{' "$out" | tail -n 1 | jq -c --argjson load "$(cut -d' ' -f1 /proc/loadavg)" '. + {load1: $load}' \
    >>"$RESULTS"
  jq -r '"  \(.opsPerSecond | floor) ops/s, p50 \(.latencyMicros.p50) us, p99 \(.latencyMicros.p99) us, misses \(.outcomes.miss), rejected \(.outcomes.rejected), failed \(.outcomes.failed)"' \
    < <(tail -n 1 "$RESULTS") >&2
}

run_cluster_mode() {
  start_kvstore_cluster
  start_hazelcast_cluster
  local mix round
  for mix in $MIXES; do
    for round in $(seq 1 "$ROUNDS"); do
      measure kvstore "$KV_ADDRESSES" kvstore "$mix" "$round"
      measure hazelcast "$HZ_ADDRESSES" hazelcast "$mix" "$round"
    done
  done
}

run_single_mode() {
  local secret port_a port_b="" mix round extra=()
  secret=$(new_secret)
  free_port port_a
  read -r -a extra <<<"$A_NODE_ARGS"
  start_node "$A_JAR" "$port_a" "$OUT_DIR/single-$A_LABEL.log" "$secret" "" "${extra[@]}"
  if [ -n "$B_JAR$B_NODE_ARGS" ]; then
    free_port port_b
    read -r -a extra <<<"$B_NODE_ARGS"
    start_node "${B_JAR:-$KVSTORE_JAR}" "$port_b" "$OUT_DIR/single-$B_LABEL.log" "$secret" "" "${extra[@]}"
  fi
  for mix in $MIXES; do
    for round in $(seq 1 "$ROUNDS"); do
      measure kvstore "127.0.0.1:$port_a" "$A_LABEL" "$mix" "$round"
      [ -z "$port_b" ] || measure kvstore "127.0.0.1:$port_b" "$B_LABEL" "$mix" "$round"
    done
  done
  stop_all_started
}

# Medians per (nodes, GET fraction, label); the ratio is against the first label of the group
# in the cluster mode's sense: hazelcast for 3-node runs, variant A for single-node runs.
print_table() {
  jq -s -r --arg a "$A_LABEL" '
    def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    group_by([.nodes, .getFraction]) | .[] |
    (if .[0].nodes == 1 then $a else "hazelcast" end) as $ref |
    (map(select(.label == $ref) | .opsPerSecond) | median) as $base |
    group_by(.label) | .[] |
    [ (.[0].nodes | tostring), (.[0].getFraction | tostring), .[0].label, (length | tostring),
      (map(.opsPerSecond) | median | floor | tostring),
      (map(.latencyMicros.p50) | median | tostring),
      (map(.latencyMicros.p99) | median | tostring),
      (if $base and .[0].label != $ref then ((map(.opsPerSecond) | median) / $base * 100 | round / 100 | tostring)
       else "-" end),
      (map(.outcomes.miss + .outcomes.rejected + .outcomes.failed) | add | tostring),
      (map(.load1) | median | if . == null then "-" else (. * 10 | round / 10 | tostring) end) ] | @tsv' "$RESULTS" |
    (printf 'nodes\tget_fraction\tsystem\truns\tops/s\tp50_us\tp99_us\tops_ratio\tmiss+rejected+failed\tload1\n'; cat) |
    column -t -s $'\t'
}

main() {
  build
  : >"$RESULTS"
  case "$MODE" in
    cluster) run_cluster_mode ;;
    single) run_single_mode ;;
    both) run_cluster_mode; stop_all_started; run_single_mode ;;
  esac
  stop_all_started
  echo
  echo "KVStore vs Hazelcast: ${VALUE_SIZE}-byte values, $KEYS keys, window $WINDOW, ${DURATION}" \
    "measured after ${WARMUP} warm-up, KVStore engine $ENGINE; medians over $ROUNDS round(s);" \
    "ops_ratio: throughput / hazelcast's (3 nodes) or / variant $A_LABEL's (1 node);" \
    "load1: the machine's 1-minute load average after each run (2 cores)"
  print_table
  echo
  echo "raw results (one JSON line per run): $RESULTS"
  echo "logs: $OUT_DIR"
}

main "$@"
