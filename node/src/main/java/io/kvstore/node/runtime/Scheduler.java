package io.kvstore.node.runtime;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The timer port of sans-IO protocol logic. Tasks run on the same single thread as message
 * handling, so protocol state needs no locks. Production uses a Netty event loop; simulations
 * use a virtual clock.
 */
public interface Scheduler {
  /** Runs {@code task} after {@code delayMillis}; the result cancels it. */
  Cancellable schedule(long delayMillis, Runnable task);

  /**
   * Runs {@code task} soon, on the scheduler's thread (from any thread): a hand-over, cheaper than
   * a timer where the scheduler has a task queue (a Netty event loop does).
   */
  default void execute(Runnable task) {
    schedule(0, task);
  }

  /**
   * The production adapter: timers on an executor's thread (a Netty event loop is one). Once the
   * executor has shut down, so has the protocol it drove, and new timers are silently dropped.
   */
  static Scheduler on(ScheduledExecutorService executor) {
    return new Scheduler() {
      @Override
      public Cancellable schedule(long delayMillis, Runnable task) {
        try {
          ScheduledFuture<?> future = executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
          return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
          return () -> {};
        }
      }

      @Override
      public void execute(Runnable task) {
        try {
          executor.execute(task);
        } catch (RejectedExecutionException e) {
          // shut down: so is the protocol it drove
        }
      }
    };
  }

  /** A scheduled task that may be cancelled. */
  interface Cancellable {
    void cancel();
  }
}
