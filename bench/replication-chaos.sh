#!/usr/bin/env bash
# The long run of the replication chaos simulation (KvReplicationChaosTest): SEEDS seeded runs of
# 10-MAX_NODES simulated nodes (N=3 R=2 W=2, durable storage, one node at a time crashed,
# isolated or paused, up to 20% loss, duplication, reordering, clock skew up to 10 s), each
# checked by the history checker. Prints one line per seed and the totals: runs, operations
# checked, faults injected, violations. A failing seed prints its minimal histories and the
# command that replays it.
#
#   bench/replication-chaos.sh                 # 500 seeds, up to 50 nodes
#   SEEDS=50 FIRST_SEED=1000 MAX_NODES=20 bench/replication-chaos.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEEDS=${SEEDS:-500}
FIRST_SEED=${FIRST_SEED:-1}
MAX_NODES=${MAX_NODES:-50}
LOG=$(mktemp "${TMPDIR:-/tmp}/kvstore-replication-chaos.XXXXXX.log")
echo "log: $LOG"
cd "$ROOT"
status=0
mvn -B -o test -pl simulator -am -Dtest=KvReplicationChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dsim.chaos.seeds="$SEEDS" -Dsim.chaos.firstSeed="$FIRST_SEED" -Dsim.chaos.maxNodes="$MAX_NODES" \
    >"$LOG" 2>&1 || status=$?
grep -E '^seed [0-9]+, [0-9]+ nodes:' "$LOG" || true
grep -E 'replay it with|^  mvn ' "$LOG" || true
grep -E '^chaos totals:' "$LOG" || echo "no totals: the run did not finish (see $LOG)"
grep -E 'Tests run:.*KvReplicationChaosTest' "$LOG" || true
exit "$status"
