package io.kvstore.simulator;

import io.kvstore.node.runtime.Clock;

/**
 * Time as the simulation says it is. Every simulated node reads the same clock, which only the
 * event loop moves forward. It starts at a realistic wall-clock epoch because SWIM incarnations
 * start at the wall clock in milliseconds.
 */
public final class VirtualClock implements Clock {
  /** 2025-06-15T15:06:40Z: incarnations look like those of a real node. */
  public static final long EPOCH_MILLIS = 1_750_000_000_000L;

  private long nowMillis = EPOCH_MILLIS;

  @Override
  public long currentTimeMillis() {
    return nowMillis;
  }

  @Override
  public long nanoTime() {
    return (nowMillis - EPOCH_MILLIS) * 1_000_000L;
  }

  /** Milliseconds since the simulation started. */
  public long elapsedMillis() {
    return nowMillis - EPOCH_MILLIS;
  }

  void advanceTo(long millis) {
    if (millis < nowMillis) {
      throw new IllegalStateException("time cannot go back from " + nowMillis + " to " + millis);
    }
    nowMillis = millis;
  }
}
