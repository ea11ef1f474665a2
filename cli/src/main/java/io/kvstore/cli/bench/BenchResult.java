package io.kvstore.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.client.NodeAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * What one benchmark run measured. Only replies that arrived after the warm-up count.
 *
 * @param config what was run
 * @param measured the measured time (without warm-up)
 * @param ops replies that answered the request: success, or "not found" for a GET
 * @param misses GETs answered "not found" (included in ops)
 * @param timeouts requests with no reply within the request timeout
 * @param unmatchedReplies replies that matched no request in flight: late replies to requests that
 *     timed out and were re-sent, duplicates, or datagrams too short to tell
 * @param errors other replies, by code or reply line (not included in ops)
 * @param latency round-trip times of the ops
 */
public record BenchResult(
    BenchConfig config,
    Duration measured,
    long ops,
    long misses,
    long timeouts,
    long unmatchedReplies,
    Map<String, Long> errors,
    Latency latency) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public BenchResult {
    errors = Map.copyOf(errors);
  }

  /**
   * Latency percentiles in microseconds.
   *
   * @param p999 the 99.9th percentile
   */
  public record Latency(double p50, double p90, double p99, double p999, double max, double mean) {
    static Latency of(Histogram nanos) {
      return new Latency(
          micros(nanos.getValueAtPercentile(50)),
          micros(nanos.getValueAtPercentile(90)),
          micros(nanos.getValueAtPercentile(99)),
          micros(nanos.getValueAtPercentile(99.9)),
          micros(nanos.getMaxValue()),
          nanos.getMean() / 1_000.0);
    }

    private static double micros(long nanos) {
      return nanos / 1_000.0;
    }
  }

  public double opsPerSecond() {
    return ops / (measured.toNanos() / 1e9);
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One line of JSON, for scripts; field names are stable. */
  public String toJson() {
    ObjectNode json = JSON.createObjectNode();
    json.put("protocol", config.protocol().label());
    json.put("workload", config.workload().label());
    json.put("target", NodeAddress.format(config.target()));
    json.put("getRatio", config.getFraction());
    json.put("valueSize", config.valueSize());
    json.put("keys", config.keyCount());
    json.put("window", config.window());
    json.put("sockets", config.effectiveSockets());
    json.put("seconds", measured.toNanos() / 1e9);
    json.put("ops", ops);
    json.put("opsPerSecond", Math.round(opsPerSecond() * 10) / 10.0);
    json.put("misses", misses);
    json.put("timeouts", timeouts);
    json.put("unmatchedReplies", unmatchedReplies);
    ObjectNode errorNode = json.putObject("errors");
    errors.forEach(errorNode::put);
    ObjectNode micros = json.putObject("latencyMicros");
    micros.put("p50", latency.p50());
    micros.put("p90", latency.p90());
    micros.put("p99", latency.p99());
    micros.put("p999", latency.p999());
    micros.put("max", latency.max());
    micros.put("mean", Math.round(latency.mean() * 10) / 10.0);
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values always serializes", e);
    }
  }

  /** A few lines for people. */
  public String toHumanSummary() {
    return String.format(
        Locale.ROOT,
        "%s %s against %s: %,.0f ops/s over %.1f s (%,d ops)%n  window %d over %d sockets, %,d"
            + " keys, %d-byte values%s%n  latency (µs): p50 %,.0f  p90 %,.0f  p99 %,.0f  p99.9"
            + " %,.0f  max %,.0f  mean %,.1f%n  timeouts %,d, errors %s, misses %,d, unmatched"
            + " replies %,d",
        config.protocol().label(),
        config.workload().label().toUpperCase(Locale.ROOT),
        NodeAddress.format(config.target()),
        opsPerSecond(),
        measured.toNanos() / 1e9,
        ops,
        config.window(),
        config.effectiveSockets(),
        config.keyCount(),
        config.valueSize(),
        config.workload() == BenchConfig.Workload.MIXED
            ? String.format(Locale.ROOT, ", %.0f%% GETs", config.getRatio() * 100)
            : "",
        latency.p50(),
        latency.p90(),
        latency.p99(),
        latency.p999(),
        latency.max(),
        latency.mean(),
        timeouts,
        describeErrors(),
        misses,
        unmatchedReplies);
  }

  private String describeErrors() {
    if (errors.isEmpty()) {
      return "none";
    }
    return errors.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> String.format(Locale.ROOT, "%,d × %s", e.getValue(), e.getKey()))
        .collect(Collectors.joining(", "));
  }
}
