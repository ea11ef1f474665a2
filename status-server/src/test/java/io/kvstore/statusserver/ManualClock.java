package io.kvstore.statusserver;

import io.kvstore.node.runtime.Clock;
import java.time.Instant;

/** A clock the test moves by hand; wall and monotonic time advance together. */
final class ManualClock implements Clock {
  static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

  private volatile long elapsedMillis;

  void advance(long millis) {
    elapsedMillis += millis;
  }

  Instant now() {
    return START.plusMillis(elapsedMillis);
  }

  @Override
  public long currentTimeMillis() {
    return START.toEpochMilli() + elapsedMillis;
  }

  @Override
  public long nanoTime() {
    return elapsedMillis * 1_000_000;
  }
}
