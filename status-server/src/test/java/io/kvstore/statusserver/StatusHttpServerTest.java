package io.kvstore.statusserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.node.monitor.Stat;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.security.FrameAuthenticator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static io.kvstore.statusserver.Reports.member;
import static io.kvstore.statusserver.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;


class StatusHttpServerTest {
  private static final java.time.Instant START = java.time.Instant.parse("2026-03-01T12:00:00Z");
  /** A sample line of the Prometheus text format: name, optional labels, value. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*})? \\S+");

  private final ManualClock clock = new ManualClock(START.toEpochMilli());
  private final ClusterView view = new ClusterView(clock, MonitorSettings.defaults());
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper mapper = new ObjectMapper();
  private StatusHttpServer server;

  @BeforeEach
  void startWithThreeNodes() {
    view.onMembers(
        List.of(
            member("n1", 1, "alive", 1), member("n2", 2, "alive", 1), member("n3", 3, "dead", 1)));
    view.onReport(report("n1", 1));
    view.onReport(report("n3", 3));
    clock.advance(30_000); // n2 never reported: not responding
    view.onReport(report("n1", 1));
    view.onRoundStarted(7);
    server = new StatusHttpServer(view, "127.0.0.1", 0).start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return mapper.readTree(response.body());
  }

  @Test
  void servesOperationsAndOneOperationWithItsTails() throws Exception {
    String id = OperationsViewTest.OP;
    view.onReport(OperationsViewTest.reportWith("n1", 1, 8, Map.of(),
        OperationsViewTest.result(id, "n1", "all", io.kvstore.node.ops.run.OperationState.DONE, 0, "made it\n")));
    JsonNode ops = json("/api/ops");
    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).get("id").asText()).isEqualTo("0123abcd");
    assertThat(ops.get(0).get("targets").asText()).isEqualTo("all");
    assertThat(ops.get(0).get("counts").get("DONE").asInt()).isEqualTo(1);
    // n2 is alive and targeted but silent: waiting; n3 is dead: not waited for.
    assertThat(ops.get(0).get("counts").get("WAITING").asInt()).isEqualTo(1);
    assertThat(ops.get(0).get("nodes").get(0).has("tail")).isFalse();
    JsonNode one = json("/api/ops/" + id);
    JsonNode n1 = one.get("nodes").get(0);
    assertThat(n1.get("node").asText()).isEqualTo("n1");
    assertThat(n1.get("exit").asInt()).isZero();
    assertThat(n1.get("tail").asText()).isEqualTo("made it\n");
    assertThat(one.get("nodes").get(1).get("exit").isNull()).isTrue();
    HttpResponse<String> missing = get("/api/ops/ffffffff");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(mapper.readTree(missing.body()).get("error").asText()).contains("no operation with id ffffffff");
  }

  @Test
  void listsEveryNodeWithItsStateAndStats() throws Exception {
    JsonNode nodes = json("/api/nodes");

    assertThat(nodes).hasSize(3);
    JsonNode n1 = nodes.get(0);
    assertThat(n1.get("id").asText()).isEqualTo("n1");
    assertThat(n1.get("address").asText()).isEqualTo("10.0.0.12:7000");
    assertThat(n1.get("state").asText()).isEqualTo("up");
    assertThat(Instant.parse(n1.get("lastSeen").asText())).isEqualTo(clock.instant());
    assertThat(Instant.parse(n1.get("stateSince").asText())).isEqualTo(START);
    assertThat(n1.get("labels").get("rack").asText()).isEqualTo("r1");
    assertThat(n1.at("/stats/keys/value").asDouble()).isEqualTo(2_000);
    assertThat(n1.at("/stats/keys/unit").asText()).isEqualTo("keys");
    assertThat(n1.at("/stats/keys/kind").asText()).isEqualTo("gauge");
    assertThat(n1.at("/stats/requests.retransmissions/kind").asText()).isEqualTo("counter");
    assertThat(n1.at("/stats/version/value").asText()).isEqualTo("0.1.0");
    assertThat(n1.at("/stats/version/kind").asText()).isEqualTo("text");
    assertThat(n1.get("changes")).hasSize(1);

    assertThat(nodes.get(1).get("state").asText()).isEqualTo("not-responding");
    assertThat(nodes.get(1).get("lastSeen").isNull()).isTrue();
    assertThat(nodes.get(1).get("changes").get(1).get("from").asText()).isEqualTo("up");
    assertThat(nodes.get(2).get("state").asText()).isEqualTo("dead");
  }

  @Test
  void showsOneNodeWithItsHistory() throws Exception {
    JsonNode n1 = json("/api/nodes/n1");

    assertThat(n1.get("id").asText()).isEqualTo("n1");
    assertThat(n1.at("/history/times")).hasSize(2);
    assertThat(n1.at("/history/times/1").asLong()).isEqualTo(clock.currentTimeMillis());
    assertThat(n1.at("/history/series/keys")).hasSize(2);
    assertThat(n1.at("/history/series/keys/1").asDouble()).isEqualTo(2_000);
  }

  @Test
  void answersUnknownNodesWithA404InJson() throws Exception {
    HttpResponse<String> response = get("/api/nodes/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(mapper.readTree(response.body()).get("error").asText()).contains("nope");
  }

  @Test
  void summarizesTheCluster() throws Exception {
    JsonNode cluster = json("/api/cluster");

    assertThat(cluster.get("nodes").asInt()).isEqualTo(3);
    assertThat(cluster.at("/byState/up").asInt()).isEqualTo(1);
    assertThat(cluster.at("/byState/not-responding").asInt()).isEqualTo(1);
    assertThat(cluster.at("/byState/dead").asInt()).isEqualTo(1);
    assertThat(cluster.at("/byState/suspect").asInt()).isZero();
    // Totals count live nodes only: the not-responding node's last figures are stale.
    assertThat(cluster.get("totalKeys").asDouble()).isEqualTo(2_000);
    assertThat(cluster.get("totalOpsPerSecond").asDouble()).isEqualTo(200);
    assertThat(cluster.get("lastRound").asLong()).isEqualTo(7);
    assertThat(Instant.parse(cluster.get("lastRoundAt").asText())).isEqualTo(clock.instant());
  }

  @Test
  void exportsLiveNodesStatsAsPrometheusGaugesWithANodeLabel() throws Exception {
    server.registerIntake(new ReportIntake(FrameAuthenticator.none(), 10, 1 << 20, r -> ReportOutcome.ACCEPTED));
    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(HttpServers.PROMETHEUS_TEXT);
    String text = response.body();
    assertThat(text)
        .contains("kvstore_keys{node=\"n1\"} 2000")
        .contains("kvstore_latency_p99{node=\"n1\"}")
        .contains("kvstore_requests_retransmissions{node=\"n1\"} 12")
        .contains("kvstore_nodes{state=\"up\"} 1")
        .contains("kvstore_nodes{state=\"not-responding\"} 1")
        .contains("kvstore_monitor_reports_received_total 0")
        // A dead node's last report is stale: not exported.
        .doesNotContain("node=\"n3\"");
    assertValidPrometheusText(text);
  }

  @Test
  void nodesCarryTheirWarningsSoTheDashboardCanShowThem() throws Exception {
    view.onReport(Reports.rejecting("n1", 1, 8, 5));

    JsonNode n1 = null;
    for (JsonNode n : json("/api/nodes")) {
      if (n.get("id").asText().equals("n1")) {
        n1 = n;
      } else {
        assertThat(n.get("warnings")).isEmpty();
      }
    }
    assertThat(n1.get("warnings")).hasSize(1);
    assertThat(n1.at("/warnings/0/code").asText()).isEqualTo("rejecting-frames");
    assertThat(n1.at("/warnings/0/text").asText()).contains("cluster secret mismatch?");
    assertThat(json("/api/nodes/n1").at("/warnings/0/code").asText()).isEqualTo("rejecting-frames");
  }

  @Test
  void saysWhenTheReportsAreNotAuthenticated() throws Exception {
    assertThat(json("/api/cluster").get("reportsAuthenticated").asBoolean()).isTrue();

    view.markReportsUnauthenticated();

    assertThat(json("/api/cluster").get("reportsAuthenticated").asBoolean()).isFalse();
  }

  @Test
  void servesTheIntakeCountersAndTheViewsBounds() throws Exception {
    assertThat(get("/api/intake").statusCode()).isEqualTo(404);
    ReportIntake intake = new ReportIntake(FrameAuthenticator.withSecret("0123456789abcdef-http"), 10, 1 << 20,
        r -> ReportOutcome.ACCEPTED);
    server.registerIntake(intake);
    intake.offer(io.netty.buffer.Unpooled.wrappedBuffer(new byte[64]));

    JsonNode counts = json("/api/intake");
    assertThat(counts.get("received").asLong()).isEqualTo(1);
    assertThat(counts.get("unauthenticated").asLong()).isEqualTo(1);
    assertThat(counts.get("notMember").asLong()).isZero();
    assertThat(counts.get("retainedBytes").asLong()).isPositive()
        .isLessThanOrEqualTo(counts.get("memoryBudgetBytes").asLong());
    assertThat(get("/metrics").body()).contains("kvstore_monitor_reports_unauthenticated_total 1");
    intake.close();
  }

  @Test
  void dropsANodesSeriesWhenItStopsResponding() throws Exception {
    assertThat(get("/metrics").body()).contains("node=\"n1\"");

    clock.advance(30_000);

    assertThat(get("/metrics").body())
        .doesNotContain("node=\"n1\"")
        .contains("kvstore_nodes{state=\"not-responding\"} 2");
  }

  @Test
  void keepsTheMetricsValidWhateverTheStatNames() throws Exception {
    view.onMembers(List.of(member("odd", 9, "alive", 1)));
    view.onReport(
        new StatusReport(
            "odd",
            Reports.address(9),
            1,
            0,
            Map.of(),
            List.of(
                Stat.gauge("nodes", "", 1),
                Stat.gauge("monitor.reports.received", "", 2),
                Stat.gauge("odd-name", "", 3),
                Stat.gauge("odd_name", "", 4),
                Stat.gauge("requests.total", "", 5),
                Stat.gauge("ünïcode", "", 6))));

    String text = get("/metrics").body();

    assertThat(text)
        .contains("kvstore_odd_name{node=\"odd\"} 3")
        .contains("kvstore_requests{node=\"odd\"} 5")
        .doesNotContain("kvstore_nodes{node=", "kvstore_monitor_reports_received{node=");
    assertValidPrometheusText(text);
  }

  @Test
  void servesTheDashboardAndItsAssets() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("/assets/dashboard.js", "/assets/dashboard.css")
        .doesNotContain("https://");

    for (String asset : List.of("/assets/dashboard.js", "/assets/dashboard.css")) {
      HttpResponse<String> response = get(asset);
      assertThat(response.statusCode()).as(asset).isEqualTo(200);
      assertThat(response.body()).doesNotContain("https://", "http://");
    }
  }

  @Test
  void pushesTheClusterToLiveDashboards() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/events"))
            .header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    List<JsonNode> updates = new ArrayList<>();
    try (Stream<String> lines = response.body()) {
      lines
          .filter(line -> line.startsWith("data: "))
          .limit(2) // the first at once, the second from the timer
          .forEach(line -> updates.add(readTree(line.substring(6))));
    }

    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    JsonNode update = updates.get(1);
    assertThat(update.at("/summary/nodes").asInt()).isEqualTo(3);
    assertThat(update.get("nodes")).hasSize(3);
    assertThat(update.at("/nodes/0/stats/keys/value").asDouble()).isEqualTo(2_000);
    assertThat(update.at("/nodes/0/stats").has("version")).as("only the table's stats").isFalse();
  }

  private JsonNode readTree(String json) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Every sample line is well formed and follows a TYPE line for its metric family. */
  private static void assertValidPrometheusText(String text) {
    List<String> types = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        types.add(line.split(" ")[2]);
      } else if (!line.startsWith("#") && !line.isEmpty()) {
        assertThat(line).matches(SAMPLE);
        String name = line.split("[{ ]")[0];
        assertThat(types).as("TYPE before " + name).anyMatch(name::startsWith);
      }
    }
  }
}
