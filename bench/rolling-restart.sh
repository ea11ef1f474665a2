#!/usr/bin/env bash
# Rolling restart under load (issue 11 item 4): 5 node JVMs under ./kvstore cluster (the supervisor),
# a mixed load through every node recorded into the history checker, `./kvstore ops rollout`;
# prints the rollout's lines, the requests that failed (transient: sent to the restarting node;
# otherwise) and the checker's verdict: RollingRestartIT (also in CI), RUNS times in a row.
# Every JVM it starts is ended by the test, also on failure.
#   bench/rolling-restart.sh [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS=${1:-1}
for run in $(seq 1 "$RUNS"); do
  echo "== run $run of $RUNS"
  (cd "$ROOT" && timeout -k 10 900 mvn -B -o verify -pl cli -am -Dit.test=RollingRestartIT -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false) \
    | grep -E "^\[[0-9]+/[0-9]+\]|rolling restart|history:|via port|Tests run:|LOST_WRITE|PHANTOM|RESURRECTION" || true
done
