package io.kvstore.cli.bench;

import io.kvstore.client.NodeAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closed-loop load generator behind {@code ./kvstore bench}: keeps a window of requests in flight
 * over a few UDP sockets (one thread each) and measures throughput and latency after a warm-up. It
 * shares the machine with the server under test, so it avoids threads and allocation per request.
 */
public final class LoadGenerator {
  private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);
  private static final long PROGRESS_INTERVAL_MILLIS = 500;

  /** A preload that gets no reply for this long (or 5 request timeouts) gives up. */
  private static final Duration PRELOAD_STALL = Duration.ofSeconds(5);

  private LoadGenerator() {}

  /**
   * Probes the server, preloads the keys if configured, then runs the warm-up and measurement.
   *
   * @param listener called about every 500 ms on this thread
   * @throws BenchException if the server does not answer, or a socket fails, or the calling thread
   *     is interrupted
   */
  public static BenchResult run(BenchConfig config, ProgressListener listener) {
    ServerProbe.check(config);
    byte[][] keys = Keyspace.keys(config.protocol(), config.keyCount());
    try {
      if (config.preload()) {
        preload(config, keys, listener);
      }
      return measure(config, keys, listener);
    } catch (IOException e) {
      throw new BenchException(
          "a socket to " + NodeAddress.format(config.target()) + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("the benchmark was interrupted", e);
    }
  }

  /** PUTs every key once, over the configured window, so that GETs hit. */
  private static void preload(BenchConfig config, byte[][] keys, ProgressListener listener)
      throws IOException, InterruptedException {
    AtomicInteger nextKey = new AtomicInteger();
    long start = System.nanoTime();
    long stallLimit = Math.max(PRELOAD_STALL.toNanos(), 5 * config.requestTimeout().toNanos());
    WorkerGroup group =
        WorkerGroup.start(
            config,
            keys,
            (socket, random) -> RequestSource.putEachKey(nextKey, keys.length),
            "bench-preload",
            start,
            start + TimeUnit.DAYS.toNanos(1));
    try {
      long lastReplies = 0;
      long lastTick = start;
      long lastChange = start;
      while (!group.awaitEnd(PROGRESS_INTERVAL_MILLIS)) {
        long now = System.nanoTime();
        long replies = group.replies();
        listener.onProgress(
            new BenchProgress(
                BenchProgress.Phase.PRELOAD,
                Duration.ofNanos(now - start),
                Duration.ZERO,
                replies,
                keys.length,
                rate(replies - lastReplies, now - lastTick),
                group.timeouts()));
        if (replies != lastReplies) {
          lastChange = now;
        } else if (now - lastChange > stallLimit) {
          throw new BenchException(
              String.format(
                  "preloading stalled: no reply from %s for %d s after %,d of %,d keys; check"
                      + " that the server still runs",
                  NodeAddress.format(config.target()),
                  TimeUnit.NANOSECONDS.toSeconds(stallLimit),
                  replies,
                  keys.length));
        }
        lastReplies = replies;
        lastTick = now;
      }
    } finally {
      group.stopAndAwait();
    }
    throwIfFailed(group);
    reportPreloadTrouble(group);
  }

  private static BenchResult measure(BenchConfig config, byte[][] keys, ProgressListener listener)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + config.warmup().toNanos();
    long end = measureFrom + config.duration().toNanos();
    Duration planned = config.warmup().plus(config.duration());
    WorkerGroup group =
        WorkerGroup.start(
            config,
            keys,
            (socket, random) -> RequestSource.mixed(random, keys.length, config.getFraction()),
            "bench",
            measureFrom,
            end);
    try {
      long lastReplies = 0;
      long lastTick = start;
      boolean ended = false;
      while (!ended) {
        ended = group.awaitEnd(PROGRESS_INTERVAL_MILLIS);
        long now = System.nanoTime();
        long replies = group.replies();
        listener.onProgress(
            new BenchProgress(
                now - measureFrom < 0 ? BenchProgress.Phase.WARMUP : BenchProgress.Phase.MEASURE,
                Duration.ofNanos(Math.min(now - start, planned.toNanos())),
                planned,
                0,
                0,
                rate(replies - lastReplies, now - lastTick),
                group.timeouts()));
        lastReplies = replies;
        lastTick = now;
      }
    } finally {
      group.stopAndAwait();
    }
    throwIfFailed(group);
    return summarize(config, group);
  }

  private static BenchResult summarize(BenchConfig config, WorkerGroup group) {
    Histogram latency = null;
    long ops = 0;
    long misses = 0;
    long timeouts = 0;
    long unmatched = 0;
    Map<String, Long> errors = new HashMap<>();
    for (WorkerStats stats : group.stats()) {
      if (latency == null) {
        latency = stats.latencyNanos.copy();
      } else {
        latency.add(stats.latencyNanos);
      }
      ops += stats.ops;
      misses += stats.misses;
      timeouts += stats.timeouts;
      unmatched += stats.unmatchedReplies;
      stats.errors.forEach((label, count) -> errors.merge(label, count, Long::sum));
    }
    return new BenchResult(
        config,
        config.duration(),
        ops,
        misses,
        timeouts,
        unmatched,
        errors,
        BenchResult.Latency.of(latency));
  }

  private static void reportPreloadTrouble(WorkerGroup group) {
    long timeouts = group.stats().stream().mapToLong(s -> s.timeouts).sum();
    Map<String, Long> errors = new HashMap<>();
    group.stats().forEach(s -> s.errors.forEach((label, n) -> errors.merge(label, n, Long::sum)));
    if (timeouts > 0 || !errors.isEmpty()) {
      log.warn(
          "preload: {} PUTs timed out and were re-sent; error replies: {}",
          timeouts,
          errors.isEmpty() ? "none" : errors);
    }
  }

  private static void throwIfFailed(WorkerGroup group) throws IOException {
    IOException failure = group.failure();
    if (failure != null) {
      throw failure;
    }
  }

  private static double rate(long count, long nanos) {
    return nanos <= 0 ? 0 : count * 1e9 / nanos;
  }
}
