package io.kvstore.node.request;

/**
 * Limits error replies per source (token bucket), so that two servers answering each other's
 * errors cannot keep a datagram ping-pong going. Fixed memory: sources hash into a table and a
 * collision merely shares a bucket. Not thread-safe: one per event loop.
 */
final class ErrorReplyLimiter {
  private static final int SLOTS = 4096;

  private final long[] sources = new long[SLOTS];
  private final boolean[] occupied = new boolean[SLOTS];
  private final double[] tokens = new double[SLOTS];
  private final long[] refilledAt = new long[SLOTS];
  private final double perSecond;
  private final double burst;

  ErrorReplyLimiter(double perSecond, double burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Whether an error reply to {@code source} may be sent now; takes a token if so. */
  boolean tryAcquire(long source, long nowNanos) {
    int slot = (int) (ReplyCache.mix(source) & (SLOTS - 1));
    if (sources[slot] != source || !occupied[slot]) {
      sources[slot] = source;
      occupied[slot] = true;
      tokens[slot] = burst;
      refilledAt[slot] = nowNanos;
    }
    double refill = (nowNanos - refilledAt[slot]) * perSecond / 1e9;
    tokens[slot] = Math.min(burst, tokens[slot] + refill);
    refilledAt[slot] = nowNanos;
    if (tokens[slot] >= 1) {
      tokens[slot] -= 1;
      return true;
    }
    return false;
  }
}
