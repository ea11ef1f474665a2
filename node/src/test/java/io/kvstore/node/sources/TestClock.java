package io.kvstore.node.sources;

import io.kvstore.node.runtime.Clock;

/** A clock the test moves by hand. */
final class TestClock implements Clock {
  private volatile long nanos = 1_000_000_000L;

  void advanceMillis(double millis) {
    nanos += (long) (millis * 1_000_000);
  }

  @Override
  public long currentTimeMillis() {
    return nanos / 1_000_000;
  }

  @Override
  public long nanoTime() {
    return nanos;
  }
}
