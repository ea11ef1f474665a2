package io.kvstore.node.replication;

import io.kvstore.node.runtime.Clock;

/**
 * How many read repairs a coordinator sends per second (a token bucket refilled at that rate), so
 * that reads of a badly stale replica cannot turn into a write storm. Single-threaded.
 */
final class ReadRepairBudget {
  private final int perSecond;
  private final Clock clock;
  private double tokens;
  private long lastNanos;

  ReadRepairBudget(int perSecond, Clock clock) {
    this.perSecond = perSecond;
    this.clock = clock;
    this.tokens = perSecond;
    this.lastNanos = clock.nanoTime();
  }

  boolean tryAcquire() {
    long now = clock.nanoTime();
    tokens = Math.min(perSecond, tokens + (now - lastNanos) * perSecond / 1e9);
    lastNanos = now;
    if (tokens >= 1) {
      tokens--;
      return true;
    }
    return false;
  }
}
