package io.kvstore.node.replication;

/**
 * How keys are replicated (the {@code replication:} section of the node config; docs/REPLICATION.md).
 *
 * @param n replicas of every key (distinct nodes on the ring's preference list)
 * @param r replicas that must answer a read
 * @param w replicas that must acknowledge a write; hints never count
 * @param timeoutMillis how long a coordinator waits for R or W answers before it answers 0x22
 * @param tombstoneGraceMillis deletes are kept this long as tombstones, then collected; a replica
 *     that was down longer than this rejoins empty
 * @param maxOutstanding operations a node coordinates at once (beyond: 0x03)
 * @param maxHintBytes bytes of hints a node keeps for replicas that are down
 * @param readRepairsPerSecond read repairs each coordinator sends per second at most (beyond: skipped and counted)
 * @param antiEntropyIntervalMillis a node starts an anti-entropy round with its next peer this often (0: never;
 *     it still answers its peers' rounds)
 * @param antiEntropyBytesPerSecond anti-entropy's I/O budget: bytes read from storage plus bytes sent
 */
public record ReplicationConfig(
    int n,
    int r,
    int w,
    long timeoutMillis,
    long tombstoneGraceMillis,
    int maxOutstanding,
    long maxHintBytes,
    int readRepairsPerSecond,
    long antiEntropyIntervalMillis,
    long antiEntropyBytesPerSecond) {

  public ReplicationConfig {
    if (n < 1 || n > 7) {
      throw new IllegalArgumentException("n must be 1 to 7, got " + n);
    }
    if (r < 1 || r > n || w < 1 || w > n) {
      throw new IllegalArgumentException("r and w must be 1 to n (" + n + "), got r=" + r + " w=" + w);
    }
    if (r + w <= n) {
      throw new IllegalArgumentException("r + w must exceed n (got r=" + r + " w=" + w + " n=" + n
          + "): a read could miss an acknowledged write");
    }
    if (2 * w <= n) {
      throw new IllegalArgumentException("w must be a majority of n (got w=" + w + " n=" + n
          + "): under clock skew an earlier write could win over an acknowledged later one");
    }
    if (timeoutMillis < 1 || tombstoneGraceMillis < 1 || maxOutstanding < 1 || maxHintBytes < 0
        || readRepairsPerSecond < 0 || antiEntropyIntervalMillis < 0 || antiEntropyBytesPerSecond < 1) {
      throw new IllegalArgumentException("replication timeouts and bounds must be positive");
    }
  }

  public static ReplicationConfig defaults() {
    return new ReplicationConfig(3, 2, 2, 500, 86_400_000L, 16_384, 64L << 20, 1_024, 60_000, 4L << 20);
  }

  /** The same with another bound on coordinated operations and another timeout. */
  public ReplicationConfig withLimits(int maxOutstanding, long timeoutMillis) {
    return new ReplicationConfig(n, r, w, timeoutMillis, tombstoneGraceMillis, maxOutstanding,
        maxHintBytes, readRepairsPerSecond, antiEntropyIntervalMillis, antiEntropyBytesPerSecond);
  }

  /** The same with another replication factor and quorums. */
  public ReplicationConfig withQuorums(int n, int r, int w) {
    return new ReplicationConfig(n, r, w, timeoutMillis, tombstoneGraceMillis, maxOutstanding,
        maxHintBytes, readRepairsPerSecond, antiEntropyIntervalMillis, antiEntropyBytesPerSecond);
  }

  /** The same with another anti-entropy interval and I/O budget. */
  public ReplicationConfig withAntiEntropy(long intervalMillis, long bytesPerSecond) {
    return new ReplicationConfig(n, r, w, timeoutMillis, tombstoneGraceMillis, maxOutstanding,
        maxHintBytes, readRepairsPerSecond, intervalMillis, bytesPerSecond);
  }
}
