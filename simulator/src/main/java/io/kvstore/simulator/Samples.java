package io.kvstore.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations measured across runs, summarized by nearest-rank percentiles. */
final class Samples {
  private final List<Long> values = new ArrayList<>();
  private int timeouts;

  void add(long millis) {
    values.add(millis);
  }

  /** A measurement that did not finish within its bound (reported, never averaged in). */
  void timedOut() {
    timeouts++;
  }

  @Override
  public String toString() {
    if (values.isEmpty()) {
      return "no samples, " + timeouts + " timed out";
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return String.format("n=%d p50=%d ms p99=%d ms max=%d ms%s", sorted.size(), percentile(sorted, 50),
        percentile(sorted, 99), sorted.get(sorted.size() - 1), timeouts == 0 ? "" : ", " + timeouts + " timed out");
  }

  private static long percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
