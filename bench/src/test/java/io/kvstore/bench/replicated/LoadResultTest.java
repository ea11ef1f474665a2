package io.kvstore.bench.replicated;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadResultTest {
  @Test
  void jsonLineCarriesThroughputLatenciesAndOutcomes() throws Exception {
    Histogram gets = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Histogram puts = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    for (int i = 1; i <= 100; i++) {
      gets.recordValue(TimeUnit.MICROSECONDS.toNanos(i)); // 1..100 us
    }
    puts.recordValue(TimeUnit.MILLISECONDS.toNanos(5));
    Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
    outcomes.put(Outcome.OK, 100L);
    outcomes.put(Outcome.MISS, 1L);
    outcomes.put(Outcome.REJECTED, 2L);
    outcomes.put(Outcome.FAILED, 3L);
    Workload workload =
        new Workload(32, 10_000, 100, 0.9, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ZERO, 1_000);
    LoadResult result = new LoadResult(
        "kvstore", workload, TimeUnit.SECONDS.toNanos(2), gets, puts, outcomes, 0,
        Map.of("retransmissions", 7L));

    String line = result.toJson("kvstore-n3", 2, 3);
    assertThat(line).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);

    assertThat(json.get("system").asText()).isEqualTo("kvstore");
    assertThat(json.get("label").asText()).isEqualTo("kvstore-n3");
    assertThat(json.get("round").asInt()).isEqualTo(2);
    assertThat(json.get("nodes").asInt()).isEqualTo(3);
    assertThat(json.get("ops").asLong()).isEqualTo(101);
    assertThat(json.get("opsPerSecond").asDouble()).isEqualTo(50.5);
    assertThat(json.get("getFraction").asDouble()).isEqualTo(0.9);
    assertThat(json.at("/getLatencyMicros/p50").asLong()).isEqualTo(50);
    assertThat(json.at("/getLatencyMicros/p99").asLong()).isEqualTo(99);
    assertThat(json.at("/putLatencyMicros/count").asLong()).isEqualTo(1);
    assertThat(json.at("/latencyMicros/max").asLong()).isBetween(4990L, 5010L);
    assertThat(json.at("/outcomes/failed").asLong()).isEqualTo(3);
    assertThat(json.at("/outcomes/rejected").asLong()).isEqualTo(2);
    assertThat(json.at("/client/retransmissions").asLong()).isEqualTo(7);
  }

  @Test
  void emptyHistogramsStillMakeValidJson() throws Exception {
    Histogram empty = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Workload workload =
        new Workload(1, 1, 1, 0, Duration.ZERO, Duration.ofMillis(100), Duration.ZERO, 1);
    LoadResult result = new LoadResult(
        "hazelcast", workload, 1, empty, empty, new EnumMap<>(Outcome.class), 4, Map.of());
    JsonNode json = new ObjectMapper().readTree(result.toJson("x", 1, 1));
    assertThat(json.at("/latencyMicros/count").asLong()).isZero();
    assertThat(json.get("undrained").asInt()).isEqualTo(4);
  }
}
