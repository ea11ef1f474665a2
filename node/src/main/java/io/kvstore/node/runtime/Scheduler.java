package io.kvstore.node.runtime;

/**
 * The timer port of sans-IO protocol logic. Tasks run on the same single thread as message
 * handling, so protocol state needs no locks. Production uses a Netty event loop; simulations
 * use a virtual clock.
 */
public interface Scheduler {
  /** Runs {@code task} after {@code delayMillis}; the result cancels it. */
  Cancellable schedule(long delayMillis, Runnable task);

  /** A scheduled task that may be cancelled. */
  interface Cancellable {
    void cancel();
  }
}
