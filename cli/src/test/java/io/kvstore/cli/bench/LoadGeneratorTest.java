package io.kvstore.cli.bench;

import io.kvstore.protocol.testing.FakeNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.client.Keys;
import io.kvstore.protocol.ResponseCode;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {
  private FakeNode server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeNode();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private BenchConfig.Builder shortRun() {
    return BenchConfig.builder(server.address())
        .keyCount(300)
        .window(8)
        .sockets(2)
        .warmup(Duration.ofMillis(100))
        .duration(Duration.ofMillis(400));
  }

  @Test
  void preloadedGetsAllHitAndProgressIsReported() {
    List<BenchProgress> progress = new CopyOnWriteArrayList<>();

    BenchResult result = LoadGenerator.run(shortRun().build(), progress::add);

    assertThat(server.storedKeys()).isEqualTo(300);
    assertThat(server.hasKey(Keys.sha256("0"))).isTrue();
    assertThat(server.hasKey(Keys.sha256("299"))).isTrue();
    assertThat(result.ops()).isPositive();
    assertThat(result.misses()).isZero();
    assertThat(result.timeouts()).isZero();
    assertThat(result.errors()).isEmpty();
    assertThat(result.opsPerSecond())
        .isCloseTo(result.ops() / 0.4, org.assertj.core.data.Offset.offset(0.01));
    assertThat(result.latency().p50()).isPositive().isLessThanOrEqualTo(result.latency().p99());
    assertThat(progress).isNotEmpty();
    assertThat(progress.get(progress.size() - 1).phase()).isEqualTo(BenchProgress.Phase.MEASURE);
    assertThat(progress.get(progress.size() - 1).fraction()).isEqualTo(1.0);
  }

  @Test
  void putsWithoutPreloadStoreRandomKeys() {
    BenchResult result =
        LoadGenerator.run(
            shortRun().workload(BenchConfig.Workload.PUT).build(), ProgressListener.NONE);

    assertThat(result.config().preload()).isFalse();
    assertThat(result.ops()).isPositive();
    assertThat(server.storedKeys()).isPositive();
  }

  @Test
  void getsOfMissingKeysCountAsMisses() {
    BenchResult result =
        LoadGenerator.run(shortRun().preload(false).build(), ProgressListener.NONE);

    assertThat(result.misses()).isEqualTo(result.ops()).isPositive();
  }

  @Test
  void droppedRequestsTimeOutAndTheirSlotsAreResent() {
    server.dropEvery(50);

    BenchResult result =
        LoadGenerator.run(
            shortRun()
                .workload(BenchConfig.Workload.MIXED)
                .requestTimeout(Duration.ofMillis(20))
                .duration(Duration.ofMillis(600))
                .build(),
            ProgressListener.NONE);

    assertThat(result.timeouts()).isPositive();
    assertThat(result.ops()).isGreaterThan(result.timeouts());
  }

  @Test
  void errorRepliesAreCountedByCode() {
    server.answerKeyCommandsWith(ResponseCode.OVERLOAD);

    BenchResult result =
        LoadGenerator.run(shortRun().preload(false).build(), ProgressListener.NONE);

    assertThat(result.ops()).isZero();
    assertThat(result.errors()).containsOnlyKeys("0x03 (system overload)");
    assertThat(result.errorCount()).isPositive();
  }

  @Test
  void aServerThatNeverAnswersFailsFastWithAHint() throws Exception {
    try (DatagramSocket silent =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      BenchConfig config =
          BenchConfig.builder((InetSocketAddress) silent.getLocalSocketAddress())
              .requestTimeout(Duration.ofMillis(20))
              .build();

      assertThatThrownBy(() -> LoadGenerator.run(config, ProgressListener.NONE))
          .isInstanceOf(BenchException.class)
          .hasMessageContaining("no reply from 127.0.0.1:" + silent.getLocalPort())
          .hasMessageContaining("./kvstore is-alive --node 127.0.0.1:" + silent.getLocalPort());
    }
  }
}
