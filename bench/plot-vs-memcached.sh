#!/usr/bin/env bash
# Renders the JSON lines of bench/run-vs-memcached.sh as one SVG per placement: closed-loop
# throughput (median ops/s of each workload and window, memcached beside KVStore) and, from the
# open-loop runs, latency percentiles (p50, p99, p99.9; median over rounds) against the offered
# rate. gnuplot from Debian draws it (installed here when missing, as root), as SVG and PNG.
#
#   bench/plot-vs-memcached.sh RESULTS.jsonl OUT_PREFIX   -> OUT_PREFIX-unpinned.svg/.png, ...
set -euo pipefail
RESULTS=${1:?usage: plot-vs-memcached.sh RESULTS.jsonl OUT_PREFIX}
PREFIX=${2:?usage: plot-vs-memcached.sh RESULTS.jsonl OUT_PREFIX}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvstore-plot.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if ! command -v gnuplot >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || { echo "gnuplot is missing: apt-get install -y gnuplot-nox" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y gnuplot-nox >"$WORK/apt.log" 2>&1 \
    || { timeout 600 apt-get update >>"$WORK/apt.log" 2>&1 && timeout 600 apt-get install -y gnuplot-nox >>"$WORK/apt.log" 2>&1; } \
    || { echo "could not install gnuplot-nox; see $WORK/apt.log" >&2; exit 1; }
fi

MEDIAN='def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                          else (.[length / 2 - 1] + .[length / 2]) / 2 end;'

for placement in $(jq -r '.placement' "$RESULTS" | sort -u); do
  # label memcached kvstore (median ops/s), one row per closed-loop workload and window
  jq -s -r --arg p "$placement" "$MEDIAN"'
    map(select(.placement == $p and .generator == "kvload" and .mode == "closed"))
    | group_by([.workload, .window]) | .[]
    | [ "\(.[0].workload | ascii_upcase) w\(.[0].window)",
        (map(select(.system == "memcached") | .opsPerSecond) | median // 0),
        (map(select(.system == "kvstore") | .opsPerSecond) | median // 0) ] | @tsv' \
    "$RESULTS" >"$WORK/throughput.tsv"
  # per system: rate p50 p99 p999 (microseconds), one row per open-loop rate
  for system in memcached kvstore; do
    jq -s -r --arg p "$placement" --arg s "$system" "$MEDIAN"'
      map(select(.placement == $p and .system == $s and .mode == "open"))
      | group_by(.targetRate) | .[]
      | [ .[0].targetRate, (map(.latencyMicros.p50) | median), (map(.latencyMicros.p99) | median),
          (map(.latencyMicros.p999) | median), (map(.opsPerSecond) | median) ] | @tsv' \
      "$RESULTS" >"$WORK/open-$system.tsv"
  done
  load=$(jq -s -r --arg p "$placement" 'map(select(.placement == $p) | .loadAverage) | sort
          | "\(.[0])-\(.[-1])"' "$RESULTS")
  out="$PREFIX-$placement.svg" output=""
  open_plot="set label 1 'no open-loop runs' at graph 0.3, graph 0.5; plot 2 notitle lc rgb 'white'"
  if [ -s "$WORK/open-memcached.tsv" ] || [ -s "$WORK/open-kvstore.tsv" ]; then
    open_plot="plot '$WORK/open-memcached.tsv' using 1:2 with linespoints lc rgb '#2b6cb0' pt 7 dt 1 title 'memcached p50', \
      '' using 1:3 with linespoints lc rgb '#2b6cb0' pt 5 dt 2 title 'memcached p99', \
      '' using 1:4 with linespoints lc rgb '#2b6cb0' pt 9 dt 3 title 'memcached p99.9', \
      '$WORK/open-kvstore.tsv' using 1:2 with linespoints lc rgb '#dd6b20' pt 7 dt 1 title 'KVStore p50', \
      '' using 1:3 with linespoints lc rgb '#dd6b20' pt 5 dt 2 title 'KVStore p99', \
      '' using 1:4 with linespoints lc rgb '#dd6b20' pt 9 dt 3 title 'KVStore p99.9'"
  fi
  for terminal in "svg size 1100,460 dynamic font 'sans,11' background rgb 'white'" \
                  "pngcairo size 1100,460 font 'sans,10'"; do
    case "$terminal" in svg*) output=$out ;; *) output=${out%.svg}.png ;; esac
    gnuplot <<EOF
set terminal $terminal
set datafile separator '\t'
set output '$output'
set multiplot layout 1,2 title "KVStore (RocksDB) vs memcached (-t 2, UDP), kvload, $placement, load average $load"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel 'ops/s (median of rounds, closed loop)'
set yrange [0:*]
set grid ytics
set key top right
set title 'Throughput'
set format y '%.0s%c'
plot '$WORK/throughput.tsv' using 2:xtic(1) title 'memcached' lc rgb '#2b6cb0', \
     '' using 3 title 'KVStore' lc rgb '#dd6b20'
unset style
set style data linespoints
set title 'GET latency vs offered rate (open loop, from scheduled send times)'
set xlabel 'offered rate (requests/s)'
set ylabel 'latency (µs, log scale)'
set logscale y
set format y '%g'
set format x '%.0s%c'
set xrange [0:*]
set yrange [*:*]
set key top left
$open_plot
unset multiplot
EOF
  done
  echo "$out ${out%.svg}.png"
done
