package io.kvstore.node.runtime;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A warning that hostile traffic can trigger at will: at most one line per interval, each saying
 * how many occurrences the previous interval held back, so that a flood cannot fill the disk with
 * logs yet the operator still learns it is happening. Thread-safe.
 */
public final class RateLimitedLog {
  private static final long NEVER = Long.MIN_VALUE;

  private final Consumer<String> sink;
  private final long intervalNanos;
  private final Clock clock;
  private final AtomicLong lastLoggedAt = new AtomicLong(NEVER);
  private final LongAdder heldBack = new LongAdder();

  /** @param sink where a line goes (e.g. {@code log::warn}) */
  public RateLimitedLog(Consumer<String> sink, long intervalMillis, Clock clock) {
    this.sink = sink;
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.clock = clock;
  }

  /**
   * Records one occurrence; logs {@code message} followed by {@code detail} unless a line was
   * logged within the interval (the line is only built when logged: floods allocate nothing).
   */
  public void warn(String message, Object detail) {
    long now = clock.nanoTime();
    long last = lastLoggedAt.get();
    if ((last != NEVER && now - last < intervalNanos) || !lastLoggedAt.compareAndSet(last, now)) {
      heldBack.increment();
      return;
    }
    long more = heldBack.sumThenReset();
    String line = message + detail;
    sink.accept(more == 0 ? line : line + " (and " + more + " more since the last such line)");
  }
}
