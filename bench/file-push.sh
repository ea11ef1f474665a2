#!/usr/bin/env bash
# Issue 11's file-push figure: ./kvstore ops push of a 100 MB file (MB=... to change) to 5 node
# JVMs on loopback (cli FilePushIT, which CI runs with 20 MB). Prints the time until the last node
# has the file byte-identical (SHA-256 checked), the bytes the origin served to its peers, the peak
# RSS (VmHWM) of the CLI and of every node, and the load average before and after. Needs about
# 11x the file size free in java.io.tmpdir (the file, then per node the file and its chunks);
# the test's directory is deleted afterwards. Run under `flock /work/wt/bench.lock` on a shared machine.
#
#   bench/file-push.sh            # 100 MB
#   MB=1000 bench/file-push.sh    # 1 GB: memory stays bounded (64 MB node heaps)
#
# Full output: cli/target/file-push-bench.log (per worktree: two checkouts never share it).
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${MB:-100}"
log=cli/target/file-push-bench.log
mkdir -p cli/target
status=0
echo "before: $(uptime)"
mvn -B -o verify -pl cli -am -Dit.test=FilePushIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.push.mb="$MB" -Dit.push.max-origin-ratio=2.0 > "$log" 2>&1 || status=$?
echo "after:  $(uptime)"
grep -E "^file push( memory)?:" "$log" || true
grep -E "Tests run:.*FilePushIT|BUILD" "$log" | tail -2 || true
exit "$status"
