package io.kvstore.node.ops.run;

/**
 * What one operation did on one node: kept in {@link RecentResults}, whose results go to the
 * status server as stats of the node's reports (the monitor package's OpsResultMetrics).
 *
 * @param id the operation id, 32 lower-case hex digits
 * @param node the node id that ran it
 * @param kind what the operation is ({@code script} or {@code file})
 * @param targets the operation's target selector, as text ({@code all}, {@code ids:a,b},
 *     {@code label:k=v})
 * @param state where it stands
 * @param exitCode the script's exit code (-1 while it runs, or when it never started or was
 *     killed before it could exit by itself)
 * @param durationMillis how long it has run (0 before it started)
 * @param outputTail the end of its merged stdout and stderr (at most the runner's tail size)
 * @param truncatedBytes output bytes not kept (the tail is the rest)
 */
public record OperationResult(
    String id, String node, String kind, String targets, OperationState state, int exitCode,
    long durationMillis, String outputTail, long truncatedBytes) {

  public OperationResult {
    if (id == null || node == null || kind == null || targets == null || state == null
        || outputTail == null) {
      throw new IllegalArgumentException("every field of a result is required");
    }
  }

  /** The first 8 hex digits: how status reports name the operation. */
  public String shortId() {
    return id.substring(0, Math.min(8, id.length()));
  }

  /** The same result in another state, after {@code durationMillis}, with output so far. */
  OperationResult advance(
      OperationState newState, int exit, long duration, String tail, long truncated) {
    return new OperationResult(id, node, kind, targets, newState, exit, duration, tail, truncated);
  }
}
