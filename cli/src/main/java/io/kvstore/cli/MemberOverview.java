package io.kvstore.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.client.MemberList;
import io.kvstore.node.cluster.Member;
import io.kvstore.node.cluster.MemberState;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's per-node view for {@code ./kvstore members}: the share of the key space each
 * member replicates, computed here from the member list the way every node places keys (the same
 * ring code, {@code virtual-nodes} and N), and, from a status server ({@code ./kvstore monitor},
 * which collects every node's stats), each node's keys, hints pending, read repairs and
 * rebalancing state.
 */
final class MemberOverview {
  private static final int MAX_RESPONSE_BYTES = 64 << 20;

  private MemberOverview() {}

  /** The share (0-100 %) of keys whose preference list holds each member, by id. */
  static Map<String, Double> replicaShares(List<MemberList.Entry> members, int virtualNodes, int n) {
    List<Member> placed = members.stream()
        .map(m -> new Member(new NodeId(m.id()), m.address(), m.incarnation(), state(m.state()), 0))
        .toList();
    Ring ring = Ring.of(placed, new NodeId("kvstore-cli"), virtualNodes);
    Map<String, Double> shares = new HashMap<>();
    for (Ring.Owner o : ring.members()) {
      shares.put(o.id().value(), 100 * ring.replicaShare(o.id(), n));
    }
    return shares;
  }

  private static MemberState state(String label) {
    for (MemberState s : MemberState.values()) {
      if (s.name().equalsIgnoreCase(label)) {
        return s;
      }
    }
    return MemberState.ALIVE;
  }

  /** Each node's stats as the status server last received them, by node id. */
  static Map<String, JsonNode> statsFrom(String monitorUrl) throws IOException, InterruptedException {
    URI uri = URI.create(monitorUrl.replaceAll("/+$", "") + "/api/nodes");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    HttpResponse<byte[]> response = http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException(uri + " answered HTTP " + response.statusCode());
    }
    if (response.body().length > MAX_RESPONSE_BYTES) {
      throw new IOException(uri + " answered more than " + MAX_RESPONSE_BYTES + " bytes");
    }
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode node : new ObjectMapper().readTree(response.body())) {
      byId.put(node.path("id").asText(), node.path("stats"));
    }
    return byId;
  }

  /** The table: one row per member. */
  static void print(PrintStream out, List<MemberList.Entry> members, Map<String, Double> shares,
      Map<String, JsonNode> stats) {
    out.printf("%-24s %-22s %-8s %-11s %7s", "ID", "ADDRESS", "STATE", "INCARNATION", "RANGES");
    if (stats != null) {
      out.printf(" %9s %7s %8s  %s", "KEYS", "HINTS", "REPAIRS", "REBALANCE");
    }
    out.println();
    for (MemberList.Entry m : members) {
      Double share = shares.get(m.id());
      out.printf("%-24s %-22s %-8s %-11d %7s", m.id(),
          m.address().getAddress().getHostAddress() + ":" + m.address().getPort(), m.state(),
          m.incarnation(), share == null ? "-" : String.format(Locale.ROOT, "%.1f%%", share));
      if (stats != null) {
        JsonNode s = stats.get(m.id());
        out.printf(" %9s %7s %8s  %s", number(s, "keys"), number(s, "replication.hints.pending"),
            number(s, "replication.repairs.sent"), rebalance(s));
      }
      out.println();
    }
  }

  /** What the node's rebalancing is doing, in a few words. */
  static String rebalance(JsonNode s) {
    if (s == null || s.path("rebalance.complete").isMissingNode()) {
      return "-";
    }
    String streamed = "streamed " + number(s, "rebalance.records.streamed") + " records ("
        + number(s, "rebalance.bytes.streamed") + " B)";
    if (value(s, "rebalance.complete") == 0) {
      return "receiving: waiting for " + number(s, "rebalance.members.awaited") + " members; " + streamed;
    }
    if (value(s, "rebalance.pass.active") == 1) {
      return "streaming: scanned " + number(s, "rebalance.pass.scanned") + ", "
          + number(s, "rebalance.batches.pending") + " batches pending; " + streamed;
    }
    return "idle; " + streamed;
  }

  private static double value(JsonNode s, String stat) {
    JsonNode v = s.path(stat).path("value");
    return v.isNumber() ? v.asDouble() : Double.NaN;
  }

  private static String number(JsonNode s, String stat) {
    if (s == null) {
      return "-";
    }
    double v = value(s, stat);
    return Double.isNaN(v) ? "-" : String.valueOf((long) v);
  }
}
