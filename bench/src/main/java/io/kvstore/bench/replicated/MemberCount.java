package io.kvstore.bench.replicated;

import java.time.Duration;
import java.util.function.IntSupplier;

/** Waits until a system reports the expected number of members, as both backends must before load. */
final class MemberCount {
  /** What a probe returns when the system did not answer. */
  static final int NO_ANSWER = -1;

  private MemberCount() {}

  /**
   * Asks {@code probe} every 200 ms until it returns {@code expected}.
   *
   * @param who named in the error, e.g. "127.0.0.1:4000" or "the Hazelcast client"
   * @throws IllegalStateException with the last count seen when the timeout passes
   */
  static void await(String who, IntSupplier probe, int expected, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen;
    while ((seen = probe.getAsInt()) != expected) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            who + " sees " + (seen == NO_ANSWER ? "no answer" : seen + " members") + ", expected "
                + expected + " within " + timeout.toMillis() + " ms");
      }
      Thread.sleep(200);
    }
  }
}
