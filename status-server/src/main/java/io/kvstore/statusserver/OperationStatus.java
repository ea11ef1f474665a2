package io.kvstore.statusserver;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One operation as the status server knows it: its per-node results, and the targeted nodes that
 * have not reported it yet ({@link #WAITING}).
 *
 * @param id the first 8 hex digits of the operation id (how reports name it)
 * @param targets the selector as the CLI writes it: {@code all}, {@code ID,ID} or {@code name=value}
 */
public record OperationStatus(String id, String kind, String targets, Instant firstSeen, List<NodeResult> nodes) {
  /** The state of a targeted node that has not reported the operation. */
  public static final String WAITING = "WAITING";

  /**
   * @param state QUEUED, RUNNING, DONE, TIMED_OUT, REFUSED, FAILED_TO_START or {@link #WAITING}
   * @param exit the exit code (-1: none)
   * @param tail the output tail (empty in lists)
   */
  public record NodeResult(String node, String state, int exit, long durationMillis, long truncatedBytes,
      String tail, Instant updated) {}

  /** How many nodes are in each state. */
  public Map<String, Long> counts() {
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (NodeResult n : nodes) {
      counts.merge(n.state(), 1L, Long::sum);
    }
    return counts;
  }

  /** Whether node {@code id} with {@code labels} is one the selector {@code targets} names. */
  static boolean targets(String targets, String id, Map<String, String> labels) {
    if (targets.equals("all")) {
      return true;
    }
    int eq = targets.indexOf('=');
    if (eq >= 0) {
      return targets.substring(eq + 1).equals(labels.get(targets.substring(0, eq)));
    }
    return java.util.Arrays.asList(targets.split(",")).contains(id);
  }
}
