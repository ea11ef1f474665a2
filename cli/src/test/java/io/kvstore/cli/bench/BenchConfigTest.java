package io.kvstore.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchConfigTest {
  @Test
  void defaults() {
    BenchConfig config = BenchConfig.builder("127.0.0.1:4000").build();

    assertThat(config.protocol()).isEqualTo(BenchConfig.Protocol.KVSTORE);
    assertThat(config.workload()).isEqualTo(BenchConfig.Workload.GET);
    assertThat(config.valueSize()).isEqualTo(100);
    assertThat(config.keyCount()).isEqualTo(10_000);
    assertThat(config.window()).isEqualTo(32);
    assertThat(config.sockets()).isEqualTo(4);
    assertThat(config.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.warmup()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.preload()).isTrue();
  }

  @Test
  void putsDoNotPreloadUnlessAsked() {
    BenchConfig.Builder puts =
        BenchConfig.builder("127.0.0.1:4000").workload(BenchConfig.Workload.PUT);

    assertThat(puts.build().preload()).isFalse();
    assertThat(puts.preload(true).build().preload()).isTrue();
  }

  @Test
  void neverMoreSocketsThanRequestsInFlight() {
    assertThat(BenchConfig.builder("127.0.0.1:4000").window(1).build().effectiveSockets())
        .isEqualTo(1);
  }

  @Test
  void getFractionFollowsTheWorkload() {
    BenchConfig.Builder builder = BenchConfig.builder("127.0.0.1:4000").getRatio(0.7);

    assertThat(builder.workload(BenchConfig.Workload.PUT).build().getFraction()).isZero();
    assertThat(builder.workload(BenchConfig.Workload.GET).build().getFraction()).isEqualTo(1.0);
    assertThat(builder.workload(BenchConfig.Workload.MIXED).build().getFraction()).isEqualTo(0.7);
  }

  @Test
  void rejectsSettingsThatCannotRun() {
    BenchConfig.Builder builder = BenchConfig.builder("127.0.0.1:4000");

    assertThatThrownBy(() -> builder.valueSize(15_001).build())
        .hasMessageContaining("value size must be 0 to 15000");
    assertThatThrownBy(() -> builder.valueSize(100).window(0).build())
        .hasMessageContaining("window must be 1 to 16384");
    assertThatThrownBy(() -> builder.window(32).getRatio(1.5).build())
        .hasMessageContaining("GET ratio");
  }
}
