package io.kvstore.node.security;

import io.kvstore.node.runtime.Clock;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Counts internal datagrams that failed authentication, per source, and says so at most once per
 * {@link #LOG_INTERVAL_MILLIS} per source: two nodes with different secrets otherwise look like a
 * quiet network. The table is bounded; sources beyond it share one tally. A full table drops
 * sources quiet for two intervals (at most one sweep per interval), so a burst of forged sources
 * does not keep it forever: a misconfigured node, which keeps sending, is then named again.
 * Called from every event loop, so it is lock-free.
 */
public final class UnauthenticatedSources {
  public static final long LOG_INTERVAL_MILLIS = 10_000;
  static final int MAX_SOURCES = 256;

  private final Clock clock;
  private final BiConsumer<InetSocketAddress, Long> reporter;
  private final ConcurrentHashMap<InetSocketAddress, Tally> bySource = new ConcurrentHashMap<>();
  private final Tally others = new Tally();
  private final AtomicLong lastSweepMillis = new AtomicLong(Long.MIN_VALUE);
  private final LongAdder evicted = new LongAdder();

  /**
   * @param reporter told (source, or null for sources beyond the table; datagrams since its last
   *     report), at most once per interval per source
   */
  public UnauthenticatedSources(Clock clock, BiConsumer<InetSocketAddress, Long> reporter) {
    this.clock = clock;
    this.reporter = reporter;
  }

  /** One datagram from {@code from} failed authentication. */
  public void record(InetSocketAddress from) {
    long now = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime());
    Tally tally = bySource.get(from);
    if (tally == null) {
      if (bySource.size() >= MAX_SOURCES) {
        sweep(now);
      }
      tally = bySource.size() < MAX_SOURCES ? bySource.computeIfAbsent(from, f -> new Tally()) : others;
    }
    tally.pending.increment();
    tally.lastSeenMillis.set(now);
    long last = tally.lastReportMillis.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_INTERVAL_MILLIS)
        && tally.lastReportMillis.compareAndSet(last, now)) {
      reporter.accept(tally == others ? null : from, tally.pending.sumThenReset());
    }
  }

  /** Drops the sources quiet for two intervals, reporting what they had pending; once per interval. */
  private void sweep(long now) {
    long last = lastSweepMillis.get();
    if ((last != Long.MIN_VALUE && now - last < LOG_INTERVAL_MILLIS) || !lastSweepMillis.compareAndSet(last, now)) {
      return;
    }
    bySource.forEach((source, tally) -> {
      if (now - tally.lastSeenMillis.get() >= 2 * LOG_INTERVAL_MILLIS && bySource.remove(source, tally)) {
        evicted.increment();
        long pending = tally.pending.sumThenReset();
        if (pending > 0) {
          reporter.accept(source, pending);
        }
      }
    });
  }

  int trackedSources() {
    return bySource.size();
  }

  /** Sources dropped from the full table after two quiet intervals. */
  public long evicted() {
    return evicted.sum();
  }

  private static final class Tally {
    final LongAdder pending = new LongAdder();
    final AtomicLong lastReportMillis = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong lastSeenMillis = new AtomicLong();
  }
}
