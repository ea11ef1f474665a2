#!/usr/bin/env bash
# Fuzzes every Jazzer target (*FuzzTest.java) in fuzzing mode, one after another, each for a
# bounded time. CI runs the same targets in regression mode (their seed inputs only).
#
#   bench/fuzz.sh                 # every target, 5 minutes each
#   DURATION=30m bench/fuzz.sh SwimCodecFuzzTest StatusCodecFuzzTest
#
# A finding fails the run and leaves its input as a new seed in
# <module>/src/test/resources/<package>/<Class>Inputs/<method>/ (commit it with the fix) plus a
# crash-* file in the module directory. Fuzzing needs ~2.5 GB of memory per target.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-5m}"

targets=()
if [ "$#" -gt 0 ]; then
  for name in "$@"; do
    targets+=("$(find . -path '*/src/test/java/*' -name "$name.java" -not -path './bench/*' | head -1)")
  done
else
  while IFS= read -r f; do targets+=("$f"); done < <(find . -path '*/src/test/java/*' -name '*FuzzTest.java' | sort)
fi

failed=0
for file in "${targets[@]}"; do
  [ -n "$file" ] || { echo "no such fuzz target" >&2; exit 2; }
  module="${file#./}"; module="${module%%/src/*}"
  class="$(basename "$file" .java)"
  echo "=== fuzzing $module $class for $DURATION"
  if ! JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$DURATION" \
      mvn -B -o test -pl "$module" -am -Dtest="$class" -Dsurefire.failIfNoSpecifiedTests=false \
      > "/tmp/fuzz-$class.log" 2>&1; then
    echo "    FAILED: see /tmp/fuzz-$class.log and $module/crash-*" >&2
    failed=1
  else
    grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|Done [0-9]+ runs" "/tmp/fuzz-$class.log" | tail -1 || true
    echo "    ok"
  fi
done
exit "$failed"
