package io.kvstore.node.cluster;

import io.kvstore.node.runtime.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuspicionTest {
  /** min 2 s, max 8 s, k = 3: 8 − 6 · log(c) / log(4). */
  @ParameterizedTest
  @CsvSource({"1, 8000", "2, 5000", "3, 3245", "4, 2000", "9, 2000"})
  void theTimeoutShrinksLogarithmicallyWithConfirmationsDownToTheMinimum(int confirmations, long expected) {
    assertThat(Suspicion.timeoutMillis(2_000, 8_000, 3, confirmations)).isEqualTo(expected);
  }

  @Test
  void withNoConfirmationsToExpectTheMinimumApplies() {
    assertThat(Suspicion.timeoutMillis(2_000, 8_000, 0, 1)).isEqualTo(2_000);
  }

  @Test
  void anAccuserCountsOnce() {
    Suspicion s = new Suspicion(0, 7, new NodeId("a"));

    assertThat(s.confirm(new NodeId("a"))).isFalse();
    assertThat(s.confirm(new NodeId("b"))).isTrue();
    assertThat(s.confirmations()).isEqualTo(2);
  }

  @Test
  void reArmingKeepsTheStartSoTheTimerOnlyEverMovesEarlier() {
    ManualClock time = new ManualClock();
    long start = time.currentTimeMillis();
    Suspicion s = new Suspicion(start, 7, new NodeId("a"));
    List<Long> firedAt = new ArrayList<>();
    Runnable fire = () -> firedAt.add(time.currentTimeMillis() - start);

    s.arm(time, time.currentTimeMillis(), 8_000, fire);
    time.advance(3_000);
    s.arm(time, time.currentTimeMillis(), 5_000, fire);
    time.advance(10_000);

    assertThat(firedAt).containsExactly(5_000L);
  }

  @Test
  void aCancelledSuspicionNeverFires() {
    ManualClock time = new ManualClock();
    Suspicion s = new Suspicion(time.currentTimeMillis(), 7, null);
    List<String> fired = new ArrayList<>();
    s.arm(time, time.currentTimeMillis(), 1_000, () -> fired.add("dead"));

    s.cancel();
    time.advance(5_000);

    assertThat(fired).isEmpty();
    assertThat(s.confirmations()).isZero();
  }
}
