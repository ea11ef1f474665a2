package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, files: {@code ./kvstore ops push} of a file (20 MB here; {@code -Dit.push.mb=100} in
 * bench/file-push.sh) to 5 node JVMs on loopback. It must arrive byte-identical (SHA-256) on every
 * node under DATA_DIR/ops/files; the time until the last node has it and the bytes the origin
 * served to peers are printed (BENCHMARKS.md "Issue 11").
 */
class FilePushIT {
  static final int NODES = 5;
  @TempDir Path dir;

  @Test
  void aPushedFileArrivesByteIdenticalOnEveryNode() throws Exception {
    int megabytes = Integer.getInteger("it.push.mb", 20);
    Kvstore.Run keygen = Kvstore.run(dir, Duration.ofSeconds(30), "keygen", "--out", dir.resolve("op").toString());
    assertThat(keygen.exit()).as(keygen.all()).isZero();
    List<Integer> httpPorts = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      httpPorts.add(NodeProcess.freePort());
    }
    String ops = "ops:\n  trusted-keys: [ \"" + dir.resolve("op.pub") + "\" ]\n";
    try (NodeCluster cluster = NodeCluster.start(dir, NODES, ops,
        i -> List.of("--http-port", Integer.toString(httpPorts.get(i - 1))))) {
      Path file = dir.resolve("payload.bin");
      String expected = PushedFiles.writeRandom(file, megabytes * 1_000_000L, 42);
      long start = System.nanoTime();
      Kvstore.Run push = Kvstore.run(dir, Duration.ofSeconds(60 + megabytes), "ops", "push", file.toString(),
          "--dest", "payload.bin", "--key", dir.resolve("op.key").toString(),
          "--node", "127.0.0.1:" + cluster.node(0).port);
      assertThat(push.exit()).as(push.all()).isZero();
      double uploadSeconds = (System.nanoTime() - start) / 1e9;
      List<Path> targets = new ArrayList<>();
      for (int i = 1; i <= NODES; i++) {
        targets.add(dir.resolve("node-" + i).resolve("ops").resolve("files").resolve("payload.bin"));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60 + megabytes).toNanos();
      List<Path> missing = new ArrayList<>(targets);
      while (!missing.isEmpty() && System.nanoTime() < deadline) {
        missing.removeIf(Files::exists); // the rename is atomic: present means whole
        Thread.sleep(100);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(missing).as("nodes without the file after %d s", 60 + megabytes).isEmpty();
      for (Path t : targets) {
        assertThat(PushedFiles.sha256(t)).as(t.toString()).isEqualTo(expected);
      }
      List<String> nodeRss = new ArrayList<>();
      for (NodeProcess n : cluster.nodes()) {
        nodeRss.add(String.format("%.0f", n.peakRssKb() / 1024.0));
      }
      System.out.printf("file push memory: peak RSS (VmHWM) of the CLI %.0f MB, of nodes 1-%d %s MB"
          + " (-Xmx64m each)%n", push.peakRssKb() / 1024.0, NODES, String.join(", ", nodeRss));
      awaitSampleAfterNow(httpPorts);
      double originServed = NodeMetrics.value(httpPorts.get(0), "kvstore_ops_transfer_bytes_served");
      double originUploaded = NodeMetrics.value(httpPorts.get(0), "kvstore_ops_transfer_bytes_uploaded");
      double rejected = 0;
      for (int port : httpPorts) {
        rejected += NodeMetrics.value(port, "kvstore_ops_transfer_chunks_rejected");
      }
      long size = megabytes * 1_000_000L;
      System.out.printf("file push: %d MB to %d nodes in %.1f s (upload done after %.1f s); origin served"
          + " %.1f MB to peers (%.2fx the file), received %.1f MB from the CLI; %d chunks rejected%n",
          megabytes, NODES, seconds, uploadSeconds, originServed / 1e6, originServed / size,
          originUploaded / 1e6, (long) rejected);
      assertThat(originUploaded).as("every byte reached the origin; retransmissions count again")
          .isBetween((double) size, 1.5 * size);
      // Issue 11's target is 2x (bench/file-push.sh checks it); CI shares its cores with other
      // builds, where timeouts send more last-resort wants to the origin (1.76x seen), so 3x here.
      double maxRatio = Double.parseDouble(System.getProperty("it.push.max-origin-ratio", "3.0"));
      assertThat(originServed).as("the origin serves about one copy; peers serve each other")
          .isLessThanOrEqualTo(maxRatio * size);
      assertThat(rejected).isZero();
    }
  }

  /**
   * Issue 11 item 3 with an origin that is no target: node 1 takes the upload but only nodes 2-4
   * ({@code role=target}) are targeted. They get the file byte-identical, fetching from the origin
   * and from each other; node 1 writes nothing and runs no then-script.
   */
  @Test
  void anOriginThatIsNoTargetServesThePushAndWritesNothing() throws Exception {
    int nodes = 4;
    long size = 8_000_000;
    Kvstore.Run keygen = Kvstore.run(dir, Duration.ofSeconds(30), "keygen", "--out", dir.resolve("op").toString());
    assertThat(keygen.exit()).as(keygen.all()).isZero();
    List<Integer> httpPorts = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      httpPorts.add(NodeProcess.freePort());
    }
    String ops = "ops:\n  trusted-keys: [ \"" + dir.resolve("op.pub") + "\" ]\n";
    try (NodeCluster cluster = NodeCluster.start(dir, nodes, ops, i -> List.of(
        "--http-port", Integer.toString(httpPorts.get(i - 1)), "--label", i == 1 ? "role=origin" : "role=target"))) {
      Path file = dir.resolve("payload.bin");
      String expected = PushedFiles.writeRandom(file, size, 42);
      Kvstore.Run push = Kvstore.run(dir, Duration.ofSeconds(60), "ops", "push", file.toString(),
          "--dest", "payload.bin", "--then", "touch then-ran", "--targets", "role=target",
          "--key", dir.resolve("op.key").toString(), "--node", "127.0.0.1:" + cluster.node(0).port);
      assertThat(push.exit()).as(push.all()).isZero();
      List<Path> targets = new ArrayList<>();
      for (int i = 2; i <= nodes; i++) {
        targets.add(dir.resolve("node-" + i).resolve("ops").resolve("files").resolve("payload.bin"));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<Path> missing = new ArrayList<>(targets);
      while (!missing.isEmpty() && System.nanoTime() < deadline) {
        missing.removeIf(Files::exists);
        Thread.sleep(100);
      }
      assertThat(missing).as("targets without the file after 60 s").isEmpty();
      for (Path t : targets) {
        assertThat(PushedFiles.sha256(t)).as(t.toString()).isEqualTo(expected);
      }
      for (int i = 2; i <= nodes; i++) {
        Path nodeOps = dir.resolve("node-" + i).resolve("ops");
        await("the then-script ran on node " + i).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
              try (var work = Files.walk(nodeOps)) {
                return work.anyMatch(p -> p.getFileName().toString().equals("then-ran"));
              }
            });
      }
      awaitSampleAfterNow(httpPorts); // the counters below, once every target has run its then-script
      Path origin = dir.resolve("node-1").resolve("ops");
      assertThat(origin.resolve("files").resolve("payload.bin")).doesNotExist();
      try (var work = Files.walk(origin)) {
        assertThat(work.filter(p -> p.getFileName().toString().equals("then-ran")).toList())
            .as("no then-script at the origin").isEmpty();
      }
      double originServed = NodeMetrics.value(httpPorts.get(0), "kvstore_ops_transfer_bytes_served");
      double targetsServed = 0;
      for (int port : httpPorts.subList(1, nodes)) {
        targetsServed += NodeMetrics.value(port, "kvstore_ops_transfer_bytes_served");
      }
      System.out.printf("file push, origin no target: %d MB to %d targets; origin served %.1f MB,"
          + " targets served each other %.1f MB%n", size / 1_000_000, nodes - 1, originServed / 1e6,
          targetsServed / 1e6);
      assertThat(originServed).as("the origin served").isPositive();
      assertThat(targetsServed).as("targets fetched from each other, not all from the origin").isPositive();
    }
  }



  /**
   * Waits until every node's /metrics serves a stats sample taken after this call: it serves the
   * latest sample (every 5 s), and the sample's uptime moves on with each one. Instead of
   * sleeping a whole period, this waits what is left of it.
   */
  private static void awaitSampleAfterNow(List<Integer> ports) throws Exception {
    Map<Integer, Double> served = new HashMap<>();
    for (int port : ports) {
      served.put(port, uptime(port));
    }
    await("a stats sample taken after every file arrived, on every node").atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          for (int port : ports) {
            if (uptime(port) <= served.get(port)) {
              return false;
            }
          }
          return true;
        });
  }

  /** The uptime of a node's latest stats sample, -1 before its first. */
  private static double uptime(int port) throws Exception {
    return NodeMetrics.scrape(port).getOrDefault("kvstore_uptime", -1.0);
  }
}
