package io.kvstore.node.time;

import io.kvstore.node.runtime.Clock;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hybrid logical clock (Kulkarni et al., 2014): 64-bit timestamps that follow the wall clock but
 * never go backwards and order every send before its receive, so last-writer-wins picks a causally
 * later write even when node clocks disagree a little.
 *
 * <p>Layout: the high 48 bits are physical milliseconds since the epoch (enough until the year
 * 10,889), the low 16 bits a logical counter that orders events within the same millisecond. As the
 * two parts are packed this way, comparing timestamps as plain {@code long}s compares them as HLC
 * timestamps. If the counter overflows (65,536 events in one millisecond while the wall clock
 * stands still or lags) it carries into the physical part: timestamps stay unique and increasing,
 * merely running slightly ahead of the wall clock.
 *
 * <p>Thread-safe and lock-free: the last issued timestamp lives in one {@link AtomicLong}.
 */
public final class HybridLogicalClock {
  private static final int LOGICAL_BITS = 16;
  private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;
  private static final long MAX_PHYSICAL_MILLIS = (1L << (Long.SIZE - LOGICAL_BITS)) - 1;

  private final Clock clock;
  private final AtomicLong last = new AtomicLong();

  public HybridLogicalClock(Clock clock) {
    this.clock = clock;
  }

  /** A timestamp for a local event (a write this node coordinates): newer than any seen before. */
  public long now() {
    while (true) {
      long previous = last.get();
      long next = Math.max(wallTimestamp(), previous + 1);
      if (last.compareAndSet(previous, next)) {
        return next;
      }
    }
  }

  /**
   * Merges a timestamp received from another node and returns a local timestamp newer than both it
   * and everything this clock issued, so that events after the receive order after the send.
   */
  public long observe(long remoteTimestamp) {
    while (true) {
      long previous = last.get();
      long next = Math.max(wallTimestamp(), Math.max(previous, remoteTimestamp) + 1);
      if (last.compareAndSet(previous, next)) {
        return next;
      }
    }
  }

  /** The wall-clock milliseconds part of a timestamp. */
  public static long physicalMillis(long timestamp) {
    return timestamp >>> LOGICAL_BITS;
  }

  /** The logical counter part of a timestamp. */
  public static int logical(long timestamp) {
    return (int) (timestamp & LOGICAL_MASK);
  }

  /** The timestamp with the given parts (logical counter 0 to 65,535). */
  public static long timestamp(long physicalMillis, int logical) {
    if (physicalMillis < 0 || physicalMillis > MAX_PHYSICAL_MILLIS) {
      throw new IllegalArgumentException(
          "physical time "
              + physicalMillis
              + " ms does not fit the 48-bit HLC field"
              + " (0 to "
              + MAX_PHYSICAL_MILLIS
              + "): check the clock source");
    }
    if (logical < 0 || logical > LOGICAL_MASK) {
      throw new IllegalArgumentException(
          "logical counter " + logical + " is outside 0.." + LOGICAL_MASK);
    }
    return (physicalMillis << LOGICAL_BITS) | logical;
  }

  /** The wall clock as a timestamp with logical counter 0. */
  private long wallTimestamp() {
    return timestamp(clock.currentTimeMillis(), 0);
  }
}
