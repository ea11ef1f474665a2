package io.kvstore.node.runtime;

import java.time.Instant;
import java.util.PriorityQueue;

/**
 * Time that moves only when told to: the one fake clock of every test and of the simulator
 * (which needs it in main code, hence here and not in a test jar). Wall and monotonic time
 * advance together, to the nanosecond; the wall clock alone may also be set, as a real one jumps.
 * As a {@link Scheduler} it runs due tasks in order while time is advanced; a task scheduled for
 * now runs at the next advance (even by 0). Time may be read from any thread; schedule and
 * advance from one.
 */
public final class ManualClock implements Clock, Scheduler {
  /** 2025-06-15T15:06:40Z: SWIM incarnations start at the wall clock, so they look real. */
  public static final long EPOCH_MILLIS = 1_750_000_000_000L;

  private record Task(long dueNanos, long order, Runnable action, boolean[] cancelled) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) ->
              a.dueNanos != b.dueNanos
                  ? Long.compare(a.dueNanos, b.dueNanos)
                  : Long.compare(a.order, b.order));
  /** Monotonic time since the start. */
  private volatile long nanos;
  /** Wall-clock time when {@link #nanos} was 0 (moved by {@link #setWallMillis}). */
  private volatile long wallOriginMillis;
  private long order;

  public ManualClock() {
    this(EPOCH_MILLIS);
  }

  /** A clock whose wall time starts at {@code startMillis} since the epoch. */
  public ManualClock(long startMillis) {
    this.wallOriginMillis = startMillis;
  }

  @Override
  public long currentTimeMillis() {
    return wallOriginMillis + nanos / 1_000_000;
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  /** The wall-clock time as an instant. */
  public Instant instant() {
    return Instant.ofEpochMilli(currentTimeMillis());
  }

  /** Milliseconds of monotonic time since the clock started. */
  public long elapsedMillis() {
    return nanos / 1_000_000;
  }

  /** Sets the wall clock (forwards or back, like an NTP step); monotonic time does not move. */
  public void setWallMillis(long millis) {
    wallOriginMillis = millis - nanos / 1_000_000;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable action) {
    boolean[] cancelled = {false};
    tasks.add(new Task(nanos + Math.max(0, delayMillis) * 1_000_000, order++, action, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Tasks scheduled and not yet run (cancelled ones included until their time). */
  public int pendingTasks() {
    return tasks.size();
  }

  /** Runs every task due within the next {@code millis}, in order, then sets the clock there. */
  public void advance(long millis) {
    advanceNanos(millis * 1_000_000);
  }

  /** Like {@link #advance}, by nanoseconds. */
  public void advanceNanos(long delta) {
    if (delta < 0) {
      throw new IllegalArgumentException("time cannot go back by " + delta + " ns");
    }
    long end = nanos + delta;
    while (!tasks.isEmpty() && tasks.peek().dueNanos <= end) {
      Task task = tasks.poll();
      nanos = Math.max(nanos, task.dueNanos);
      if (!task.cancelled[0]) {
        task.action.run();
      }
    }
    nanos = end;
  }

  /** Like {@link #advance}, to an absolute wall-clock time, which must not be in the past. */
  public void advanceTo(long wallMillis) {
    long now = currentTimeMillis();
    if (wallMillis < now) {
      throw new IllegalStateException("time cannot go back from " + now + " to " + wallMillis);
    }
    advance(wallMillis - now);
  }
}
