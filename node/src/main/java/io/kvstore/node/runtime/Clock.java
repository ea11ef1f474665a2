package io.kvstore.node.runtime;

/**
 * The source of time for protocol logic. Production uses {@link SystemClock}; simulations drive a
 * virtual clock so that runs are reproducible from a seed.
 */
public interface Clock {
  /** Wall-clock milliseconds since the epoch (may jump; used for timestamps). */
  long currentTimeMillis();

  /** Monotonic nanoseconds (never jumps; used for timeouts and durations). */
  long nanoTime();
}
