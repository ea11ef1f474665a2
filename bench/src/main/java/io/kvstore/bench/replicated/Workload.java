package io.kvstore.bench.replicated;

import java.time.Duration;

/**
 * What the closed loop does, the same for every system: {@code window} requests always in flight,
 * over {@code keyCount} keys chosen uniformly, a GET with probability {@code getFraction} else a
 * PUT of a {@code valueSize}-byte value; {@code warmup} unmeasured, then {@code duration} measured.
 * After the measured phase the requests still in flight get at most {@code drainTimeout}. No more
 * than {@code maxRequests} requests are sent in all (warm-up included), whatever the rate.
 */
public record Workload(
    int window,
    int keyCount,
    int valueSize,
    double getFraction,
    Duration warmup,
    Duration duration,
    Duration drainTimeout,
    long maxRequests) {

  public static final int MAX_WINDOW = 4096;
  public static final int MAX_KEYS = 1_000_000;
  /** KVStore's largest value; Hazelcast gets the same sizes. */
  public static final int MAX_VALUE_SIZE = 15_000;
  public static final Duration MAX_DURATION = Duration.ofMinutes(10);
  /** A bound in count beside the bound in time: 10 minutes at 160,000 requests a second. */
  public static final long DEFAULT_MAX_REQUESTS = 100_000_000L;

  public Workload {
    check(window >= 1 && window <= MAX_WINDOW, "window must be 1-" + MAX_WINDOW + ", got " + window);
    check(keyCount >= 1 && keyCount <= MAX_KEYS, "keys must be 1-" + MAX_KEYS + ", got " + keyCount);
    check(valueSize >= 1 && valueSize <= MAX_VALUE_SIZE,
        "value size must be 1-" + MAX_VALUE_SIZE + ", got " + valueSize);
    check(getFraction >= 0 && getFraction <= 1, "GET fraction must be 0-1, got " + getFraction);
    check(!warmup.isNegative() && warmup.compareTo(MAX_DURATION) <= 0,
        "warm-up must be 0-10 min, got " + warmup);
    check(duration.toMillis() >= 100 && duration.compareTo(MAX_DURATION) <= 0,
        "duration must be 100 ms-10 min, got " + duration);
    check(!drainTimeout.isNegative() && drainTimeout.compareTo(Duration.ofMinutes(1)) <= 0,
        "drain timeout must be 0-60 s, got " + drainTimeout);
    check(maxRequests >= 1, "max requests must be at least 1, got " + maxRequests);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
