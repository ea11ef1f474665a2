package io.kvstore.node.sources;

import io.kvstore.node.runtime.Clock;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * A token bucket per source address (keyed by {@link SourceKeys}: the IPv4 address, an IPv6
 * /64), in a fixed table: what {@link ReplyBudget} charges reply bytes to and the operations'
 * submission budget charges signature checks to. A charge is a cost in nanoseconds of debt; a
 * source may be in debt up to {@code toleranceNanos} (its burst).
 *
 * <p>Each bucket is one long (the generic cell rate algorithm's "theoretical arrival time": the
 * moment the source's debt is paid off), kept in 8-way groups. An entry whose time has passed
 * holds a full bucket, exactly like an absent one, so it is reused without loss; only when all
 * eight entries of a group are in debt is the least indebted one dropped (counted in {@link
 * #evictions}: that source starts again with a full burst). Nothing is allocated per charge.
 * Thread-safe (striped locks): every event loop of the node charges the same table, because
 * SO_REUSEPORT spreads one address's ports over all sockets.
 */
public final class SourceBuckets {
  private static final int WAYS = 8;
  private static final int STRIPES = 64;

  private final Clock clock;
  private final long toleranceNanos;
  private final long[] keys;
  private final long[] paidOffAt;
  private final Object[] locks = new Object[STRIPES];
  private final int groupMask;
  private final LongAdder evictions = new LongAdder();

  /**
   * @param toleranceNanos the debt a source may run up at once (its burst, in nanoseconds of rate)
   * @param sources entries in the table (rounded up to a power of two, at least 64)
   */
  public SourceBuckets(long toleranceNanos, int sources, Clock clock) {
    if (toleranceNanos <= 0) {
      throw new IllegalArgumentException("a source's burst must be positive");
    }
    this.clock = clock;
    this.toleranceNanos = toleranceNanos;
    int groups = Integer.highestOneBit(Math.max(64, sources) - 1) * 2 / WAYS;
    this.keys = new long[groups * WAYS];
    this.paidOffAt = new long[groups * WAYS];
    this.groupMask = groups - 1;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /** Charges {@code costNanos} to {@code source} if its debt leaves room; false (nothing charged) if not. */
  public boolean tryCharge(InetAddress source, long costNanos) {
    long key = SourceKeys.of(source);
    int group = (int) (SourceKeys.mix(key) & groupMask);
    long now = clock.nanoTime();
    synchronized (locks[group & (STRIPES - 1)]) {
      int slot = slotFor(group * WAYS, key, now);
      long debt = Math.max(0, paidOffAt[slot] - now);
      if (debt + costNanos > toleranceNanos) {
        return false;
      }
      paidOffAt[slot] = now + debt + costNanos;
      return true;
    }
  }

  /** The entry of {@code key} in its group, claiming a free, idle or least indebted one. */
  private int slotFor(int base, long key, long now) {
    int reusable = -1;
    int leastIndebted = base;
    for (int s = base; s < base + WAYS; s++) {
      if (keys[s] == key) {
        return s;
      }
      if (reusable < 0 && (keys[s] == 0 || paidOffAt[s] - now <= 0)) {
        reusable = s;
      }
      if (paidOffAt[s] - paidOffAt[leastIndebted] < 0) {
        leastIndebted = s;
      }
    }
    if (reusable < 0) {
      evictions.increment();
      reusable = leastIndebted;
    }
    keys[reusable] = key;
    paidOffAt[reusable] = now;
    return reusable;
  }

  /** Sources dropped from the table while still in debt (they started again with a full burst). */
  public long evictions() {
    return evictions.sum();
  }

  /** Entries in the table. */
  public int capacity() {
    return keys.length;
  }
}
