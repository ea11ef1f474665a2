package io.kvstore.statusserver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kvstore.node.monitor.Stat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON shapes of the status API; times are ISO-8601 strings, absent values null. Written as a
 * stream, not built as a tree: at 10,000 nodes a tree of every stat would take hundreds of MB.
 */
final class ApiJson {
  /** The stats the dashboard's node table shows; live events carry only these, to stay small. */
  static final Set<String> TABLE_STATS =
      Set.of(
          "disk.free",
          "disk.used",
          "storage.live.bytes",
          "uptime",
          "load.1m",
          "keys",
          "requests.rate",
          "latency.p99",
          "ring.replica.share",
          "replication.hints.pending",
          "rebalance.complete",
          "rebalance.members.awaited",
          "rebalance.pass.active",
          "rebalance.batches.pending");

  private final JsonFactory factory =
      new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  void nodes(OutputStream out, List<NodeStatus> nodes) throws IOException {
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.writeStartArray();
      for (NodeStatus node : nodes) {
        json.writeStartObject();
        writeNode(json, node, true);
        json.writeEndObject();
      }
      json.writeEndArray();
    }
  }

  void node(OutputStream out, NodeStatus node, NodeHistory history) throws IOException {
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.writeStartObject();
      writeNode(json, node, true);
      json.writeObjectFieldStart("history");
      json.writeArrayFieldStart("times");
      for (long at : history.timesMillis()) {
        json.writeNumber(at);
      }
      json.writeEndArray();
      json.writeObjectFieldStart("series");
      for (Map.Entry<String, float[]> series : history.series().entrySet()) {
        json.writeArrayFieldStart(series.getKey());
        for (float v : series.getValue()) {
          if (Float.isFinite(v)) {
            json.writeNumber(v);
          } else {
            json.writeNull();
          }
        }
        json.writeEndArray();
      }
      json.writeEndObject();
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  void cluster(OutputStream out, ClusterSummary summary) throws IOException {
    try (JsonGenerator json = factory.createGenerator(out)) {
      writeSummary(json, summary);
    }
  }

  /** What the dashboard receives on every live update: the summary and the table rows. */
  String event(ClusterSummary summary, List<NodeStatus> nodes) {
    StringWriter text = new StringWriter();
    try (JsonGenerator json = factory.createGenerator(text)) {
      json.writeStartObject();
      json.writeFieldName("summary");
      writeSummary(json, summary);
      json.writeArrayFieldStart("nodes");
      for (NodeStatus node : nodes) {
        json.writeStartObject();
        writeNode(json, node, false);
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return text.toString();
  }

  /** What became of the reports received, one counter per outcome, and the view's bounds. */
  void intake(OutputStream out, ReportIntake intake, ClusterView view) throws IOException {
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("received", intake.received.sum());
      json.writeNumberField("accepted", intake.accepted.sum());
      json.writeNumberField("unauthenticated", intake.unauthenticated.sum());
      json.writeNumberField("malformed", intake.malformed.sum());
      json.writeNumberField("dropped", intake.dropped.sum());
      json.writeNumberField("notMember", intake.notMember.sum());
      json.writeNumberField("staleOrReplayed", intake.staleOrReplayed.sum());
      json.writeNumberField("overLimits", intake.overLimits.sum());
      json.writeNumberField("overMemoryBudget", intake.overMemoryBudget.sum());
      json.writeNumberField("queued", intake.queued());
      json.writeNumberField("membersRefused", view.membersRefused());
      json.writeNumberField("retainedBytes", view.retainedBytes());
      json.writeNumberField("memoryBudgetBytes", view.memoryBudgetBytes());
      json.writeEndObject();
    }
  }

  void error(OutputStream out, String message) throws IOException {
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("error", message);
      json.writeEndObject();
    }
  }

  private static void writeSummary(JsonGenerator json, ClusterSummary summary) throws IOException {
    json.writeStartObject();
    json.writeNumberField("nodes", summary.nodes());
    json.writeObjectFieldStart("byState");
    for (Map.Entry<NodeState, Integer> count : summary.byState().entrySet()) {
      json.writeNumberField(count.getKey().label(), count.getValue());
    }
    json.writeEndObject();
    json.writeNumberField("totalKeys", summary.totalKeys());
    json.writeNumberField("totalOpsPerSecond", summary.totalOpsPerSecond());
    writeRound(json, summary.lastRound());
    json.writeStringField("lastRoundAt", iso(summary.lastRoundAt()));
    json.writeStringField("at", iso(summary.at()));
    json.writeBooleanField("reportsAuthenticated", summary.reportsAuthenticated());
    json.writeEndObject();
  }

  /** A node's fields; {@code complete} false keeps only the table's stats and no changes. */
  private static void writeNode(JsonGenerator json, NodeStatus node, boolean complete)
      throws IOException {
    json.writeStringField("id", node.id());
    json.writeStringField("address", hostAndPort(node.address()));
    json.writeStringField("state", node.state().label());
    json.writeStringField("stateSince", iso(node.stateSince()));
    json.writeStringField("lastSeen", iso(node.lastSeen()));
    writeRound(json, node.lastRound());
    json.writeArrayFieldStart("warnings");
    for (NodeWarning warning : node.warnings()) {
      json.writeStartObject();
      json.writeStringField("code", warning.code());
      json.writeStringField("text", warning.text());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeObjectFieldStart("labels");
    for (Map.Entry<String, String> label : node.labels().entrySet()) {
      json.writeStringField(label.getKey(), label.getValue());
    }
    json.writeEndObject();
    json.writeObjectFieldStart("stats");
    for (Stat stat : node.stats()) {
      if (complete || TABLE_STATS.contains(stat.name())) {
        json.writeObjectFieldStart(stat.name());
        writeStat(json, stat);
        json.writeEndObject();
      }
    }
    json.writeEndObject();
    if (complete) {
      json.writeArrayFieldStart("changes");
      for (StateChange change : node.changes()) {
        json.writeStartObject();
        json.writeStringField("at", iso(change.at()));
        json.writeStringField("from", change.from() == null ? null : change.from().label());
        json.writeStringField("to", change.to().label());
        json.writeEndObject();
      }
      json.writeEndArray();
    }
  }

  private static void writeStat(JsonGenerator json, Stat stat) throws IOException {
    if (stat.kind() == Stat.Kind.TEXT) {
      json.writeStringField("value", stat.text());
    } else if (Double.isFinite(stat.value())) {
      json.writeNumberField("value", stat.value());
    } else {
      json.writeNullField("value");
    }
    json.writeStringField("unit", stat.unit());
    json.writeStringField("kind", stat.kind().name().toLowerCase(Locale.ROOT));
  }

  private static void writeRound(JsonGenerator json, long round) throws IOException {
    if (round >= 0) {
      json.writeNumberField("lastRound", round);
    } else {
      json.writeNullField("lastRound");
    }
  }

  static String hostAndPort(InetSocketAddress address) {
    if (address == null) {
      return null;
    }
    InetAddress ip = address.getAddress();
    String host = ip != null ? ip.getHostAddress() : address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  private static String iso(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
