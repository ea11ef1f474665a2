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
#   SYSCALLS=1 (kvload only): the node's recvmmsg, sendmsg, epoll_wait, ... per request in the
#   measured run, counted by perf stat on the kernel's syscall tracepoints (needs perf)
#   RATE=R (kvload only): open loop at R requests/s (window 1024) instead of the closed loop; the
#   p99 medians are printed too. Each line also shows the node's CPU during the generator's run
#   (utime+stime from /proc) and that CPU per request (warm-up, measurement and kvload's preload of
#   10,000 PUTs counted; with kvload, a first run of WARMUP seconds on the same node is not: the
#   JIT's work): under other load a latency moves with the machine, the CPU the same requests
#   cost much less. loop_us/req is the event-loop threads' CPU alone over the same requests (no
#   JIT compiler, GC or background threads, whose share of a short run moves with the load).
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
RATE=${RATE:-0}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-before-after.XXXXXX")
if [ "$GENERATOR" = kvload ]; then
  gcc -O2 -std=c11 -Wall -pthread -o "$OUT/kvload" "$ROOT/bench/loadgen/kvload.c" -lm
fi
seconds() { local v=${1%s}; echo "${v%%.*}"; } # kvload takes whole seconds
NODE_OPTS="-Xmx64m -Xss512k -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC -XX:+AlwaysPreTouch"

node_pid=""
cleanup() {
  stop_syscall_count
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
  local cpu_before
  if [ "$GENERATOR" = kvload ]; then
    local load_args=(--window "$WINDOW")
    [ "$RATE" != 0 ] && load_args=(--window 1024 --rate "$RATE")
    # a first run, not measured, so that the node's CPU below is not the JIT's and start-up's
    timeout 300 "$OUT/kvload" --port "$PORT" --workload "$WORKLOAD" "${load_args[@]}" \
        --value-size "$VALUE_SIZE" --duration "$(seconds "$WARMUP")" --warmup 1 \
        >/dev/null 2>>"$OUT/kvload.log"
    cpu_before=$(node_cpu_ticks)
    loop_before=$(loop_cpu_ticks)
    start_syscall_count "$label-$3"
    timeout 300 "$OUT/kvload" --port "$PORT" --workload "$WORKLOAD" "${load_args[@]}" \
        --value-size "$VALUE_SIZE" --duration "$(seconds "$DURATION")" --warmup "$(seconds "$WARMUP")" \
        2>>"$OUT/kvload.log" | grep '^{' > "$OUT/$label-$3.json"
  else
    cpu_before=$(node_cpu_ticks)
    loop_before=$(loop_cpu_ticks)
    timeout 300 java -Xmx512m -XX:+UseParallelGC -jar "$AFTER_JAR" bench --node "127.0.0.1:$PORT" \
        --workload "$WORKLOAD" --window "$WINDOW" --value-size "$VALUE_SIZE" \
        --duration "$DURATION" --warmup "$WARMUP" --json > "$OUT/$label-$3.json"
  fi
  local cpu_ms=$(( ($(node_cpu_ticks) - cpu_before) * 1000 / $(getconf CLK_TCK) ))
  local loop_ms=$(( ($(loop_cpu_ticks) - loop_before) * 1000 / $(getconf CLK_TCK) ))
  stop_syscall_count
  # per request: the run's CPU over the requests of warm-up and measurement (at the measured rate)
  # and the preload's PUTs (kvload: one per key); start-up is not in it, the preload's share is
  local requests
  requests=$(grep -o '"opsPerSecond":[0-9.]*' "$OUT/$label-$3.json" | cut -d: -f2 \
    | awk -v d="$(seconds "$DURATION")" -v w="$(seconds "$WARMUP")" -v k="$([ "$GENERATOR" = kvload ] && echo 10000 || echo 0)" \
      '{printf "%d", $1 * (d + w) + k}')
  local cpu_us_per_request
  cpu_us_per_request=$(awk -v c="$cpu_ms" -v r="$requests" 'BEGIN {printf "%.2f", (r > 0 ? c * 1000 / r : 0)}')
  echo "$cpu_us_per_request" > "$OUT/$label-$3.cpu"
  awk -v c="$loop_ms" -v r="$requests" 'BEGIN {printf "%.2f\n", (r > 0 ? c * 1000 / r : 0)}' > "$OUT/$label-$3.loopcpu"
  if [ -s "$OUT/$label-$3.syscalls" ]; then # per request, the same count of requests as above
    grep 'sys_enter' "$OUT/$label-$3.syscalls" | awk -F, -v r="$requests" \
      '$1 + 0 > 0 {sub("syscalls:sys_enter_", "", $3); printf "%s %.3f  ", $3, $1 / r} END {print ""}' \
      > "$OUT/$label-$3.syscalls-per-request"
  fi
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true; node_pid=""
  rm -rf "$OUT/data-$label-$3"
  printf '%-7s round %s  %s\n' "$label" "$3" \
    "$(grep -o '"opsPerSecond":[0-9.]*\|"timeouts":[0-9]*\|"errors":{[^}]*}\|"p50[A-Za-z]*":[0-9.]*\|"p99[A-Za-z]*":[0-9.]*' "$OUT/$label-$3.json" | tr '\n' ' ') node_cpu_ms $cpu_ms node_us/req $cpu_us_per_request loop_us/req $(cat "$OUT/$label-$3.loopcpu") load $(cut -d' ' -f1 /proc/loadavg)"
  [ -s "$OUT/$label-$3.syscalls-per-request" ] && echo "        system calls per request: $(cat "$OUT/$label-$3.syscalls-per-request")"
  return 0
}

# SYSCALLS=1: the node's system calls on the path (tracepoints, perf stat) during the measured run
SYSCALLS=${SYSCALLS:-0}
SYSCALL_EVENTS=recvmmsg,recvmsg,sendmsg,sendmmsg,epoll_wait,epoll_pwait,epoll_pwait2,write,read,timerfd_settime
perf_pid=""
start_syscall_count() {
  [ "$SYSCALLS" = 1 ] || return 0
  local events
  events=$(echo "$SYSCALL_EVENTS" | tr ',' '\n' | sed 's/^/syscalls:sys_enter_/' | paste -sd,)
  timeout 300 perf stat -x, -e "$events" -p "$node_pid" -o "$OUT/$1.syscalls" &
  perf_pid=$!
}
stop_syscall_count() {
  [ -n "$perf_pid" ] || return 0
  kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; perf_pid=""
}

# utime + stime of the node process, in clock ticks
node_cpu_ticks() { awk '{print $14 + $15}' "/proc/$node_pid/stat"; }
# the same for its event-loop threads only (Netty's "multiThreadIoEventLoopGroup-N-M", cut to 15
# characters by the kernel): without the JIT compiler, GC and background threads, whose share of
# a short run varies with the machine's load
loop_cpu_ticks() {
  local t total=0
  for t in /proc/"$node_pid"/task/*; do
    if [[ "$(cat "$t/comm" 2>/dev/null)" == multiThreadIoEv* ]]; then
      total=$((total + $(sed 's/^.*) //' "$t/stat" | awk '{print $12 + $13}')))
    fi
  done
  echo "$total"
}

median() { sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%.1f", m}'; }

for r in $(seq 1 "$ROUNDS"); do
  run before "$BEFORE_JAR" "$r"
  run after "$AFTER_JAR" "$r"
done
for label in before after; do
  printf '%s median ops/s %s, node CPU us/request %s, event loops us/request %s' "$label" \
    "$(cat "$OUT"/$label-*.json | grep -o '"opsPerSecond":[0-9.]*' | cut -d: -f2 | median)" \
    "$(cat "$OUT"/$label-*.cpu | median)" "$(cat "$OUT"/$label-*.loopcpu | median)"
  if [ "$GENERATOR" = kvload ]; then
    printf ', p99 us %s' "$(cat "$OUT"/$label-*.json | grep -o '"latencyMicros":{[^}]*}' | grep -o '"p99":[0-9.]*' | cut -d: -f2 | median)"
  fi
  echo " ($ROUNDS runs)"
done
echo "results in $OUT"
