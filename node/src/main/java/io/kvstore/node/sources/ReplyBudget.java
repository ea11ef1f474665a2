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
 * <p>The buckets are a {@link SourceBuckets} table: nothing is allocated per reply, a source
 * dropped from a full group while in debt is counted in {@link #evictions}, and every event loop
 * of the node charges the same table (per-socket budgets would multiply the limit).
 */
public final class ReplyBudget {
  /** A reply no larger than this many times its request is never charged. */
  public static final int FREE_RATIO = 4;

  private final double nanosPerByte;
  private final SourceBuckets buckets;
  private final LongAdder throttled = new LongAdder();
  private final LongAdder throttledBytes = new LongAdder();

  /**
   * @param bytesPerSecond sustained reply bytes per source address
   * @param burstBytes reply bytes a source with a full bucket may receive at once
   * @param sources entries in the table (rounded up to a power of two, at least 64)
   */
  public ReplyBudget(long bytesPerSecond, long burstBytes, int sources, Clock clock) {
    if (bytesPerSecond <= 0 || burstBytes <= 0) {
      throw new IllegalArgumentException("the reply budget and burst must be positive");
    }
    this.nanosPerByte = 1e9 / bytesPerSecond;
    this.buckets = new SourceBuckets((long) Math.min(Long.MAX_VALUE / 4, burstBytes * nanosPerByte), sources, clock);
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
    boolean allowed = buckets.tryCharge(source, (long) Math.ceil(replyBytes * nanosPerByte));
    if (!allowed) {
      throttled.increment();
      throttledBytes.add(replyBytes);
    }
    return allowed;
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
    return buckets.evictions();
  }

  /** Entries in the table. */
  public int capacity() {
    return buckets.capacity();
  }
}
