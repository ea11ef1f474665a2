package io.kvstore.node.runtime;

import java.util.PriorityQueue;

/**
 * Time that moves only when told to: the one fake clock of every test and of the simulator
 * (which needs it in main code, hence here and not in a test jar). Wall and monotonic time
 * advance together. As a {@link Scheduler} it runs due tasks, in order, while time is advanced;
 * a task scheduled for now runs at the next advance (even by 0). Not thread-safe.
 */
public final class ManualClock implements Clock, Scheduler {
  /** 2025-06-15T15:06:40Z: SWIM incarnations start at the wall clock, so they look real. */
  public static final long EPOCH_MILLIS = 1_750_000_000_000L;

  private record Task(long due, long order, Runnable action, boolean[] cancelled) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
  private final long startMillis;
  private long nowMillis;
  private long order;

  public ManualClock() {
    this(EPOCH_MILLIS);
  }

  public ManualClock(long startMillis) {
    this.startMillis = startMillis;
    this.nowMillis = startMillis;
  }

  @Override
  public long currentTimeMillis() {
    return nowMillis;
  }

  @Override
  public long nanoTime() {
    return (nowMillis - startMillis) * 1_000_000L;
  }

  /** Milliseconds since the clock started. */
  public long elapsedMillis() {
    return nowMillis - startMillis;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable action) {
    boolean[] cancelled = {false};
    tasks.add(new Task(nowMillis + Math.max(0, delayMillis), order++, action, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Tasks scheduled and not yet run (cancelled ones included until their time). */
  public int pendingTasks() {
    return tasks.size();
  }

  /** Runs every task due within the next {@code millis}, in order, then sets the clock there. */
  public void advance(long millis) {
    advanceTo(nowMillis + millis);
  }

  /** Like {@link #advance}, to an absolute wall-clock time, which must not be in the past. */
  public void advanceTo(long wallMillis) {
    if (wallMillis < nowMillis) {
      throw new IllegalStateException("time cannot go back from " + nowMillis + " to " + wallMillis);
    }
    while (!tasks.isEmpty() && tasks.peek().due <= wallMillis) {
      Task task = tasks.poll();
      nowMillis = task.due;
      if (!task.cancelled[0]) {
        task.action.run();
      }
    }
    nowMillis = wallMillis;
  }
}
