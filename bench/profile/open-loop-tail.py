#!/usr/bin/env python3
"""Lays an open loop's slow requests beside the node JVM's safepoints (GC pauses among them).

Input: kvload's --slow-log (lines "start_ns latency_ns", CLOCK_MONOTONIC), the node's
-Xlog:safepoint log decorated with timenanos (the same clock: System.nanoTime), and kvload's JSON
line (for the p99 / p99.9 thresholds). Prints, for the requests at or above p99 and p99.9: how
many overlap a safepoint (the request was in flight while the JVM stood), how many start within
2 ms after one ended (the queue a pause leaves), and the rest; and the safepoints of the measured
window by kind, with their total and longest time.

  open-loop-tail.py SLOW_LOG SAFEPOINT_LOG RESULT_JSON
"""
import json
import re
import sys
from bisect import bisect_right
from collections import defaultdict

SAFEPOINT = re.compile(
    r"^.*\[(\d+)ns\].*Safepoint \"([^\"]+)\".*Total: (\d+) ns")
AFTER_NS = 2_000_000


def overlaps(pauses, starts, start, latency):
    """True if a safepoint stood while the request was in flight."""
    j = bisect_right(starts, start + latency) - 1
    return j >= 0 and any(pauses[k][1] >= start for k in range(max(0, j - 3), j + 1))


def main(slow_path, log_path, json_path):
    result = json.loads([l for l in open(json_path) if l.startswith("{")][-1])
    lat = result["latencyMicros"]
    measure_from = end = None
    slow = []
    for line in open(slow_path):
        if line.startswith("# measure_from_ns"):
            f = line.split()
            measure_from, end = int(f[2]), int(f[4])
        elif line[0] != "#":
            a, b = line.split()
            slow.append((int(a), int(b)))
    pauses = []  # (start, end, kind)
    for line in open(log_path):
        m = SAFEPOINT.match(line)
        if m:
            t, kind, total = int(m.group(1)), m.group(2), int(m.group(3))
            pauses.append((t - total, t, kind))
    pauses.sort()
    starts = [p[0] for p in pauses]
    in_window = [p for p in pauses if p[1] >= measure_from and p[0] <= end]
    by_kind = defaultdict(list)
    for p in in_window:
        by_kind[p[2]].append(p[1] - p[0])
    seconds = (end - measure_from) / 1e9
    print(f"measured {seconds:.1f} s, {result['ops']} requests at {result['opsPerSecond']:.0f}/s; "
          f"p50 {lat['p50']} p99 {lat['p99']} p99.9 {lat['p999']} max {lat['max']} us")
    print(f"safepoints in the window: {len(in_window)}, "
          f"{sum(p[1] - p[0] for p in in_window) / 1e6:.2f} ms in all "
          f"({sum(p[1] - p[0] for p in in_window) / 1e7 / seconds:.3f}% of the time)")
    for kind, ds in sorted(by_kind.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {kind:<28} {len(ds):5d}  total {sum(ds) / 1e6:8.2f} ms  max {max(ds) / 1e3:8.1f} us"
              f"  mean {sum(ds) / len(ds) / 1e3:7.1f} us")
    in_pause = sum(min(p[1], end) - max(p[0], measure_from) for p in in_window)
    print(f"by latency band (by chance a request overlaps a safepoint with about "
          f"{100 * in_pause / (end - measure_from):.2f}% + its own latency's share):")
    bands = [100, 250, 500, 1000, 2000, 5000, 10 ** 9]
    for lo, hi in zip(bands, bands[1:]):
        chosen = [r for r in slow if lo * 1e3 <= r[1] < hi * 1e3]
        hits = sum(overlaps(pauses, starts, a, b) for a, b in chosen)
        print(f"  {lo:>5} us .. {'' if hi == 10 ** 9 else hi:>5}: {len(chosen):7d} requests "
              f"({100 * len(chosen) / max(1, result['ops']):.3f}%), during a safepoint {hits} "
              f"({100 * hits / max(1, len(chosen)):.0f}%)")
    for name, threshold_us in (("p99", lat["p99"]), ("p99.9", lat["p999"])):
        chosen = [r for r in slow if r[1] >= threshold_us * 1e3]
        overlap = after = 0
        for start, latency in chosen:
            i = bisect_right(starts, start + latency) - 1  # last pause starting before the reply
            hit = near = False
            j = i
            while j >= 0 and pauses[j][1] >= start - AFTER_NS:
                if pauses[j][1] >= start:
                    hit = True
                    break
                near = True
                j -= 1
            overlap += hit
            after += near and not hit
        n = len(chosen) or 1
        print(f"requests >= {name} ({threshold_us} us): {len(chosen)}; in flight during a safepoint "
              f"{overlap} ({100 * overlap / n:.0f}%), started <= 2 ms after one {after} "
              f"({100 * after / n:.0f}%), neither {len(chosen) - overlap - after} "
              f"({100 * (len(chosen) - overlap - after) / n:.0f}%)")
        # Episodes: slow requests whose starts lie within 1 ms of each other are one stall.
        episodes = []
        for start, latency in sorted(chosen):
            if episodes and start - episodes[-1][1] <= 1_000_000:
                episodes[-1][1] = start
                episodes[-1][2] += 1
                episodes[-1][3] = max(episodes[-1][3], latency)
            else:
                episodes.append([start, start, 1, latency])
        longest = sorted(episodes, key=lambda e: -e[2])[:5]
        print(f"  in {len(episodes)} episodes (starts within 1 ms); largest: " + ", ".join(
            f"{e[2]} req over {(e[1] - e[0]) / 1e3:.0f} us, max {e[3] / 1e3:.0f} us at +{(e[0] - measure_from) / 1e6:.0f} ms"
            for e in longest))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
