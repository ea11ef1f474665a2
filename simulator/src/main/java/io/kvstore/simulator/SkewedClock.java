package io.kvstore.simulator;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.runtime.Clock;

/**
 * One node's view of the virtual time, as a real machine's would be: its wall clock is off by a
 * fixed offset and runs fast or slow by {@code driftPpm} parts per million; its monotonic clock
 * runs at the same (drifting) rate but never jumps. A restarted process on the same machine keeps
 * the machine's clock.
 */
public final class SkewedClock implements Clock {
  private final ManualClock base;
  private final long offsetMillis;
  private final double rate;

  /**
   * @param offsetMillis how far the wall clock is ahead (negative: behind) at the simulation start
   * @param driftPpm how much faster (negative: slower) it runs, in parts per million
   */
  public SkewedClock(ManualClock base, long offsetMillis, double driftPpm) {
    this.base = base;
    this.offsetMillis = offsetMillis;
    this.rate = 1 + driftPpm / 1e6;
  }

  @Override
  public long currentTimeMillis() {
    return wallAt(base.elapsedMillis());
  }

  /** What this clock's wall time read (or will read) {@code elapsedMillis} into the simulation. */
  public long wallAt(long elapsedMillis) {
    return ManualClock.EPOCH_MILLIS + offsetMillis + (long) (elapsedMillis * rate);
  }

  @Override
  public long nanoTime() {
    return (long) (base.elapsedMillis() * 1_000_000L * rate);
  }

  public long offsetMillis() {
    return offsetMillis;
  }
}
