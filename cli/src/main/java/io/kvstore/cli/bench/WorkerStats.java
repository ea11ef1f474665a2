package io.kvstore.cli.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Counters of one socket's thread. The measured fields are written only by that thread and read
 * after it ends; the progress fields are published for the progress reporter while it runs.
 */
final class WorkerStats {
  final Histogram latencyNanos;
  final Map<String, Long> errors = new HashMap<>();
  long ops;
  long misses;
  long timeouts;
  long unmatchedReplies;

  /** Replies of any kind since the phase began, including warm-up. */
  final AtomicLong progressReplies = new AtomicLong();

  final AtomicLong progressTimeouts = new AtomicLong();

  WorkerStats(long highestLatencyNanos) {
    this.latencyNanos = new Histogram(highestLatencyNanos, 3);
  }

  void recordReply(String outcome, long roundTripNanos, boolean measuring) {
    progressReplies.lazySet(progressReplies.get() + 1);
    if (!measuring) {
      return;
    }
    if (outcome == BenchWire.OK || outcome == BenchWire.MISS) {
      ops++;
      if (outcome == BenchWire.MISS) {
        misses++;
      }
      latencyNanos.recordValue(Math.min(roundTripNanos, latencyNanos.getHighestTrackableValue()));
    } else {
      errors.merge(outcome, 1L, Long::sum);
    }
  }

  void recordTimeout(boolean measuring) {
    progressTimeouts.lazySet(progressTimeouts.get() + 1);
    if (measuring) {
      timeouts++;
    }
  }

  void recordUnmatchedReply(boolean measuring) {
    if (measuring) {
      unmatchedReplies++;
    }
  }
}
