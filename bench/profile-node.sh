#!/usr/bin/env bash
# Profiles one KVStore node (./kvstore node: durable RocksDB, reply cache and metrics on) under the
# native load generator, one node per workload, and renders flame graph SVGs with
# bench/profile/jfr-flame.py (standard library only).
#
# PROFILER=jfr: JDK Flight Recorder (settings=profile); two graphs, jdk.ExecutionSample (threads
#   running Java code) and jdk.NativeMethodSample (threads inside JNI, busy or blocked). JFR samples
#   a thread only in Java code, so the node's event loop, which spends most of its time in
#   sendmmsg/recvmmsg and RocksDB's native code, gets few execution samples: useful for the Java
#   side, blind to the rest.
# PROFILER=async: async-profiler 3.0 (tools.profiler:async-profiler from Maven Central, fetched once
#   by mvn dependency:get) as an agent, CPU samples every millisecond of every thread, Java, native
#   and kernel frames alike: the graph that shows where the node's CPU goes.
#
# Settings (environment variables):
#   PROFILER=async|jfr (async)  WORKLOADS="get put"  WINDOW=32  DURATION=20  WARMUP=3 (seconds)  VALUE_SIZE=100  KEYS=10000
#   OUT_DIR=<new temp dir>  KVSTORE=<launcher, default ./kvstore>
# Output: OUT_DIR/node-WORKLOAD[-native].{jfr,collapsed,svg} (collapsed: one stack per line, count last).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KVSTORE=${KVSTORE:-$ROOT/kvstore}
# shellcheck source=bench/lib/processes.sh
. "$ROOT/bench/lib/processes.sh"

PROFILER=${PROFILER:-async}
WORKLOADS=${WORKLOADS:-get put}
WINDOW=${WINDOW:-32}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
VALUE_SIZE=${VALUE_SIZE:-100}
KEYS=${KEYS:-10000}
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kvstore-profile.XXXXXX")}
mkdir -p "$OUT_DIR"
KVLOAD="$OUT_DIR/kvload"
bench_traps

compile_kvload "$KVLOAD"
build_kvstore_once

ASYNC_VERSION=3.0
async_profiler_library() {
  local jar="$HOME/.m2/repository/tools/profiler/async-profiler/$ASYNC_VERSION/async-profiler-$ASYNC_VERSION.jar"
  if [ ! -f "$jar" ]; then
    timeout 300 mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ASYNC_VERSION" >&2 \
      || die "could not fetch async-profiler $ASYNC_VERSION from Maven Central"
  fi
  (cd "$OUT_DIR" && unzip -o -q "$jar" linux-x64/libasyncProfiler.so) || die "no linux-x64 library in $jar"
  echo "$OUT_DIR/linux-x64/libasyncProfiler.so"
}
case "$PROFILER" in
  async) ASYNC_LIBRARY=$(async_profiler_library) ;;
  jfr) ;;
  *) die "PROFILER is async or jfr, not $PROFILER" ;;
esac

profile_workload() {
  local workload=$1 port data_dir jfr="$OUT_DIR/node-$1.jfr" agent
  if [ "$PROFILER" = jfr ]; then
    agent="-XX:StartFlightRecording=settings=profile,filename=$jfr,dumponexit=true"
  else
    # interval in ns: 1 ms of CPU per sample; written on exit as collapsed stacks with thread names
    agent="-agentpath:$ASYNC_LIBRARY=start,event=cpu,interval=1000000,threads,collapsed,file=$OUT_DIR/node-$workload.collapsed"
  fi
  free_port port
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-profile-data.XXXXXX")
  DATA_DIRS+=("$data_dir")
  # The recording starts with the node; the samples of start-up and the preload are a small share.
  KVSTORE_JAVA_OPTS="$agent" \
    "$KVSTORE" node --port "$port" --data-dir "$data_dir" >"$OUT_DIR/node-$workload.log" 2>&1 &
  local node_pid=$!
  STARTED_PIDS+=("$node_pid")
  await_node_alive "$node_pid" "$port" "$OUT_DIR/node-$workload.log" 60
  log "profiling $workload at window $WINDOW for ${DURATION}s (node pid $node_pid)"
  run_bounded $((WARMUP + DURATION + 60)) "$OUT_DIR/kvload-$workload.json" "$OUT_DIR/kvload.log" \
    "$KVLOAD" --port "$port" --workload "$workload" --window "$WINDOW" --value-size "$VALUE_SIZE" \
    --keys "$KEYS" --duration "$DURATION" --warmup "$WARMUP" || die "kvload failed; see $OUT_DIR/kvload.log"
  stop_pid "$node_pid" # SIGTERM: the profiler writes its output on exit
  local title="KVStore node, $workload, window $WINDOW, $(git -C "$ROOT" rev-parse --short HEAD)"
  if [ "$PROFILER" = async ]; then
    [ -s "$OUT_DIR/node-$workload.collapsed" ] || die "no profile at $OUT_DIR/node-$workload.collapsed"
    python3 "$ROOT/bench/profile/jfr-flame.py" --from-collapsed --title "$title (async-profiler, CPU, 1 ms)" \
      "$OUT_DIR/node-$workload.collapsed" >"$OUT_DIR/node-$workload.svg"
    log "$workload: $(grep -o '"opsPerSecond":[0-9.]*' "$OUT_DIR/kvload-$workload.json"), flame graph $OUT_DIR/node-$workload.svg"
    return
  fi
  [ -s "$jfr" ] || die "no recording at $jfr"
  python3 "$ROOT/bench/profile/jfr-flame.py" --title "$title (JFR execution samples)" \
    --collapsed "$OUT_DIR/node-$workload.collapsed" "$jfr" >"$OUT_DIR/node-$workload.svg"
  python3 "$ROOT/bench/profile/jfr-flame.py" --events jdk.NativeMethodSample \
    --title "$title (JFR native-method samples: threads inside JNI, waiting or not)" \
    --collapsed "$OUT_DIR/node-$workload-native.collapsed" "$jfr" >"$OUT_DIR/node-$workload-native.svg"
  log "$workload: $(grep -o '"opsPerSecond":[0-9.]*' "$OUT_DIR/kvload-$workload.json"), flame graph $OUT_DIR/node-$workload.svg"
}

for workload in $WORKLOADS; do
  profile_workload "$workload"
done
