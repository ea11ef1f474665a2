package io.kvstore.node.monitor.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.node.monitor.Stat;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The JSON shapes of the status API; times are ISO-8601 strings, absent values null. */
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
          "latency.p99");

  private final ObjectMapper mapper = new ObjectMapper();

  String nodes(List<NodeStatus> nodes) {
    ArrayNode array = mapper.createArrayNode();
    nodes.forEach(node -> array.add(node(node, true)));
    return array.toString();
  }

  String node(NodeStatus node, NodeHistory history) {
    ObjectNode json = node(node, true);
    ObjectNode h = json.putObject("history");
    ArrayNode times = h.putArray("times");
    history.timesMillis().forEach(times::add);
    ObjectNode series = h.putObject("series");
    history.series().forEach((name, values) -> {
      ArrayNode points = series.putArray(name);
      for (float v : values) {
        if (Float.isFinite(v)) {
          points.add(v);
        } else {
          points.addNull();
        }
      }
    });
    return json.toString();
  }

  String cluster(ClusterSummary summary) {
    return summaryJson(summary).toString();
  }

  /** What the dashboard receives on every live update: the summary and the table rows. */
  String event(ClusterSummary summary, List<NodeStatus> nodes) {
    ObjectNode json = mapper.createObjectNode();
    json.set("summary", summaryJson(summary));
    ArrayNode rows = json.putArray("nodes");
    nodes.forEach(node -> rows.add(node(node, false)));
    return json.toString();
  }

  String error(String message) {
    return mapper.createObjectNode().put("error", message).toString();
  }

  private ObjectNode summaryJson(ClusterSummary summary) {
    ObjectNode json = mapper.createObjectNode();
    json.put("nodes", summary.nodes());
    ObjectNode byState = json.putObject("byState");
    summary.byState().forEach((state, count) -> byState.put(state.label(), count));
    json.put("totalKeys", summary.totalKeys());
    json.put("totalOpsPerSecond", summary.totalOpsPerSecond());
    if (summary.lastRound() >= 0) {
      json.put("lastRound", summary.lastRound());
    } else {
      json.putNull("lastRound");
    }
    json.put("lastRoundAt", iso(summary.lastRoundAt()));
    json.put("at", iso(summary.at()));
    return json;
  }

  /** A node; {@code complete} false keeps only the table's stats and leaves out the changes. */
  private ObjectNode node(NodeStatus node, boolean complete) {
    ObjectNode json = mapper.createObjectNode();
    json.put("id", node.id());
    json.put("address", hostAndPort(node.address()));
    json.put("state", node.state().label());
    json.put("stateSince", iso(node.stateSince()));
    json.put("lastSeen", iso(node.lastSeen()));
    if (node.lastRound() >= 0) {
      json.put("lastRound", node.lastRound());
    } else {
      json.putNull("lastRound");
    }
    ObjectNode labels = json.putObject("labels");
    node.labels().forEach(labels::put);
    ObjectNode stats = json.putObject("stats");
    for (Stat stat : node.stats()) {
      if (complete || TABLE_STATS.contains(stat.name())) {
        stats.set(stat.name(), stat(stat));
      }
    }
    if (complete) {
      ArrayNode changes = json.putArray("changes");
      for (StateChange change : node.changes()) {
        changes
            .addObject()
            .put("at", iso(change.at()))
            .put("from", change.from() == null ? null : change.from().label())
            .put("to", change.to().label());
      }
    }
    return json;
  }

  private ObjectNode stat(Stat stat) {
    ObjectNode json = mapper.createObjectNode();
    if (stat.kind() == Stat.Kind.TEXT) {
      json.put("value", stat.text());
    } else if (Double.isFinite(stat.value())) {
      json.put("value", stat.value());
    } else {
      json.putNull("value");
    }
    json.put("unit", stat.unit());
    json.put("kind", stat.kind().name().toLowerCase(Locale.ROOT));
    return json;
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
