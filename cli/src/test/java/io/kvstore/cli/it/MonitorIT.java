package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Five real nodes and a real status server process: states in /api/nodes, a kill -9 shows. */
class MonitorIT {
  private static final Duration INTERVAL = Duration.ofSeconds(2);
  private static final String FAST =
      """
      membership:
        probe-interval-ms: 200
        probe-timeout-ms: 100
        gossip-interval-ms: 50
      """;

  @TempDir Path dir;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private Process monitor;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void stop() throws Exception {
    if (monitor != null) {
      monitor.destroyForcibly();
      monitor.waitFor(10, TimeUnit.SECONDS);
    }
    for (NodeProcess n : nodes) {
      n.close();
    }
  }

  private JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return json.readTree(r.body());
  }

  /** node address -> state, from the status server. */
  private Map<String, String> states(int port) throws Exception {
    Map<String, String> states = new HashMap<>();
    for (JsonNode n : get(port, "/api/nodes")) {
      states.put(n.get("address").asText(), n.get("state").asText());
      assertThat(n.has("id") && n.has("lastSeen") && n.has("stats")).isTrue();
    }
    return states;
  }

  @Test
  void everyNodeShowsUpAndAKilledNodeShowsWithinTwoIntervals() throws Exception {
    Path config = dir.resolve("fast.yaml");
    Files.writeString(config, FAST);
    Path secret = NodeProcess.secretFile(dir);
    NodeProcess.startThroughSeed(nodes, 5, dir, i -> List.of(
        "--memory", "--config", config.toString(), "--cluster-secret-file", secret.toString()));
    int httpPort = NodeProcess.freePort();
    ProcessBuilder monitorProcess =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-jar", NodeProcess.jar().toString(), "monitor",
                "--join", "127.0.0.1:" + nodes.get(0).port,
                "--http-port", Integer.toString(httpPort), "--interval", "2s")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("monitor.log").toFile());
    monitorProcess.environment()
        .put("KVSTORE_CLUSTER_SECRET", Files.readString(NodeProcess.secretFile(dir)).trim());
    monitor = monitorProcess.start();

    await("all 5 nodes up in /api/nodes, each having reported")
        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(() -> {
          Map<String, String> s = states(httpPort);
          assertThat(s).hasSize(5);
          assertThat(s.values()).containsOnly("up");
          for (JsonNode n : get(httpPort, "/api/nodes")) {
            assertThat(n.get("lastSeen").isNull()).as("reported").isFalse();
            assertThat(n.get("stats").has("keys")).isTrue();
          }
        });
    assertThat(get(httpPort, "/api/cluster").toString()).contains("up");

    NodeProcess victim = nodes.get(3);
    victim.kill();
    long killed = System.nanoTime();
    await("the killed node shows as not-responding or dead")
        .atMost(INTERVAL.multipliedBy(2).plusMillis(500))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() ->
            assertThat(states(httpPort).get("127.0.0.1:" + victim.port)).isIn("not-responding", "dead"));
    System.out.printf("killed node shown after %d ms (interval %d ms)%n",
        (System.nanoTime() - killed) / 1_000_000, INTERVAL.toMillis());
    Map<String, String> after = states(httpPort);
    assertThat(after.values().stream().filter("up"::equals).count()).isEqualTo(4);
  }
}
