#!/usr/bin/env bash
# Issue 11's file-push figure: ./kvstore ops push of a 100 MB file (MB=... to change) to 5 node
# JVMs on loopback (cli FilePushIT, which CI runs with 20 MB). Prints the time until the last node
# has the file byte-identical (SHA-256 checked) and the bytes the origin served to its peers.
#
#   bench/file-push.sh            # 100 MB
#   MB=1000 bench/file-push.sh    # 1 GB: memory stays bounded (64 MB node heaps)
#
# Full output: /tmp/file-push-bench.log.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${MB:-100}"
status=0
mvn -B -o verify -pl cli -am -Dit.test=FilePushIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.push.mb="$MB" -Dit.push.max-origin-ratio=2.0 > /tmp/file-push-bench.log 2>&1 || status=$?
grep -E "^file push:" /tmp/file-push-bench.log || true
grep -E "Tests run:.*FilePushIT|BUILD" /tmp/file-push-bench.log | tail -2 || true
exit "$status"
