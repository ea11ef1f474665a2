#!/usr/bin/env bash
# The process-level chaos test (cli ChaosIT) for longer than CI runs it: 5 node JVMs on loopback
# under mixed client load, a random fault every few seconds (kill -9 + restart, SIGSTOP/SIGCONT,
# partition of one node by an nftables table the test creates and deletes), then the history
# checker. Partitions need root and nft (apt-get install nftables); without them only kills and
# pauses are injected, and the test says so.
#
#   bench/chaos.sh                      # 10 minutes, random seed
#   MINUTES=30 SEED=42 bench/chaos.sh   # replay a fault schedule for longer
#
# Prints the seed, every fault, the load's reply codes, operations checked and faults injected;
# exits non-zero on any checker violation. Full output: /tmp/chaos-bench.log.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${MINUTES:-10}"
args=(-Dchaos.duration.ms=$((MINUTES * 60 * 1000)))
[ -n "${SEED:-}" ] && args+=(-Dchaos.seed="$SEED")

status=0
mvn -B -o verify -pl cli -am -Dit.test=ChaosIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false "${args[@]}" > /tmp/chaos-bench.log 2>&1 || status=$?
grep -E "^chaos:" /tmp/chaos-bench.log || true
grep -E "Tests run:.*ChaosIT|BUILD" /tmp/chaos-bench.log | tail -2 || true
exit "$status"
