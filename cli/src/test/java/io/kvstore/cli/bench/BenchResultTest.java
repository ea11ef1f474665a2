package io.kvstore.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchResultTest {
  private final BenchResult result = sample();

  private static BenchResult sample() {
    Histogram nanos = new Histogram(3);
    for (int i = 1; i <= 1000; i++) {
      nanos.recordValue(i * 1_000L);
    }
    BenchConfig config =
        BenchConfig.builder("127.0.0.1:4100").protocol(BenchConfig.Protocol.MEMCACHED).build();
    return new BenchResult(
        config,
        Duration.ofSeconds(10),
        1_000_000,
        5,
        2,
        1,
        Map.of("SERVER_ERROR", 3L),
        BenchResult.Latency.of(nanos));
  }

  @Test
  void jsonIsOneLineWithStableFields() throws Exception {
    String json = result.toJson();

    assertThat(json).doesNotContain("\n");
    JsonNode node = new ObjectMapper().readTree(json);
    assertThat(node.get("protocol").asText()).isEqualTo("memcached");
    assertThat(node.get("workload").asText()).isEqualTo("get");
    assertThat(node.get("target").asText()).isEqualTo("127.0.0.1:4100");
    assertThat(node.get("opsPerSecond").asDouble()).isEqualTo(100_000.0);
    assertThat(node.get("timeouts").asLong()).isEqualTo(2);
    assertThat(node.get("errors").get("SERVER_ERROR").asLong()).isEqualTo(3);
    assertThat(node.get("latencyMicros").get("p50").asDouble()).isBetween(499.0, 501.0);
    assertThat(node.get("latencyMicros").get("p99").asDouble()).isBetween(989.0, 991.0);
    assertThat(node.get("latencyMicros").has("p999")).isTrue();
  }

  @Test
  void humanSummaryNamesThroughputLatencyAndErrors() {
    assertThat(result.toHumanSummary())
        .contains("memcached GET against 127.0.0.1:4100: 100,000 ops/s over 10.0 s")
        .contains("p50 500")
        .contains("timeouts 2, errors 3 × SERVER_ERROR, misses 5");
  }
}
