package io.kvstore.bench.replicated;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PUTs every key once, at most {@code window} at a time, so that the measured GETs hit. Gives up
 * (with the count) when it does not finish within its timeout or a PUT is not stored.
 */
final class Preload {
  private Preload() {}

  /** @return how long it took */
  static Duration run(KvBackend backend, byte[][] keys, byte[][] values, int window, Duration timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Semaphore slots = new Semaphore(window);
    AtomicLong notStored = new AtomicLong();
    for (int i = 0; i < keys.length; i++) {
      if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(
            "preloading " + backend.system() + " did not finish within " + timeout.toSeconds()
                + " s (" + i + " of " + keys.length + " keys sent)");
      }
      CompletableFuture<Outcome> put;
      try {
        put = backend.put(keys[i], values[i % values.length]).toCompletableFuture();
      } catch (RuntimeException e) {
        slots.release();
        notStored.incrementAndGet();
        continue;
      }
      put.whenComplete((outcome, failure) -> {
        if (failure != null || outcome != Outcome.OK) {
          notStored.incrementAndGet();
        }
        slots.release();
      });
    }
    if (!slots.tryAcquire(window, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(
          "preloading " + backend.system() + ": the last PUTs were not answered within "
              + timeout.toSeconds() + " s");
    }
    if (notStored.get() > 0) {
      throw new IllegalStateException(
          "preloading " + backend.system() + ": " + notStored.get() + " of " + keys.length
              + " PUTs were not stored");
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
