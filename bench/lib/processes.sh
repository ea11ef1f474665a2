# Shared by the bench/*.sh comparison scripts (sourced, not run): logging, durations, ports, and
# the processes a script starts. Every process a script starts goes into STARTED_PIDS and is
# stopped by pid, never by name: on success, on failure and on Ctrl-C (bench_traps).

STARTED_PIDS=()
DATA_DIRS=() # temporary data directories, removed by cleanup

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Whole seconds in a duration as the load generators take it (500ms, 10s, 2m), rounded up.
seconds_of() {
  local v=$1
  case "$v" in
    *ms) echo $(((${v%ms} + 999) / 1000)) ;;
    *m) echo $((${v%m} * 60)) ;;
    *s) echo $((${v%s})) ;;
    *) echo $((v)) ;;
  esac
}

# True if a UDP or TCP socket listens on the port.
port_in_use() {
  ss -Hlun "sport = :$1" 2>/dev/null | grep -q . || ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# Sets the variable named $1 to a port free for both UDP and TCP, from a random start in
# 20000-59999, skipping the ports handed out before (their process may not listen yet). Not a
# $(command substitution): the subshell would forget what it handed out.
HANDED_OUT_PORTS=" "
free_port() {
  local _candidate=$((20000 + RANDOM % 40000)) _try
  for _try in $(seq 1 200); do
    if ! port_in_use "$_candidate" && [[ "$HANDED_OUT_PORTS" != *" $_candidate "* ]]; then
      HANDED_OUT_PORTS+="$_candidate "
      printf -v "$1" "%s" "$_candidate"
      return 0
    fi
    _candidate=$((20000 + (_candidate - 20000 + 7919) % 40000))
  done
  die "found no free port"
}

# Stops a process this script started: SIGTERM, then SIGKILL if it lingers for 5 s. The pid is then
# forgotten, so that cleanup never signals a later process that reuses the number.
stop_pid() {
  local pid=$1 kept=() p
  for p in "${STARTED_PIDS[@]}"; do
    [ "$p" = "$pid" ] || kept+=("$p")
  done
  STARTED_PIDS=("${kept[@]}")
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

# Waits until the node PID on 127.0.0.1:PORT answers IS_ALIVE (needs $KVSTORE); dies naming LOG
# if it exits or does not answer within TIMEOUT seconds.
await_node_alive() {
  local pid=$1 port=$2 log_file=$3 limit=$4
  local deadline=$((SECONDS + limit))
  until timeout 20 "$KVSTORE" is-alive --node "127.0.0.1:$port" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "the node exited; see $log_file"
    [ $SECONDS -lt $deadline ] || die "the node did not answer within ${limit}s"
    sleep 0.5
  done
}

stop_all_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    stop_pid "$pid"
  done
}

# Runs a bounded command in the background and waits for it, so that Ctrl-C is handled at once
# (bash runs traps only between foreground commands) and cleanup can stop it by pid.
#   run_bounded SECONDS OUTFILE ERRFILE command args...
run_bounded() {
  local seconds=$1 out=$2 err=$3 pid rc=0
  shift 3
  timeout -k 5 "$seconds" "$@" >"$out" 2>>"$err" &
  pid=$!
  STARTED_PIDS+=("$pid")
  wait "$pid" || rc=$?
  stop_pid "$pid"
  return "$rc"
}

# Stops every process still running, then removes the data directories.
cleanup() {
  stop_all_started
  local dir
  for dir in "${DATA_DIRS[@]}"; do
    rm -rf "$dir"
  done
}

# Installs the traps: cleanup on exit, and exit on Ctrl-C or SIGTERM, which then runs cleanup.
bench_traps() {
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

# Compiles the native load generator into $1 (bench/loadgen/kvload.c, Debian's gcc), build log in $2
# if given; dies with the reason when it does not compile.
compile_kvload() {
  local dest=$1 build_log=${2:-/dev/stderr}
  gcc -O2 -std=c11 -Wall -pthread -o "$dest" "$ROOT/bench/loadgen/kvload.c" -lm 2>"$build_log" \
    || die "compiling kvload failed${2:+; see $2}"
}

# Builds ./kvstore once if needed (its launcher builds on first use), then lets every later call skip it.
build_kvstore_once() {
  timeout 900 "$KVSTORE" --help >/dev/null || die "building KVStore failed"
  export KVSTORE_SKIP_BUILD=1
}

