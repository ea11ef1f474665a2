package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

/** The event loop's idle policy: poll while datagrams keep coming, sleep once they stop. */
class SpinThenSleepTest {
  private static final long SPIN = 50_000;
  private long now = 1_000_000;
  private int polls;
  private int yields;
  private final SpinThenSleep strategy = new SpinThenSleep(SPIN, () -> now, () -> yields++);

  private int step(int ready, boolean hasTasks) throws Exception {
    return strategy.calculateStrategy(() -> {
      polls++;
      return ready;
    }, hasTasks);
  }

  @Test
  void readyDatagramsAreProcessedAtOnce() throws Exception {
    assertThat(step(3, false)).isEqualTo(3);
    assertThat(polls).isEqualTo(1);
    assertThat(yields).as("work to do: no yield").isZero();
  }

  @Test
  void aLoopThatWakesPollsForTheSpinTimeThenSleeps() throws Exception {
    assertThat(step(0, false)).as("just woken: spin").isZero();
    now += SPIN - 1;
    assertThat(step(0, false)).as("still inside the spin").isZero();
    now += 1;
    assertThat(step(0, false)).as("spin over, nothing came").isEqualTo(SelectStrategy.SELECT);
    assertThat(polls).as("every step polled epoll first").isEqualTo(3);
    assertThat(yields).as("each idle poll inside the spin yields the core").isEqualTo(2);
  }

  @Test
  void eachDatagramExtendsTheSpin() throws Exception {
    step(0, false);
    for (int i = 0; i < 10; i++) {
      now += SPIN - 1;
      assertThat(step(1, false)).isEqualTo(1);
    }
    now += SPIN - 1;
    assertThat(step(0, false)).as("%d ns after the last datagram", SPIN - 1).isZero();
    now += 1;
    assertThat(step(0, false)).isEqualTo(SelectStrategy.SELECT);
  }

  @Test
  void afterASleepTheNextWakeUpStartsAFreshSpin() throws Exception {
    step(0, false);
    now += SPIN;
    assertThat(step(0, false)).isEqualTo(SelectStrategy.SELECT);
    now += 10 * SPIN; // slept, woken by a timer
    assertThat(step(0, false)).as("woken: spins again").isZero();
    now += SPIN;
    assertThat(step(0, false)).isEqualTo(SelectStrategy.SELECT);
  }

  @Test
  void pendingTasksNeverLetTheLoopBlock() throws Exception {
    step(0, false);
    now += 100 * SPIN;
    assertThat(step(0, true)).as("tasks wait: run them, do not sleep").isZero();
    assertThat(yields).as("tasks wait: no yield").isEqualTo(1);
    assertThat(step(0, false)).isEqualTo(SelectStrategy.SELECT);
  }

  @Test
  void aNanoClockThatWrapsIsHandled() throws Exception {
    now = Long.MAX_VALUE - SPIN / 2;
    step(0, false);
    now += SPIN - 1; // overflows
    assertThat(step(0, false)).isZero();
    now += 1;
    assertThat(step(0, false)).isEqualTo(SelectStrategy.SELECT);
  }

  @Test
  void aSpinTimeMustBePositive() {
    assertThatThrownBy(() -> new SpinThenSleep(0, () -> 0, () -> {})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spin time must be positive");
  }
}
