package io.kvstore.bench.replicated;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The closed loop: keeps {@link Workload#window()} requests in flight, each completion issuing the
 * next one on the system's own completion thread (no thread per request, nothing blocks). The
 * latency of every completed request is recorded in an HdrHistogram {@link Recorder}; the
 * histogram is swapped at the start and at the end of the measured phase, so the result holds
 * exactly the requests that completed during it.
 *
 * <p>A stage that completes on the issuing thread (a system failing fast) would recurse; after a
 * few nested issues, and after every failed request (a short pause instead of a tight loop of
 * failures), the next request is handed to a single helper thread instead.
 */
public final class ClosedLoop {
  private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int MAX_NESTING = 8;
  private static final long FAILURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final KvBackend backend;
  private final Workload workload;
  private final byte[][] keys;
  private final byte[][] values;
  private final Recorder getLatency = new Recorder(HIGHEST_NANOS, 3);
  private final Recorder putLatency = new Recorder(HIGHEST_NANOS, 3);
  private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final ThreadLocal<int[]> nesting = ThreadLocal.withInitial(() -> new int[1]);
  private final ExecutorService relay =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "closed-loop-relay");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean measuring;
  private volatile boolean stopping;

  public ClosedLoop(KvBackend backend, Workload workload, byte[][] keys, byte[][] values) {
    this.backend = backend;
    this.workload = workload;
    this.keys = keys;
    this.values = values;
    for (Outcome outcome : Outcome.values()) {
      outcomes.put(outcome, new LongAdder());
    }
  }

  /** Runs warm-up and measured phase, then drains; returns what the measured phase saw. */
  public LoadResult run() throws InterruptedException {
    try {
      long start = System.nanoTime();
      for (int i = 0; i < workload.window(); i++) {
        inFlight.incrementAndGet();
        issue();
      }
      sleepUntil(start + workload.warmup().toNanos());
      getLatency.reset();
      putLatency.reset();
      measuring = true;
      long measureStart = System.nanoTime();
      sleepUntil(measureStart + workload.duration().toNanos());
      measuring = false;
      Histogram gets = getLatency.getIntervalHistogram();
      Histogram puts = putLatency.getIntervalHistogram();
      long measureEnd = System.nanoTime();
      stopping = true;
      boolean drained = drain(workload.drainTimeout().toNanos());
      Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
      outcomes.forEach((outcome, adder) -> counts.put(outcome, adder.sum()));
      return new LoadResult(
          backend.system(), workload, measureEnd - measureStart, gets, puts, counts,
          drained ? 0 : inFlight.get(), backend.clientCounters());
    } finally {
      stopping = true;
      relay.shutdownNow();
    }
  }

  private void issue() {
    if (stopping || sent.incrementAndGet() > workload.maxRequests()) {
      inFlight.decrementAndGet();
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] key = keys[random.nextInt(keys.length)];
    boolean isGet = random.nextDouble() < workload.getFraction();
    long sent = System.nanoTime();
    CompletionStage<Outcome> stage;
    try {
      stage = isGet ? backend.get(key) : backend.put(key, values[random.nextInt(values.length)]);
    } catch (RuntimeException e) {
      completed(isGet, sent, Outcome.FAILED);
      return;
    }
    stage.whenComplete((outcome, failure) ->
        completed(isGet, sent, failure != null ? Outcome.FAILED : outcome));
  }

  private void completed(boolean isGet, long sent, Outcome outcome) {
    long latency = System.nanoTime() - sent;
    if (measuring) {
      outcomes.get(outcome).increment();
    }
    if (outcome.completed()) {
      (isGet ? getLatency : putLatency).recordValue(Math.min(latency, HIGHEST_NANOS));
    }
    int[] depth = nesting.get();
    if (outcome.completed() && depth[0] < MAX_NESTING) {
      depth[0]++;
      try {
        issue();
      } finally {
        depth[0]--;
      }
      return;
    }
    try {
      relay.execute(() -> {
        if (!outcome.completed()) {
          pause(FAILURE_PAUSE_NANOS);
        }
        issue();
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      inFlight.decrementAndGet(); // the run is over
    }
  }

  private boolean drain(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (inFlight.get() > 0) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }

  private static void pause(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
