package io.kvstore.statusserver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last few samples of a node's sparkline stats, in primitive arrays: at 10,000 nodes boxed
 * values would cost several times the memory.
 */
final class HistoryRing {
  private final long[] times;
  private final float[][] series;
  private int next;
  private int size;

  HistoryRing(int capacity, int seriesCount) {
    times = new long[capacity];
    series = new float[seriesCount][capacity];
  }

  /** Appends one sample; {@code values[i]} belongs to series i. */
  void add(long atMillis, float[] values) {
    times[next] = atMillis;
    for (int i = 0; i < series.length; i++) {
      series[i][next] = values[i];
    }
    next = (next + 1) % times.length;
    size = Math.min(size + 1, times.length);
  }

  NodeHistory snapshot(List<String> seriesNames) {
    int oldest = (next - size + times.length) % times.length;
    List<Long> at = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      at.add(times[(oldest + i) % times.length]);
    }
    Map<String, float[]> named = new LinkedHashMap<>();
    for (int s = 0; s < series.length; s++) {
      float[] values = new float[size];
      for (int i = 0; i < size; i++) {
        values[i] = series[s][(oldest + i) % times.length];
      }
      named.put(seriesNames.get(s), values);
    }
    return new NodeHistory(at, named);
  }
}
