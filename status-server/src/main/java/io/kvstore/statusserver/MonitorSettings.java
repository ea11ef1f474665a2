package io.kvstore.statusserver;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * How the status server judges and remembers nodes, and the bounds of what it keeps.
 *
 * @param notRespondingAfterMillis a node without a report for this long is shown not-responding
 * @param historyPoints how many recent reports each node's sparklines keep
 * @param maxNodes the most nodes tracked (members only: reports never add a node)
 * @param sparklineStats the stats whose recent history is kept for the node page
 * @param memoryBudgetBytes the heap the view may keep (estimated by {@link Footprint}): nodes and
 *     reports beyond it are refused and counted, never an OutOfMemoryError
 * @param limits the most one report may carry
 */
public record MonitorSettings(
    long notRespondingAfterMillis,
    int historyPoints,
    int maxNodes,
    List<String> sparklineStats,
    long memoryBudgetBytes,
    ReportLimits limits) {

  /** 2.5 collection intervals of 10 s: one late or lost report does not flag a node. */
  public static final long DEFAULT_NOT_RESPONDING_AFTER_MILLIS = 25_000;

  public static final int DEFAULT_HISTORY_POINTS = 60;
  public static final int DEFAULT_MAX_NODES = 100_000;
  public static final List<String> DEFAULT_SPARKLINE_STATS =
      List.of("requests.rate", "latency.p99", "keys", "jvm.heap.used", "load.1m");

  /**
   * A third of the heap: the rest is for the intake queue, JSON and live updates (which grow
   * with the node count) and the HTTP server.
   */
  public static long defaultMemoryBudget() {
    return Runtime.getRuntime().maxMemory() / 3;
  }

  public MonitorSettings {
    if (notRespondingAfterMillis <= 0 || historyPoints <= 0 || maxNodes <= 0
        || memoryBudgetBytes <= 0) {
      throw new IllegalArgumentException("monitor settings must be positive");
    }
    sparklineStats = List.copyOf(new LinkedHashSet<>(sparklineStats));
  }

  public MonitorSettings(
      long notRespondingAfterMillis, int historyPoints, int maxNodes, List<String> sparklineStats) {
    this(notRespondingAfterMillis, historyPoints, maxNodes, sparklineStats, defaultMemoryBudget(),
        ReportLimits.DEFAULTS);
  }

  public static MonitorSettings defaults() {
    return new MonitorSettings(
        DEFAULT_NOT_RESPONDING_AFTER_MILLIS,
        DEFAULT_HISTORY_POINTS,
        DEFAULT_MAX_NODES,
        DEFAULT_SPARKLINE_STATS);
  }

  public MonitorSettings withNotRespondingAfterMillis(long millis) {
    return new MonitorSettings(millis, historyPoints, maxNodes, sparklineStats, memoryBudgetBytes, limits);
  }

  public MonitorSettings withMemoryBudgetBytes(long bytes) {
    return new MonitorSettings(notRespondingAfterMillis, historyPoints, maxNodes, sparklineStats, bytes, limits);
  }
}
