package io.kvstore.node.replication;

/**
 * How ranges stream when the ring changes (in the {@code replication:} section; docs/REPLICATION.md).
 *
 * @param bytesPerSecond streamed bytes a node sends per second at most (all targets together)
 * @param settleMillis a pass starts this long after the ring changed, so that coordinators have
 *     the new ring by the time a key is scanned (writes placed by an old ring are not streamed)
 * @param leaveTimeoutMillis a graceful leave streams its ranges away for at most this long
 */
public record RebalanceConfig(long bytesPerSecond, long settleMillis, long leaveTimeoutMillis) {
  public RebalanceConfig {
    if (bytesPerSecond < 1_024 || settleMillis < 0 || leaveTimeoutMillis < 0) {
      throw new IllegalArgumentException("rebalance-bytes-per-second must be at least 1KB and"
          + " rebalance-settle-ms, leave-stream-timeout-ms not negative");
    }
  }

  public static RebalanceConfig defaults() {
    return new RebalanceConfig(8L << 20, 1_000, 30_000);
  }
}
