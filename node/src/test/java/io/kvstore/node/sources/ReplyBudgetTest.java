package io.kvstore.node.sources;

import io.kvstore.node.runtime.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ReplyBudgetTest {
  private static final int GET_REQUEST = 49;
  private static final int LARGE_REPLY = 15_019; // a GET of a 15,000-byte value

  private final ManualClock clock = new ManualClock();

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void repliesUpToFourTimesTheirRequestAreNeverCharged() throws Exception {
    ReplyBudget budget = new ReplyBudget(1_000, 100, 64, clock);
    for (int i = 0; i < 100_000; i++) {
      assertThat(budget.tryCharge(ip("10.0.0.1"), GET_REQUEST, 119)).isTrue();
      assertThat(budget.tryCharge(ip("10.0.0.1"), GET_REQUEST, 4 * GET_REQUEST)).isTrue();
    }
    assertThat(budget.tryCharge(ip("10.0.0.1"), GET_REQUEST, 4 * GET_REQUEST + 1)).isFalse();
    assertThat(budget.throttled()).isEqualTo(1);
    assertThat(budget.throttledBytes()).isEqualTo(4 * GET_REQUEST + 1);
  }

  @Test
  void aFullBucketGivesTheBurstThenTheRate() throws Exception {
    ReplyBudget budget = new ReplyBudget(1_000_000, 100_000, 64, clock);
    InetAddress victim = ip("192.0.2.7");
    int sent = 0;
    while (budget.tryCharge(victim, GET_REQUEST, LARGE_REPLY)) {
      sent++;
    }
    assertThat(sent).isEqualTo(100_000 / LARGE_REPLY); // 6 replies fit a 100 KB burst
    assertThat(budget.tryCharge(victim, GET_REQUEST, LARGE_REPLY)).isFalse();
    clock.advanceNanos((long) ((LARGE_REPLY / 1_000.0) * 1_000_000)); // time to earn one reply at 1 MB/s
    assertThat(budget.tryCharge(victim, GET_REQUEST, LARGE_REPLY)).isTrue();
    assertThat(budget.tryCharge(victim, GET_REQUEST, LARGE_REPLY)).isFalse();
  }

  @Test
  void tenThousandLargeGetsInTwoSecondsGetBurstPlusRate() throws Exception {
    long rate = 4L << 20;
    long burst = 4L << 20;
    ReplyBudget budget = new ReplyBudget(rate, burst, 1024, clock);
    long out = 0;
    long in = 0;
    for (int i = 0; i < 10_000; i++) {
      in += GET_REQUEST;
      out += budget.tryCharge(ip("192.0.2.7"), GET_REQUEST, LARGE_REPLY) ? LARGE_REPLY : 17;
      clock.advanceNanos((long) ((0.2) * 1_000_000));
    }
    assertThat(out - 17 * budget.throttled()).isLessThanOrEqualTo(burst + 2 * rate);
    assertThat(out - 17 * budget.throttled()).isGreaterThan(burst + 2 * rate - 2 * LARGE_REPLY);
    assertThat((double) out / in).isLessThan(50);
  }

  @Test
  void sourcesHaveSeparateBucketsAndIpv6IsBudgetedPerSlash64() throws Exception {
    ReplyBudget budget = new ReplyBudget(1_000, 20_000, 64, clock);
    assertThat(budget.tryCharge(ip("192.0.2.7"), GET_REQUEST, LARGE_REPLY)).isTrue();
    assertThat(budget.tryCharge(ip("192.0.2.7"), GET_REQUEST, LARGE_REPLY)).isFalse();
    assertThat(budget.tryCharge(ip("192.0.2.8"), GET_REQUEST, LARGE_REPLY)).isTrue();

    assertThat(budget.tryCharge(ip("2001:db8:1:2::1"), GET_REQUEST, LARGE_REPLY)).isTrue();
    assertThat(budget.tryCharge(ip("2001:db8:1:2:ffff::9"), GET_REQUEST, LARGE_REPLY)).isFalse();
    assertThat(budget.tryCharge(ip("2001:db8:1:3::1"), GET_REQUEST, LARGE_REPLY)).isTrue();
  }

  @Test
  void theTableIsBoundedAndAFloodOfNewSourcesDoesNotResetAVictim() throws Exception {
    ReplyBudget budget = new ReplyBudget(1_000_000, 100_000, 64, clock);
    assertThat(budget.capacity()).isEqualTo(64);
    InetAddress victim = ip("192.0.2.7");
    while (budget.tryCharge(victim, GET_REQUEST, LARGE_REPLY)) {
      // spend the victim's burst
    }
    for (int i = 0; i < 100_000; i++) {
      InetAddress other = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
      assertThat(budget.tryCharge(other, GET_REQUEST, LARGE_REPLY)).isTrue();
    }
    assertThat(budget.capacity()).isEqualTo(64);
    assertThat(budget.evictions()).isGreaterThan(90_000);
    // The least indebted entries were dropped, never the victim's.
    assertThat(budget.tryCharge(victim, GET_REQUEST, LARGE_REPLY)).isFalse();
  }

  @Test
  void idleEntriesAreReusedWithoutEvictions() throws Exception {
    ReplyBudget budget = new ReplyBudget(1_000_000, 100_000, 64, clock);
    for (int i = 0; i < 10_000; i++) {
      InetAddress source = InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
      assertThat(budget.tryCharge(source, GET_REQUEST, LARGE_REPLY)).isTrue();
      clock.advanceNanos((long) ((16) * 1_000_000)); // each source's debt is paid before the next one comes
    }
    assertThat(budget.evictions()).isZero();
  }

  @Test
  void concurrentChargesNeverExceedTheBurst() throws Exception {
    ReplyBudget budget = new ReplyBudget(1_000, 1_000_000, 1024, clock);
    InetAddress victim = ip("192.0.2.7");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Callable<Long> task =
            () -> {
              long bytes = 0;
              for (int i = 0; i < 1_000; i++) {
                if (budget.tryCharge(victim, GET_REQUEST, LARGE_REPLY)) {
                  bytes += LARGE_REPLY;
                }
              }
              return bytes;
            };
        results.add(pool.submit(task));
      }
      long total = 0;
      for (Future<Long> f : results) {
        total += f.get();
      }
      assertThat(total).isEqualTo((1_000_000 / LARGE_REPLY) * (long) LARGE_REPLY);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBudgetMustBePositive() {
    assertThatThrownBy(() -> new ReplyBudget(0, 1, 64, clock)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new ReplyBudget(1, 0, 64, clock)).hasMessageContaining("positive");
  }
}
