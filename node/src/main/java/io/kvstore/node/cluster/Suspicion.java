package io.kvstore.node.cluster;

import io.kvstore.node.runtime.Scheduler;
import java.util.HashSet;
import java.util.Set;

/**
 * One suspected member's timer (Lifeguard): it starts at the maximum timeout and shrinks towards
 * the minimum as independent members confirm the suspicion, so a truly failed member is declared
 * dead fast while a lone (possibly slow) accuser cannot declare anyone dead quickly.
 */
final class Suspicion {
  final long startedAt;
  /** The incarnation suspected: a refutation (a newer incarnation) ends the suspicion. */
  final long incarnation;
  private final Set<NodeId> confirmations = new HashSet<>();
  private Scheduler.Cancellable timer;

  Suspicion(long startedAt, long incarnation, NodeId accuser) {
    this.startedAt = startedAt;
    this.incarnation = incarnation;
    if (accuser != null) {
      confirmations.add(accuser);
    }
  }

  /** Records an independent confirmation; false if this accuser was already counted. */
  boolean confirm(NodeId accuser) {
    return confirmations.add(accuser);
  }

  int confirmations() {
    return confirmations.size();
  }

  /**
   * Lifeguard's timeout: max − (max − min) · log(c) / log(k + 1), never below min, where c counts
   * confirmations and k the confirmations expected (the indirect probers); k = 0 means min.
   */
  static long timeoutMillis(long minMillis, long maxMillis, int expected, int confirmations) {
    if (expected <= 0) {
      return minMillis;
    }
    double fraction = Math.log(confirmations) / Math.log(expected + 1);
    return Math.max(minMillis, Math.round(maxMillis - (maxMillis - minMillis) * Math.min(1.0, fraction)));
  }

  /** (Re)arms the timer so that {@code onTimeout} runs {@code timeoutMillis} after the start. */
  void arm(Scheduler scheduler, long nowMillis, long timeoutMillis, Runnable onTimeout) {
    cancel();
    long remaining = Math.max(0, startedAt + timeoutMillis - nowMillis);
    timer = scheduler.schedule(remaining, onTimeout);
  }

  void cancel() {
    if (timer != null) {
      timer.cancel();
    }
  }
}
