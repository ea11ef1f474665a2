package io.kvstore.node.time;

import static io.kvstore.node.time.HybridLogicalClock.logical;
import static io.kvstore.node.time.HybridLogicalClock.physicalMillis;
import static io.kvstore.node.time.HybridLogicalClock.timestamp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.time.HybridLogicalClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Storage versions records with these timestamps, so the clock is tested beside the engines. */
class HybridLogicalClockTest {

  private final ManualClock wall = new ManualClock(1_000);
  private final HybridLogicalClock clock = new HybridLogicalClock(wall);

  @Test
  void followsTheWallClockWhenItAdvances() {
    long first = clock.now();
    wall.setWallMillis(2_000);
    long second = clock.now();

    assertThat(first).isEqualTo(timestamp(1_000, 0));
    assertThat(second).isEqualTo(timestamp(2_000, 0));
  }

  @Test
  void countsLogicallyWhileTheWallClockStandsStill() {
    long first = clock.now();
    long second = clock.now();
    long third = clock.now();

    assertThat(physicalMillis(third)).isEqualTo(1_000);
    assertThat(List.of(logical(first), logical(second), logical(third))).containsExactly(0, 1, 2);
  }

  @Test
  void staysMonotonicWhenTheWallClockGoesBackwards() {
    wall.setWallMillis(5_000);
    long beforeJump = clock.now();
    wall.setWallMillis(1_000);

    long afterJump = clock.now();

    assertThat(afterJump).isGreaterThan(beforeJump);
    assertThat(physicalMillis(afterJump)).isEqualTo(5_000);
    wall.setWallMillis(6_000);
    assertThat(clock.now()).isEqualTo(timestamp(6_000, 0));
  }

  @Test
  void observingAFutureTimestampMovesTheClockPastIt() {
    long remote = timestamp(9_000, 7);

    long received = clock.observe(remote);

    assertThat(received).isEqualTo(timestamp(9_000, 8));
    assertThat(clock.now()).isGreaterThan(remote);
  }

  @Test
  void observingAPastTimestampStillAdvances() {
    wall.setWallMillis(5_000);
    long local = clock.now();

    long received = clock.observe(timestamp(1_000, 3));

    assertThat(received).isGreaterThan(local);
    assertThat(physicalMillis(received)).isEqualTo(5_000);
  }

  @Test
  void observeFollowsTheWallClockWhenItIsAhead() {
    wall.setWallMillis(7_000);

    assertThat(clock.observe(timestamp(1_000, 3))).isEqualTo(timestamp(7_000, 0));
  }

  @Test
  void logicalOverflowCarriesIntoPhysicalTimeAndStaysMonotonic() {
    long last = clock.observe(timestamp(1_000, 0xFFFE));

    long next = clock.now();

    assertThat(logical(last)).isEqualTo(0xFFFF);
    assertThat(next).isGreaterThan(last).isEqualTo(timestamp(1_001, 0));
  }

  @Test
  void timestampsAreUniqueAcrossThreads() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  long[] issued = new long[perThread];
                  for (int i = 0; i < perThread; i++) {
                    issued[i] = clock.now();
                    if (i > 0) {
                      assertThat(issued[i]).isGreaterThan(issued[i - 1]);
                    }
                  }
                  return issued;
                }));
      }
      Set<Long> all = new HashSet<>();
      for (Future<long[]> future : futures) {
        for (long timestamp : future.get()) {
          all.add(timestamp);
        }
      }
      assertThat(all).hasSize(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void partsRoundTripAndOutOfRangePartsAreRejected() {
    long timestamp = timestamp(123_456_789L, 42);

    assertThat(physicalMillis(timestamp)).isEqualTo(123_456_789L);
    assertThat(logical(timestamp)).isEqualTo(42);
    assertThatThrownBy(() -> timestamp(-1, 0)).hasMessageContaining("48-bit");
    assertThatThrownBy(() -> timestamp(1L << 48, 0)).hasMessageContaining("48-bit");
    assertThatThrownBy(() -> timestamp(0, 0x10000)).hasMessageContaining("logical");
  }
}
