package io.kvstore.bench.replicated;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one measured phase saw: latencies of the GETs and PUTs that completed during it (ns), the
 * outcome of every request that ended during it, requests left in flight after the drain, and the
 * client's own counters. Printed as one JSON line.
 */
public record LoadResult(
    String system,
    Workload workload,
    long measuredNanos,
    Histogram gets,
    Histogram puts,
    Map<Outcome, Long> outcomes,
    int undrained,
    Map<String, Long> clientCounters) {

  /** Completed operations (found, not found, stored) per second of the measured phase. */
  public double opsPerSecond() {
    return (gets.getTotalCount() + puts.getTotalCount()) * 1e9 / measuredNanos;
  }

  public Histogram all() {
    Histogram all = new Histogram(gets.getHighestTrackableValue(), 3);
    all.add(gets);
    all.add(puts);
    return all;
  }

  /** One JSON object on one line; {@code label} and {@code round} say which run it was. */
  public String toJson(String label, int round, int nodes) {
    StringBuilder json = new StringBuilder(512);
    json.append('{');
    field(json, "system", quote(system)).append(',');
    field(json, "label", quote(label)).append(',');
    field(json, "round", Integer.toString(round)).append(',');
    field(json, "nodes", Integer.toString(nodes)).append(',');
    field(json, "window", Integer.toString(workload.window())).append(',');
    field(json, "keys", Integer.toString(workload.keyCount())).append(',');
    field(json, "valueSize", Integer.toString(workload.valueSize())).append(',');
    field(json, "getFraction", number(workload.getFraction())).append(',');
    field(json, "warmupSeconds", number(workload.warmup().toMillis() / 1000.0)).append(',');
    field(json, "measuredSeconds", number(measuredNanos / 1e9)).append(',');
    field(json, "ops", Long.toString(gets.getTotalCount() + puts.getTotalCount())).append(',');
    field(json, "opsPerSecond", number(opsPerSecond())).append(',');
    field(json, "latencyMicros", latency(all())).append(',');
    field(json, "getLatencyMicros", latency(gets)).append(',');
    field(json, "putLatencyMicros", latency(puts)).append(',');
    StringBuilder counts = new StringBuilder("{");
    outcomes.forEach((outcome, count) -> {
      if (counts.length() > 1) {
        counts.append(',');
      }
      field(counts, outcome.name().toLowerCase(Locale.ROOT), Long.toString(count));
    });
    field(json, "outcomes", counts.append('}').toString()).append(',');
    field(json, "undrained", Integer.toString(undrained)).append(',');
    StringBuilder client = new StringBuilder("{");
    clientCounters.forEach((name, count) -> {
      if (client.length() > 1) {
        client.append(',');
      }
      field(client, name, Long.toString(count));
    });
    field(json, "client", client.append('}').toString());
    return json.append('}').toString();
  }

  private static String latency(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "{\"count\":0}";
    }
    return String.format(
        Locale.ROOT,
        "{\"count\":%d,\"mean\":%.1f,\"p50\":%d,\"p90\":%d,\"p99\":%d,\"p999\":%d,\"max\":%d}",
        h.getTotalCount(),
        h.getMean() / 1000.0,
        micros(h.getValueAtPercentile(50)),
        micros(h.getValueAtPercentile(90)),
        micros(h.getValueAtPercentile(99)),
        micros(h.getValueAtPercentile(99.9)),
        micros(h.getMaxValue()));
  }

  private static long micros(long nanos) {
    return TimeUnit.NANOSECONDS.toMicros(nanos);
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static StringBuilder field(StringBuilder json, String name, String value) {
    return json.append('"').append(name).append("\":").append(value);
  }
}
