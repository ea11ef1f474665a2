package io.kvstore.cli.it;

import static io.kvstore.cli.it.RawUdp.newId;
import static io.kvstore.cli.it.RawUdp.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvResult;
import io.kvstore.client.MemberList;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five real node JVMs on loopback: routing through any node, failure detection of kill -9 and
 * SHUTDOWN, quorum reads with two of five nodes down (0x22 for keys without a quorum, never
 * 0x01), and a restarted node rejoining and serving every key again.
 */
class ClusterIT {
  /** Membership five times faster than the defaults, so the test takes seconds. */
  private static final String FAST =
      """
      membership:
        probe-interval-ms: 200
        probe-timeout-ms: 100
        gossip-interval-ms: 50
        push-pull-interval-ms: 3000
        join-retry-max-ms: 1000
      """;
  /** Configured bound for "the others mark it dead" with the timing above. */
  private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (NodeProcess n : nodes) {
      n.close();
    }
  }

  private static KvClient client(NodeProcess n) {
    return KvClient.open(
        KvClientConfig.builder().node("127.0.0.1:" + n.port).timeout(Duration.ofMillis(200)).build());
  }

  /** id -> state in a node's view. */
  private static Map<String, String> view(NodeProcess n) {
    try (KvClient c = client(n)) {
      return c.blocking().listAllMembers().stream()
          .collect(Collectors.toMap(MemberList.Entry::id, MemberList.Entry::state));
    }
  }

  private static String idOf(NodeProcess n) {
    try (KvClient c = client(n)) {
      return c.blocking().listAllMembers().stream()
          .filter(m -> m.address().getPort() == n.port)
          .findFirst()
          .orElseThrow()
          .id();
    }
  }

  private static byte[] key(String s) {
    return RawUdp.key(s);
  }

  @Test
  void routesFailsOverAndRejoins() throws Exception {
    Path config = dir.resolve("fast.yaml");
    Files.writeString(config, FAST);
    Path secret = NodeProcess.secretFile(dir);
    NodeProcess.startThroughSeed(nodes, 5, dir, i -> List.of("--data-dir",
        dir.resolve("node-" + (i + 1)).toString(), "--config", config.toString(),
        "--cluster-secret-file", secret.toString()));
    await("every node sees 5 alive members").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (NodeProcess n : nodes) {
        assertThat(view(n).values()).hasSize(5).containsOnly("alive");
      }
    });
    // A joiner answers 0x22 until what it gained has streamed to it (docs/REPLICATION.md).
    NodeCluster.awaitServing(nodes, Duration.ofSeconds(30));

    // Routing: written through node 1, read through node 5.
    try (KvClient one = client(nodes.get(0)); KvClient five = client(nodes.get(4))) {
      for (int i = 0; i < 200; i++) {
        assertThat(one.blocking().put(key("k" + i), ("v" + i).getBytes()).isSuccess()).isTrue();
      }
      for (int i = 0; i < 200; i++) {
        KvResult r = five.blocking().get(key("k" + i));
        assertThat(r.isSuccess()).as("GET k%d through node 5: %s", i, r.describeCode()).isTrue();
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("v" + i);
      }
    }

    // kill -9 node 4, SHUTDOWN node 3: the others must mark both dead within the bound.
    NodeProcess three = nodes.get(2);
    NodeProcess four = nodes.get(3);
    String threeId = idOf(three);
    String fourId = idOf(four);
    four.kill();
    try (RawUdp udp = new RawUdp(three.port, 300)) {
      assertThat(udp.code(request(newId(), 0x04, null, null))).isZero();
    }
    three.awaitExit(Duration.ofSeconds(10));
    long start = System.nanoTime();
    List<NodeProcess> survivors = List.of(nodes.get(0), nodes.get(1), nodes.get(4));
    await("survivors mark nodes 3 and 4 dead").atMost(DETECTION_BOUND).untilAsserted(() -> {
      for (NodeProcess n : survivors) {
        Map<String, String> v = view(n);
        assertThat(v.get(threeId)).isEqualTo("dead");
        assertThat(v.get(fourId)).isEqualTo("dead");
      }
    });
    System.out.printf("failure detection took %d ms%n", (System.nanoTime() - start) / 1_000_000);

    // Two of five down at once: keys with both among their three replicas have no read quorum
    // (0x22, never 0x01); every other key still reads its value through the two live replicas.
    int unavailable = 0;
    try (KvClient five = client(nodes.get(4))) {
      for (int i = 0; i < 200; i++) {
        KvResult r = five.blocking().get(key("k" + i));
        if (r.code() == 0x22) {
          unavailable++;
        } else {
          assertThat(r.isSuccess()).as("GET k%d through node 5: %s", i, r).isTrue();
          assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("v" + i);
        }
      }
    }
    System.out.printf("with 2 of 5 nodes down, %d of 200 keys had no read quorum%n", unavailable);
    assertThat(unavailable).as("about 3 in 10 keys have both dead nodes among their replicas")
        .isBetween(20, 110);

    // Node 4 restarts on its data directory: it rejoins under a new incarnation and serves.
    four.launch();
    await("node 4 is alive again everywhere").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (NodeProcess n : List.of(nodes.get(0), nodes.get(1), four, nodes.get(4))) {
        assertThat(view(n).get(fourId)).isEqualTo("alive");
      }
    });
    assertThat(idOf(four)).as("same identity from its data directory").isEqualTo(fourId);
    // With only node 3 down every key has a quorum again, through any node, node 4 included.
    try (KvClient viaFour = client(four); KvClient two = client(nodes.get(1))) {
      await("node 4 answers for keys again").atMost(Duration.ofSeconds(10))
          .until(() -> viaFour.blocking().get(key("k0")).isSuccess());
      for (int i = 0; i < 200; i++) {
        KvResult r = viaFour.blocking().get(key("k" + i));
        assertThat(r.isSuccess()).as("GET k%d through node 4: %s", i, r).isTrue();
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("v" + i);
      }
      for (int i = 0; i < 200; i++) {
        assertThat(two.blocking().put(key("after" + i), ("a" + i).getBytes()).isSuccess()).isTrue();
      }
      for (int i = 0; i < 200; i++) {
        KvResult r = viaFour.blocking().get(key("after" + i));
        assertThat(r.isSuccess()).as("GET after%d through node 4", i).isTrue();
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("a" + i);
      }
    }
  }
}
