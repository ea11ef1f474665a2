package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvstore.cli.ServingProbe;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.MemberList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Node JVMs on loopback that know each other: every node names every other as a seed, so any of
 * them can be killed and restarted (same data directory, same port) and find its way back. Every
 * JVM started is ended by {@link #close()} and, should the test JVM die first, by a shutdown hook.
 */
final class NodeCluster implements AutoCloseable {
  /** Membership five times faster than the defaults, so that tests take seconds. */
  static final String FAST_MEMBERSHIP =
      """
      membership:
        probe-interval-ms: 200
        probe-timeout-ms: 100
        gossip-interval-ms: 50
        push-pull-interval-ms: 3000
        join-retry-max-ms: 1000
      """;

  /** The default quorums, spelled out: what the replication tests test. */
  static final String STRICT_QUORUMS =
      """
      replication:
        n: 3
        r: 2
        w: 2
      """;

  private final Path dir;
  private final Path config;
  private final Path secret;
  private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
  private final Thread cleanup = new Thread(this::killAll, "kill test node JVMs");

  private NodeCluster(Path dir, Path config, Path secret) {
    this.dir = dir;
    this.config = config;
    this.secret = secret;
  }

  /** Starts {@code size} nodes with {@link #FAST_MEMBERSHIP} plus {@code extraYaml}. */
  static NodeCluster start(Path dir, int size, String extraYaml) throws Exception {
    return start(dir, size, extraYaml, index -> List.of());
  }

  /** Like {@link #start(Path, int, String)}, with {@code extraArgs} for node {@code index} (1-based). */
  static NodeCluster start(Path dir, int size, String extraYaml,
      java.util.function.IntFunction<List<String>> extraArgs) throws Exception {
    Path config = dir.resolve("cluster.yaml");
    Files.writeString(config, FAST_MEMBERSHIP + extraYaml);
    NodeCluster cluster = new NodeCluster(dir, config, NodeProcess.secretFile(dir));
    Runtime.getRuntime().addShutdownHook(cluster.cleanup);
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        ports.add(NodeProcess.freePort());
      }
      for (int i = 0; i < size; i++) {
        cluster.nodes.add(cluster.define(i + 1, ports.get(i), ports, extraArgs.apply(i + 1)));
      }
      for (NodeProcess n : cluster.nodes) {
        n.spawn(); // every JVM starts at once: start-ups overlap, and seeds retry their joins
      }
      for (NodeProcess n : cluster.nodes) {
        n.awaitAlive();
      }
      cluster.awaitAlive(Duration.ofSeconds(30));
      cluster.awaitServing(Duration.ofSeconds(30));
      return cluster;
    } catch (Throwable t) {
      cluster.close();
      throw t;
    }
  }

  private NodeProcess define(int index, int port, List<Integer> seeds) {
    return define(index, port, seeds, List.of());
  }

  private NodeProcess define(int index, int port, List<Integer> seeds, List<String> extra) {
    List<String> args = new ArrayList<>(List.of(
        "--data-dir", dir.resolve("node-" + index).toString(),
        "--config", config.toString(),
        "--cluster-secret-file", secret.toString()));
    args.addAll(extra);
    for (int seed : seeds) {
      if (seed != port) {
        args.addAll(List.of("--join", "127.0.0.1:" + seed));
      }
    }
    return NodeProcess.on(port, dir, args.toArray(String[]::new));
  }

  /** Adds and starts one more node that joins through every existing one. */
  NodeProcess add() throws Exception {
    int port = NodeProcess.freePort();
    List<Integer> seeds = new ArrayList<>(ports());
    NodeProcess n = define(nodes.size() + 1, port, seeds);
    nodes.add(n);
    n.launch();
    return n;
  }

  List<NodeProcess> nodes() {
    return nodes;
  }

  NodeProcess node(int index) {
    return nodes.get(index);
  }

  int size() {
    return nodes.size();
  }

  List<Integer> ports() {
    return nodes.stream().map(n -> n.port).toList();
  }

  static KvClient client(NodeProcess n, Duration timeout, int retries) {
    return KvClient.open(
        KvClientConfig.builder()
            .node("127.0.0.1:" + n.port)
            .timeout(timeout)
            .retries(retries)
            .build());
  }

  /** States in {@code n}'s view, or an empty list when it does not answer. */
  static List<String> states(NodeProcess n) {
    try (KvClient c = client(n, Duration.ofMillis(200), 2)) {
      return c.blocking().listAllMembers().stream().map(MemberList.Entry::state).toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /** Waits until every running node sees all running nodes alive and none in another state. */
  void awaitAlive(Duration timeout) {
    List<NodeProcess> running = nodes.stream().filter(NodeProcess::isAlive).toList();
    await("every node sees " + running.size() + " alive members")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          for (NodeProcess n : running) {
            assertThat(states(n)).as("view of node on port %d", n.port)
                .hasSize(running.size()).containsOnly("alive");
          }
        });
  }

  /**
   * Waits until every running node answers reads of keys spread over the ring ({@link
   * ServingProbe}): a node that has just joined answers 0x22 for a key range until its view is
   * settled and what it gained has streamed to it (docs/REPLICATION.md), and a formed cluster
   * means one that serves.
   */
  void awaitServing(Duration timeout) {
    awaitServing(nodes.stream().filter(NodeProcess::isAlive).toList(), timeout);
  }

  /** {@link #awaitServing(Duration)} for nodes a test started itself. */
  static void awaitServing(List<NodeProcess> running, Duration timeout) {
    ServingProbe probe = new ServingProbe();
    await("every node answers reads").atMost(timeout).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          for (NodeProcess n : running) {
            assertThat(probe.refusal(n.port)).as("node on port %d reads every probe key", n.port).isNull();
          }
        });
  }

  private void killAll() {
    for (NodeProcess n : nodes) {
      try {
        n.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway and finds every node ended
    }
  }
}
