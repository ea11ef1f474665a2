package io.kvstore.bench.replicated;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** A system under test for the harness's own tests: answers what it is told, when it is told. */
final class FakeBackend implements KvBackend {
  /** How the fake answers. */
  enum Mode {
    /** OK after 200 us, on a timer thread. */
    ASYNC_OK,
    /** OK already completed when returned: on the issuing thread. */
    SYNC_OK,
    /** Already-failed stage. */
    SYNC_FAILED,
    /** Throws from get/put. */
    THROWS,
    /** GETs answer MISS, PUTs OK, after 200 us. */
    ASYNC_MISS
  }

  private final Mode mode;
  private final ScheduledExecutorService timer = new ScheduledThreadPoolExecutor(2);
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final AtomicLong gets = new AtomicLong();
  final AtomicLong puts = new AtomicLong();

  FakeBackend(Mode mode) {
    this.mode = mode;
  }

  @Override
  public String system() {
    return "fake";
  }

  @Override
  public CompletionStage<Outcome> get(byte[] key) {
    gets.incrementAndGet();
    return answer(() -> mode == Mode.ASYNC_MISS ? Outcome.MISS : Outcome.OK);
  }

  @Override
  public CompletionStage<Outcome> put(byte[] key, byte[] value) {
    puts.incrementAndGet();
    return answer(() -> Outcome.OK);
  }

  private CompletionStage<Outcome> answer(Supplier<Outcome> outcome) {
    switch (mode) {
      case SYNC_OK:
        return CompletableFuture.completedFuture(Outcome.OK);
      case SYNC_FAILED:
        return CompletableFuture.failedFuture(new IllegalStateException("down"));
      case THROWS:
        throw new IllegalStateException("down");
      default:
        break;
    }
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    timer.schedule(() -> {
      inFlight.decrementAndGet();
      future.complete(outcome.get());
    }, 200, TimeUnit.MICROSECONDS);
    return future;
  }

  @Override
  public Map<String, Long> clientCounters() {
    return Map.of("requests", gets.get() + puts.get());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
