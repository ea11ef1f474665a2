package io.kvstore.node.request;

import io.kvstore.node.sources.SourceKeys;
import java.net.InetAddress;

/**
 * Limits error replies per source address (token bucket), so that a spoofer cannot aim a stream
 * of them at a victim, nor two servers keep a ping-pong of each other's errors going. Keyed by
 * address, never port (a spoofer varies ports freely; IPv6 by /64, as the reply budget is). Fixed
 * memory: addresses hash into a table, and a collision shares a bucket, never refills one. Not
 * thread-safe: one per event loop.
 */
final class ErrorReplyLimiter {
  private static final int SLOTS = 4096;

  private final boolean[] used = new boolean[SLOTS];
  private final double[] tokens = new double[SLOTS];
  private final long[] refilledAt = new long[SLOTS];
  private final double perSecond;
  private final double burst;

  ErrorReplyLimiter(double perSecond, double burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Whether an error reply to {@code source} may be sent now; takes a token if so. */
  boolean tryAcquire(InetAddress source, long nowNanos) {
    int slot = (int) (SourceKeys.mix(SourceKeys.of(source)) & (SLOTS - 1));
    if (!used[slot]) {
      used[slot] = true;
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
