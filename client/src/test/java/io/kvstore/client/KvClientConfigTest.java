package io.kvstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KvClientConfigTest {
  @Test
  void defaultsWait100200400And800Milliseconds() {
    KvClientConfig config = KvClientConfig.of("127.0.0.1:4000");

    assertThat(config.retries()).isEqualTo(3);
    assertThat(config.maxOutstanding()).isEqualTo(1024);
    assertThat(config.attemptTimeoutNanos(0)).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(config.attemptTimeoutNanos(3)).isEqualTo(Duration.ofMillis(800).toNanos());
    assertThat(config.totalTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> KvClientConfig.builder().build()).hasMessageContaining("node(");
    assertThatThrownBy(
            () -> KvClientConfig.builder().node("127.0.0.1:1").timeout(Duration.ZERO).build())
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> KvClientConfig.builder().node("127.0.0.1:1").maxOutstanding(0).build())
        .hasMessageContaining("maxOutstanding");
  }
}
