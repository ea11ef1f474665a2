package io.kvstore.node.ops.run;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the script runner (reported as {@code ops.runs.*} and {@code ops.refused.busy}). */
public final class RunnerStats {
  /** Scripts started (bash spawned). */
  public final LongAdder started = new LongAdder();
  /** Scripts that ended by themselves with exit code 0. */
  public final LongAdder succeeded = new LongAdder();
  /** Scripts that ended by themselves with another exit code. */
  public final LongAdder failed = new LongAdder();
  /** Scripts whose process group the timeout killed. */
  public final LongAdder timedOut = new LongAdder();
  /** Scripts bash could not be started for (or whose working directory could not be made). */
  public final LongAdder failedToStart = new LongAdder();
  /** Tasks refused because {@code max-concurrent} ran and {@code max-queued} waited. */
  public final LongAdder refusedBusy = new LongAdder();
  /** Tasks that waited for a slot past their operation's expiry: refused, never started. */
  public final LongAdder expiredBeforeStart = new LongAdder();
  /** Output bytes that did not fit the tail (counted, not kept). */
  public final LongAdder outputDroppedBytes = new LongAdder();
  /**
   * Runs whose output pipe stayed open after their process group was gone (a process that left
   * the group with its own setsid still holds it): the result was reported without waiting.
   */
  public final LongAdder outputAbandoned = new LongAdder();
}
