package io.kvstore.node.sources;

import io.kvstore.node.runtime.Clock;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many reply bytes each source address may receive: a token bucket of {@code bytesPerSecond}
 * with a burst of {@code burstBytes} per source address, so that a node cannot be used as a
 * reflector by someone who spoofs a victim's address (a 49-byte GET can fetch 15,000 bytes).
 *
 * <p>Replies at most {@link #FREE_RATIO} times the size of their request are free: they cannot
 * amplify an attack much, and they are the bulk of a normal client's traffic (a GET of a 100-byte
 * value is 2.4 times its request), so ordinary load never touches the table. Larger replies are
 * charged in full.
 *
 * <p>Each bucket is one long (the generic cell rate algorithm's "theoretical arrival time": the
 * moment the source's debt is paid off), kept in a fixed table of 8-way groups. An entry whose
 * time has passed holds a full bucket, exactly like an absent one, so it is reused without loss;
 * only when all eight entries of a group are in debt is the least indebted one dropped (counted
 * in {@link #evictions}: that source starts again with a full burst). Nothing is allocated per
 * reply. Thread-safe: every event loop of the node charges the same table, because SO_REUSEPORT
 * spreads one address's ports over all sockets and per-socket budgets would multiply the limit.
 */
public final class ReplyBudget {
  /** A reply no larger than this many times its request is never charged. */
  public static final int FREE_RATIO = 4;
  private static final int WAYS = 8;
  private static final int STRIPES = 64;

  private final Clock clock;
  private final double nanosPerByte;
  private final long toleranceNanos;
  private final long[] keys;
  private final long[] paidOffAt;
  private final Object[] locks = new Object[STRIPES];
  private final int groupMask;
  private final LongAdder throttled = new LongAdder();
  private final LongAdder throttledBytes = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  /**
   * @param bytesPerSecond sustained reply bytes per source address
   * @param burstBytes reply bytes a source with a full bucket may receive at once
   * @param sources entries in the table (rounded up to a power of two, at least 64)
   */
  public ReplyBudget(long bytesPerSecond, long burstBytes, int sources, Clock clock) {
    if (bytesPerSecond <= 0 || burstBytes <= 0) {
      throw new IllegalArgumentException("the reply budget and burst must be positive");
    }
    this.clock = clock;
    this.nanosPerByte = 1e9 / bytesPerSecond;
    this.toleranceNanos = (long) Math.min(Long.MAX_VALUE / 4, burstBytes * nanosPerByte);
    int groups = Integer.highestOneBit(Math.max(64, sources) - 1) * 2 / WAYS;
    this.keys = new long[groups * WAYS];
    this.paidOffAt = new long[groups * WAYS];
    this.groupMask = groups - 1;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /** Whether a reply of this size to a request of this size is free of charge. */
  public static boolean isFree(int requestBytes, int replyBytes) {
    return replyBytes <= (long) FREE_RATIO * requestBytes;
  }

  /**
   * Whether {@code source} may be sent a reply of {@code replyBytes} answering a request of
   * {@code requestBytes}; if so the reply is charged to its bucket, if not it is counted as
   * throttled (the caller answers 0x03 instead).
   */
  public boolean tryCharge(InetAddress source, int requestBytes, int replyBytes) {
    if (isFree(requestBytes, replyBytes)) {
      return true;
    }
    long key = SourceKeys.of(source);
    long cost = (long) Math.ceil(replyBytes * nanosPerByte);
    int group = (int) (SourceKeys.mix(key) & groupMask);
    long now = clock.nanoTime();
    boolean allowed;
    synchronized (locks[group & (STRIPES - 1)]) {
      int slot = slotFor(group * WAYS, key, now);
      long debt = Math.max(0, paidOffAt[slot] - now);
      allowed = debt + cost <= toleranceNanos;
      if (allowed) {
        paidOffAt[slot] = now + debt + cost;
      }
    }
    if (!allowed) {
      throttled.increment();
      throttledBytes.add(replyBytes);
    }
    return allowed;
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

  /** Replies refused because their source had spent its budget. */
  public long throttled() {
    return throttled.sum();
  }

  /** Bytes of the refused replies (what the budget kept off the network). */
  public long throttledBytes() {
    return throttledBytes.sum();
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
