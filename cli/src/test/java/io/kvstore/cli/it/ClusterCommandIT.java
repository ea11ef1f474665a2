package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kvstore cluster} as a user runs it: one secret for all its nodes and its status server,
 * progress while the nodes join, and every node stopped on SIGTERM.
 */
class ClusterCommandIT {
  private static final Pattern NODE_ROW = Pattern.compile("^node-\\d+\\s+127\\.0\\.0\\.1:\\d+\\s+(\\d+)\\s");
  @TempDir Path dir;
  private Process cluster;
  private final List<Long> nodePids = new CopyOnWriteArrayList<>();
  private final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    if (cluster != null && cluster.isAlive()) {
      cluster.destroyForcibly();
      cluster.waitFor(10, TimeUnit.SECONDS);
    }
    for (long pid : nodePids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** A base port with {@code count} free ports after it. */
  static int freeRange(int count) throws Exception {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = NodeProcess.freePort();
      if (base + count > 65_535) {
        continue;
      }
      boolean free = true;
      for (int i = 1; i < count && free; i++) {
        try (DatagramSocket s = new DatagramSocket(base + i, InetAddress.getLoopbackAddress())) {
          // free
        } catch (java.net.SocketException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new AssertionError("no range of " + count + " free ports");
  }

  private String text() {
    return String.join("\n", output);
  }

  @Test
  void aClusterWiresOneSecretIntoItsNodesAndStatusServerAndStopsThemAll() throws Exception {
    int base = freeRange(3);
    int http = NodeProcess.freePort();
    Path data = dir.resolve("cluster-data");
    cluster =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-jar", NodeProcess.jar().toString(), "cluster", "--nodes", "3", "--memory",
                "--base-port", Integer.toString(base), "--data-dir", data.toString(),
                "--monitor-port", Integer.toString(http), "--monitor-interval", "1s")
            .redirectErrorStream(true)
            .start();
    Thread reader =
        new Thread(() -> {
          try (BufferedReader r = new BufferedReader(
              new InputStreamReader(cluster.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
              output.add(line);
              Matcher m = NODE_ROW.matcher(line);
              if (m.find()) {
                nodePids.add(Long.parseLong(m.group(1)));
              }
            }
          } catch (java.io.IOException e) {
            // process ended
          }
        });
    reader.setDaemon(true);
    reader.start();

    await("the cluster is ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
        .until(() -> text().contains("cluster ready") || !cluster.isAlive());
    assertThat(text()).contains("cluster ready: 3 members").contains("of 3 nodes joined")
        .contains("3 of 3 nodes joined");
    assertThat(nodePids).hasSize(3);
    Path secret = data.resolve("cluster-secret").toAbsolutePath();
    assertThat(text()).contains("cluster secret: " + secret);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");

    Kvstore.Run members = Kvstore.run(dir, Duration.ofSeconds(30), "members", "--node", "127.0.0.1:" + (base + 2));
    assertThat(members.out()).startsWith("3 live member(s)").doesNotContain("warning");

    // the status server got the same secret: every node's report is accepted
    HttpClient httpClient = HttpClient.newHttpClient();
    await("3 nodes up on the dashboard").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> {
          String body = httpClient.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/nodes")).build(),
              HttpResponse.BodyHandlers.ofString()).body();
          return body.split("\"state\":\"up\"", -1).length - 1 == 3;
        });

    cluster.destroy(); // SIGTERM
    assertThat(cluster.waitFor(60, TimeUnit.SECONDS)).as("cluster command stops").isTrue();
    List<Long> alive = new ArrayList<>();
    for (long pid : nodePids) {
      ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(h -> alive.add(pid));
    }
    assertThat(alive).as("node processes left running").isEmpty();
  }
}
