package io.kvstore.node.transport;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * An event loop's idle policy between busy-poll and sleep: after a wake-up or a datagram it polls
 * epoll without blocking for {@code spinNanos} more, and only then sleeps in epoll_wait.
 *
 * <p>Why: a sleeping loop is woken by the kernel when a datagram arrives, and on a virtual machine
 * that wake-up is an inter-processor interrupt to a halted vCPU (tens of µs). Under a steady
 * stream of requests the next one usually arrives within a short spin, so the loop never sleeps;
 * when the stream stops the loop goes back to sleep within {@code spinNanos}, so an idle node costs
 * nothing (unlike {@code busy-poll}, which keeps a core busy forever).
 *
 * <p>One instance per event loop: its state is touched only by that loop's thread.
 */
final class SpinThenSleep implements SelectStrategy {

  private final long spinNanos;
  private final LongSupplier nanoClock;
  private final Runnable yielder;
  private long spinUntil;
  private boolean wokeFromSleep = true;

  SpinThenSleep(long spinNanos, LongSupplier nanoClock, Runnable yielder) {
    if (spinNanos <= 0) {
      throw new IllegalArgumentException("spin time must be positive, was " + spinNanos + " ns");
    }
    this.spinNanos = spinNanos;
    this.nanoClock = nanoClock;
    this.yielder = yielder;
  }

  /** A factory of one strategy per event loop, spinning {@code spinMicros} µs before sleeping. */
  static SelectStrategyFactory factory(int spinMicros) {
    long spinNanos = spinMicros * 1_000L;
    return () -> new SpinThenSleep(spinNanos, System::nanoTime, Thread::yield);
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    long now = nanoClock.getAsLong();
    if (wokeFromSleep) {
      wokeFromSleep = false;
      spinUntil = now + spinNanos;
    }
    int ready = selectNow.get();
    if (ready > 0) {
      spinUntil = now + spinNanos;
      return ready;
    }
    if (hasTasks) {
      return 0; // the loop runs its tasks and timers, then polls again
    }
    if (now - spinUntil < 0) {
      // Spin on what no one else wants: another runnable thread on this core (the other event
      // loop, a RocksDB flush) runs first, so an idle poll never takes its share of the core.
      yielder.run();
      return 0;
    }
    wokeFromSleep = true;
    return SelectStrategy.SELECT;
  }
}
