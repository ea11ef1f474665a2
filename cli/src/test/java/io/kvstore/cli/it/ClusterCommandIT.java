package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kvstore cluster} as a user runs it: one secret for all its nodes and its status server,
 * progress while the nodes join, and every node stopped on SIGTERM.
 */
class ClusterCommandIT {
  @TempDir Path dir;
  private LauncherProcess launcher;

  @AfterEach
  void stopEverything() throws Exception {
    if (launcher != null) {
      launcher.close();
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
    return launcher.text();
  }

  @Test
  void aClusterWiresOneSecretIntoItsNodesAndStatusServerAndStopsThemAll() throws Exception {
    int base = freeRange(3);
    int http = NodeProcess.freePort();
    Path data = dir.resolve("cluster-data");
    launcher = LauncherProcess.start("--nodes", "3", "--memory",
        "--base-port", Integer.toString(base), "--data-dir", data.toString(),
        "--monitor-port", Integer.toString(http), "--monitor-interval", "1s");
    Process cluster = launcher.process;
    List<Long> nodePids = launcher.nodePids;

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
