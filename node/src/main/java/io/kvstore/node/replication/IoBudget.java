package io.kvstore.node.replication;

import io.kvstore.node.runtime.Clock;

/**
 * Anti-entropy's I/O budget: a token bucket of bytes (storage read plus frames sent) refilled at
 * {@code bytesPerSecond}, holding at most {@link #burst()}. Work starts only while the bucket is
 * not empty and is charged afterwards (a scan batch's size is known once read), so the bucket may
 * go into debt by one batch; over any interval of t seconds at most {@code bytesPerSecond * t +
 * burst + one batch} is spent. Single-threaded.
 */
public final class IoBudget {
  private final long bytesPerSecond;
  private final long burst;
  private final Clock clock;
  private double tokens;
  private long lastNanos;

  public IoBudget(long bytesPerSecond, Clock clock) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException("the anti-entropy budget must be positive");
    }
    this.bytesPerSecond = bytesPerSecond;
    this.burst = Math.max(16 * 1024, bytesPerSecond / 20);
    this.clock = clock;
    this.lastNanos = clock.nanoTime();
    this.tokens = burst;
  }

  /** Whether work may start now (the bucket is not in debt). */
  public boolean available() {
    refill();
    return tokens > 0;
  }

  /** Spends {@code bytes} (possibly into debt). */
  public void charge(long bytes) {
    refill();
    tokens -= bytes;
  }

  public long burst() {
    return burst;
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  private void refill() {
    long now = clock.nanoTime();
    tokens = Math.min(burst, tokens + (now - lastNanos) * (bytesPerSecond / 1e9));
    lastNanos = now;
  }
}
