package io.kvstore.node.cluster;

import io.kvstore.node.runtime.Scheduler;

import io.kvstore.node.runtime.Clock;
import java.util.PriorityQueue;

/** A clock and scheduler that move only when a test says so. */
final class ManualTime implements Clock, Scheduler {
  private record Task(long due, long order, Runnable action, boolean[] cancelled) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
  private long now = 1_750_000_000_000L;
  private long order;

  @Override
  public long currentTimeMillis() {
    return now;
  }

  @Override
  public long nanoTime() {
    return now * 1_000_000L;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable action) {
    boolean[] cancelled = {false};
    tasks.add(new Task(now + delayMillis, order++, action, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Runs every task due within the next {@code millis}, in order, then sets the clock there. */
  void advance(long millis) {
    long end = now + millis;
    while (!tasks.isEmpty() && tasks.peek().due <= end) {
      Task task = tasks.poll();
      now = task.due;
      if (!task.cancelled[0]) {
        task.action.run();
      }
    }
    now = end;
  }
}
