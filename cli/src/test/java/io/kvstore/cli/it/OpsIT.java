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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 on real processes: 5 node JVMs trusting a key from {@code ./kvstore keygen} and a
 * status server. {@code ./kvstore ops run} of a script creates a file on every node, {@code
 * ./kvstore ops status --wait} shows every node done; a script signed by an untrusted key runs
 * nowhere.
 */
class OpsIT {
  private static final Duration CLI = Duration.ofSeconds(60);

  @TempDir Path dir;
  private NodeCluster cluster;
  private Process monitor;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void stop() throws Exception {
    if (monitor != null) {
      monitor.destroyForcibly();
      monitor.waitFor(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return json.readTree(r.body());
  }

  private int startMonitor() throws Exception {
    int httpPort = NodeProcess.freePort();
    ProcessBuilder pb = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
            "-jar", NodeProcess.jar().toString(), "monitor",
            "--join", "127.0.0.1:" + cluster.node(0).port,
            "--http-port", Integer.toString(httpPort), "--interval", "1s",
            "--cluster-secret-file", NodeProcess.secretFile(dir).toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("monitor.log").toFile());
    monitor = pb.start();
    return httpPort;
  }

  private Path nodeDir(int i) {
    return dir.resolve("node-" + (i + 1));
  }

  @Test
  void aSignedScriptRunsOnEveryNodeAndOneByAnUntrustedKeyRunsNowhere() throws Exception {
    Files.createDirectories(dir.resolve("keys"));
    assertThat(Kvstore.run(dir, CLI, "keygen", "--out", dir.resolve("keys/alice").toString()).exit()).isZero();
    assertThat(Kvstore.run(dir, CLI, "keygen", "--out", dir.resolve("keys/mallory").toString()).exit()).isZero();
    cluster = NodeCluster.start(dir, 5,
        "ops:\n  trusted-keys:\n    - " + dir.resolve("keys/alice.pub") + "\n");
    int httpPort = startMonitor();
    await("the status server sees the 5 nodes").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
        .ignoreExceptions().untilAsserted(() -> assertThat(get(httpPort, "/api/nodes")).hasSize(5));

    Path script = Files.writeString(dir.resolve("mark.sh"),
        "echo \"$KVSTORE_NODE_ID\" > \"$KVSTORE_DATA_DIR/ops-it-marker\"\nenv > env.txt\necho \"ran on $KVSTORE_NODE_ID\"\n");
    long submitted = System.nanoTime();
    Kvstore.Run run = Kvstore.run(dir, CLI, "ops", "run", script.toString(),
        "--key", dir.resolve("keys/alice.key").toString(), "--node", "127.0.0.1:" + cluster.node(2).port,
        "--timeout", "20s", "--expires", "5m");
    assertThat(run.exit()).as(run.all()).isZero();
    String id = run.out().trim();
    assertThat(id).matches("[0-9a-f]{32}");

    await("the script's file on every node").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          for (int i = 0; i < 5; i++) {
            assertThat(nodeDir(i).resolve("ops-it-marker")).as("node %d", i + 1).exists();
          }
        });
    System.out.printf("script ran on 5 nodes %d ms after ops run started%n",
        (System.nanoTime() - submitted) / 1_000_000);
    for (int i = 0; i < 5; i++) {
      // Each in its working directory, with the minimal environment: no secret, nothing of the node's.
      Path env = nodeDir(i).resolve("ops/work/" + id + "/env.txt");
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(env) && Files.size(env) > 0);
      List<String> names = Files.readAllLines(env).stream().map(l -> l.substring(0, l.indexOf('='))).toList();
      assertThat(names).containsExactlyInAnyOrder("PATH", "HOME", "LANG", "KVSTORE_OP_ID", "KVSTORE_NODE_ID",
          "KVSTORE_DATA_DIR", "KVSTORE_FILES_DIR", "PWD", "SHLVL", "_");
    }

    Kvstore.Run status = Kvstore.run(dir, Duration.ofSeconds(90), "ops", "status", id.substring(0, 8),
        "--monitor", "127.0.0.1:" + httpPort, "--wait", "--wait-timeout", "60s", "--tails");
    assertThat(status.exit()).as(status.all()).isZero();
    assertThat(status.out()).contains("5/5 nodes done, 0 running, 0 waiting");
    assertThat(Arrays.stream(status.out().split("\n")).filter(l -> l.matches("\\S+ +DONE +0 .*"))).hasSize(5);
    assertThat(status.out()).contains("    ran on ");
    JsonNode op = get(httpPort, "/api/ops/" + id);
    assertThat(op.get("counts").get("DONE").asInt()).isEqualTo(5);

    // Mallory's key is trusted nowhere: refused at submission, and nothing of it runs anywhere.
    Path evil = Files.writeString(dir.resolve("evil.sh"), "touch \"$KVSTORE_DATA_DIR/mallory-was-here\"\n");
    Kvstore.Run refused = Kvstore.run(dir, CLI, "ops", "run", evil.toString(),
        "--key", dir.resolve("keys/mallory.key").toString(), "--node", "127.0.0.1:" + cluster.node(0).port);
    assertThat(refused.exit()).as(refused.all()).isEqualTo(4);
    assertThat(refused.err()).contains("untrusted-key").contains("add mallory.pub to its ops.trusted-keys");
    await("the refusal counted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().untilAsserted(() -> {
          double refusals = 0;
          for (JsonNode n : get(httpPort, "/api/nodes")) {
            refusals += n.get("stats").path("ops.refused.untrusted-key").path("value").asDouble(0);
          }
          assertThat(refusals).isGreaterThanOrEqualTo(1);
        });
    Thread.sleep(3_000); // digest rounds every second: it would have spread by now
    for (int i = 0; i < 5; i++) {
      assertThat(nodeDir(i).resolve("mallory-was-here")).doesNotExist();
      assertThat(cluster.node(i).isAlive()).isTrue();
    }
    assertThat(get(httpPort, "/api/ops")).hasSize(1);
  }
}
