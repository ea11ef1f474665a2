package io.kvstore.simulator;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.runtime.Scheduler;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The deterministic event loop: one queue of events ordered by (virtual time, insertion order),
 * run on the calling thread. Nothing else decides the order, so a seed fixes the whole run.
 */
public final class Simulation {
  private final long seed;
  private final ManualClock clock = new ManualClock();
  private final EventQueue queue = new EventQueue(clock.currentTimeMillis());
  private long nextSequence;
  private long eventsRun;

  public Simulation(long seed) {
    this.seed = seed;
  }

  public long seed() {
    return seed;
  }

  public ManualClock clock() {
    return clock;
  }

  /** Virtual milliseconds since the start. */
  public long elapsedMillis() {
    return clock.elapsedMillis();
  }

  public long eventsRun() {
    return eventsRun;
  }

  /**
   * An independent random stream for one purpose (a node's generation, the network's faults).
   * Streams depend only on the seed and their number, not on the order they are created in.
   */
  public SplittableRandom random(long stream) {
    return new SplittableRandom(Trace.mix(seed ^ Trace.mix(stream)));
  }

  /** Runs {@code action} after {@code delayMillis} of virtual time; the result cancels it. */
  public Event after(long delayMillis, Runnable action) {
    Event event = new Event(clock.currentTimeMillis() + Math.max(0, delayMillis), nextSequence++, action);
    queue.add(event);
    return event;
  }

  public void runFor(Duration duration) {
    long end = clock.currentTimeMillis() + duration.toMillis();
    while (!queue.isEmpty() && queue.peek().time <= end) {
      runNext();
    }
    clock.advanceTo(end);
  }

  /**
   * Runs until {@code condition} holds or {@code maxTime} has passed. The condition is checked
   * after the last event of each virtual instant, so at most once per virtual millisecond.
   *
   * @return whether the condition held
   */
  public boolean runUntil(BooleanSupplier condition, Duration maxTime) {
    long end = clock.currentTimeMillis() + maxTime.toMillis();
    if (condition.getAsBoolean()) {
      return true;
    }
    while (!queue.isEmpty() && queue.peek().time <= end) {
      runNext();
      boolean instantDone = queue.isEmpty() || queue.peek().time != clock.currentTimeMillis();
      if (instantDone && condition.getAsBoolean()) {
        return true;
      }
    }
    clock.advanceTo(end);
    return condition.getAsBoolean();
  }

  private void runNext() {
    Event event = queue.poll();
    if (event.isCancelled()) {
      return;
    }
    clock.advanceTo(event.time);
    eventsRun++;
    event.action.run();
  }

  /** Events queued, cancelled ones included (a purge drops those once they are the majority). */
  int queuedEvents() {
    return queue.size();
  }

  /**
   * A scheduled event; cancelling it lets go of its action (and whatever the action holds) at
   * once and leaves it in the queue, skipped when its time comes, until the queue purges it.
   */
  public static final class Event implements Scheduler.Cancellable, Comparable<Event> {
    final long time;
    private final long sequence;
    /** Null once cancelled. */
    private Runnable action;
    /** The queue holding it until it is taken; told when it is cancelled meanwhile. */
    EventQueue queue;
    /** The next event of the same virtual millisecond, in the {@link EventQueue}'s wheel. */
    Event next;

    private Event(long time, long sequence, Runnable action) {
      this.time = time;
      this.sequence = sequence;
      this.action = action;
    }

    @Override
    public void cancel() {
      if (action != null) {
        action = null;
        if (queue != null) {
          queue.cancelledOne();
        }
      }
    }

    boolean isCancelled() {
      return action == null;
    }

    @Override
    public int compareTo(Event o) {
      int byTime = Long.compare(time, o.time);
      return byTime != 0 ? byTime : Long.compare(sequence, o.sequence);
    }
  }
}
