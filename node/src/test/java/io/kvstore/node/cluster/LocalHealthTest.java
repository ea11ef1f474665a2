package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalHealthTest {
  private final LocalHealth health = new LocalHealth(8);

  @Test
  void aHealthyNodeUsesItsTimeoutsAsConfigured() {
    assertThat(health.score()).isZero();
    assertThat(health.scale(500)).isEqualTo(500);
  }

  @Test
  void eachPointOfScoreStretchesTimeoutsByOneMorePeriod() {
    health.adjust(3);

    assertThat(health.scale(500)).isEqualTo(2_000);
  }

  @Test
  void theScoreStaysWithinZeroAndItsMaximum() {
    health.adjust(100);
    assertThat(health.score()).isEqualTo(8);

    health.adjust(-100);
    assertThat(health.score()).isZero();
  }
}
