package io.kvstore.bench.replicated;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClosedLoopTest {
  private static final byte[][] KEYS = ReplicatedBench.keys(100);
  private static final byte[][] VALUES = ReplicatedBench.values(100);

  private static Workload workload(int window, double getFraction) {
    return workload(window, getFraction, Workload.DEFAULT_MAX_REQUESTS);
  }

  private static Workload workload(int window, double getFraction, long maxRequests) {
    return new Workload(
        window, KEYS.length, 100, getFraction, Duration.ofMillis(100), Duration.ofMillis(400),
        Duration.ofSeconds(5), maxRequests);
  }

  private static LoadResult run(FakeBackend backend, Workload workload) throws InterruptedException {
    try (backend) {
      return new ClosedLoop(backend, workload, KEYS, VALUES).run();
    }
  }

  @Test
  void keepsExactlyTheWindowInFlightAndCountsOnlyTheMeasuredPhase() throws InterruptedException {
    FakeBackend backend = new FakeBackend(FakeBackend.Mode.ASYNC_OK);
    LoadResult result = run(backend, workload(8, 0.5));

    assertThat(backend.maxInFlight.get()).isEqualTo(8);
    assertThat(result.undrained()).isZero();
    assertThat(backend.inFlight.get()).isZero();
    long measured = result.gets().getTotalCount() + result.puts().getTotalCount();
    assertThat(measured).isPositive();
    // warm-up requests are issued but not measured
    assertThat(backend.gets.get() + backend.puts.get()).isGreaterThan(measured);
    assertThat(result.measuredNanos()).isBetween(
        Duration.ofMillis(400).toNanos(), Duration.ofSeconds(5).toNanos());
    // outcomes and latencies are both taken over the measured phase (a few may fall between
    // the flag and the histogram swap)
    assertThat(result.outcomes().get(Outcome.OK))
        .isBetween((long) (measured * 0.8) - 20, (long) (measured * 1.2) + 20);
    assertThat(result.outcomes().get(Outcome.FAILED)).isZero();
    // each fake answer takes at least 200 us
    assertThat(result.all().getMinValue()).isGreaterThanOrEqualTo(200_000);
  }

  @Test
  void getFractionDecidesTheMix() throws InterruptedException {
    LoadResult onlyGets = run(new FakeBackend(FakeBackend.Mode.ASYNC_OK), workload(4, 1.0));
    assertThat(onlyGets.puts().getTotalCount()).isZero();
    assertThat(onlyGets.gets().getTotalCount()).isPositive();

    LoadResult onlyPuts = run(new FakeBackend(FakeBackend.Mode.ASYNC_OK), workload(4, 0.0));
    assertThat(onlyPuts.gets().getTotalCount()).isZero();
    assertThat(onlyPuts.puts().getTotalCount()).isPositive();
  }

  @Test
  void neverSendsMoreThanTheRequestBound() throws InterruptedException {
    FakeBackend backend = new FakeBackend(FakeBackend.Mode.SYNC_OK);
    LoadResult result = run(backend, workload(4, 0.5, 500));
    assertThat(backend.gets.get() + backend.puts.get()).isEqualTo(500);
    assertThat(result.undrained()).isZero();
  }

  @Test
  void missesAreCountedApart() throws InterruptedException {
    LoadResult result = run(new FakeBackend(FakeBackend.Mode.ASYNC_MISS), workload(4, 1.0));
    assertThat(result.outcomes().get(Outcome.MISS)).isPositive();
    assertThat(result.outcomes().get(Outcome.OK)).isZero();
  }

  @Test
  void aBackendAnsweringOnTheCallingThreadDoesNotOverflowTheStack() throws InterruptedException {
    LoadResult result = run(new FakeBackend(FakeBackend.Mode.SYNC_OK), workload(2, 0.9));
    assertThat(result.outcomes().get(Outcome.OK)).isGreaterThan(10_000);
    assertThat(result.undrained()).isZero();
  }

  @Test
  void failuresAreCountedPausedAndNeverMeasuredAsLatency() throws InterruptedException {
    for (FakeBackend.Mode mode : new FakeBackend.Mode[] {FakeBackend.Mode.SYNC_FAILED, FakeBackend.Mode.THROWS}) {
      LoadResult result = run(new FakeBackend(mode), workload(4, 0.5));
      assertThat(result.outcomes().get(Outcome.FAILED)).as(mode.name()).isPositive();
      // one relay thread pausing 1 ms per failure: at most ~400 in a 400 ms phase, not millions
      assertThat(result.outcomes().get(Outcome.FAILED)).as(mode.name()).isLessThan(2_000);
      assertThat(result.gets().getTotalCount() + result.puts().getTotalCount()).isZero();
      assertThat(result.opsPerSecond()).isZero();
      assertThat(result.undrained()).isZero();
    }
  }
}
