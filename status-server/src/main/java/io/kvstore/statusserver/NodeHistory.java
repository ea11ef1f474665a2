package io.kvstore.statusserver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's recent reports, oldest first, for the sparklines.
 *
 * @param timesMillis when each report arrived (wall clock)
 * @param series for each sparkline stat, its value in each report (NaN where it was missing)
 */
public record NodeHistory(List<Long> timesMillis, Map<String, float[]> series) {

  static NodeHistory empty(List<String> seriesNames) {
    Map<String, float[]> series = new LinkedHashMap<>();
    seriesNames.forEach(name -> series.put(name, new float[0]));
    return new NodeHistory(List.of(), series);
  }
}
