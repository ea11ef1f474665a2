package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.replication.RebalanceStats;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebalancing through the real node (N=3, R=2, W=2): a node joins a loaded cluster, a node leaves
 * gracefully, the ring changes again mid-stream; afterwards every key is on every member of its
 * new preference list, and no acknowledged write is lost or hidden. The stream respects its byte
 * budget.
 */
class KvRebalanceTest {
  private static final String ABSENT = "<absent>";

  @SeededTest
  void aJoiningNodeReceivesItsRangesUnderLoad(long seed) {
    KvCluster cluster = started(seed, 6, 5, 64L << 10);
    List<byte[]> preloaded = preload(cluster, 400);
    KvWorkload workload = new KvWorkload(cluster, 20);
    workload.start();
    cluster.sim().runFor(Duration.ofSeconds(1));
    KvNode joiner = cluster.node(5);
    joiner.start(List.of(cluster.node(0).address()));
    boolean[] sawIncomplete = {false};
    cluster.sim().runUntil(() -> {
      sawIncomplete[0] |= joiner.isUp() && !joiner.core().rebalanceStats().complete();
      return false;
    }, Duration.ofSeconds(8));
    workload.stop();
    settle(cluster);

    assertThat(sawIncomplete[0]).as("the joiner answered its new ranges as incomplete for a while").isTrue();
    RebalanceStats joined = joiner.core().rebalanceStats();
    System.out.printf("seed %d: joiner received %d records (%d already held), %d ops in the history%n",
        seed, joined.recordsReceived.sum(), joined.recordsStale.sum(), cluster.history().size());
    assertThat(joined.recordsReceived.sum()).as("records streamed to the joiner").isPositive();
    assertThat(preloaded.stream().filter(k -> cluster.replicasSeenBy(cluster.node(0), k).contains(joiner)))
        .as("the joiner replicates some preloaded keys").isNotEmpty();
    everyKeyOnItsReplicas(cluster, preloaded, cluster.history());
  }

  @SeededTest
  void aNodeLeavingGracefullyStreamsItsRangesAway(long seed) {
    KvCluster cluster = started(seed, 6, 6, 64L << 10);
    List<byte[]> preloaded = preload(cluster, 400);
    KvWorkload workload = new KvWorkload(cluster, 20);
    workload.start();
    cluster.sim().runFor(Duration.ofSeconds(1));
    KvNode leaver = cluster.node(2);
    boolean[] gone = {false};
    leaver.gracefulLeave(() -> gone[0] = true);
    assertThat(cluster.sim().runUntil(() -> gone[0], Duration.ofSeconds(40))).isTrue();
    assertThat(leaver.core().rebalanceStats().recordsStreamed.sum())
        .as("the leaver streamed its ranges before it went").isPositive();
    assertThat(leaver.core().rebalanceStats().passesCompleted.sum()).isPositive();
    cluster.sim().runFor(Duration.ofSeconds(2));
    workload.stop();
    settle(cluster);
    assertThat(cluster.node(0).cluster().ring().member(leaver.id())).as("left the ring").isNull();
    everyKeyOnItsReplicas(cluster, preloaded, cluster.history());
  }

  @SeededTest
  void theRingChangingAgainMidStreamStillConverges(long seed) {
    KvCluster cluster = started(seed, 7, 5, 32L << 10);
    List<byte[]> preloaded = preload(cluster, 600);
    KvWorkload workload = new KvWorkload(cluster, 20);
    workload.start();
    cluster.node(5).start(List.of(cluster.node(0).address()));
    assertThat(cluster.sim().runUntil(
        () -> cluster.nodes().stream().anyMatch(n -> n.isUp() && n.core().rebalancer().active()),
        Duration.ofSeconds(10))).as("a pass is under way").isTrue();
    long restartsBefore = restarts(cluster);
    cluster.node(6).start(List.of(cluster.node(1).address()));
    boolean[] gone = {false};
    cluster.node(3).gracefulLeave(() -> gone[0] = true);
    assertThat(cluster.sim().runUntil(() -> gone[0], Duration.ofSeconds(60))).isTrue();
    cluster.sim().runFor(Duration.ofSeconds(2));
    workload.stop();
    settle(cluster);
    assertThat(restarts(cluster)).as("passes started over against the newer ring").isGreaterThan(restartsBefore);
    everyKeyOnItsReplicas(cluster, preloaded, cluster.history());
  }

  @SeededTest
  void theStreamKeepsToItsByteBudget(long seed) {
    long budget = 32L << 10;
    KvCluster cluster = started(seed, 5, 4, budget);
    List<byte[]> preloaded = preload(cluster, 1_500);
    cluster.node(4).start(List.of(cluster.node(0).address()));
    Map<KvNode, Long> last = new HashMap<>();
    long maxPerSecond = 0;
    long total = 0;
    long seconds = 0;
    for (int s = 0; s < 120 && !settledNow(cluster); s++) {
      seconds++;
      cluster.sim().runFor(Duration.ofSeconds(1));
      for (KvNode n : cluster.nodes().subList(0, 4)) {
        long bytes = n.core().rebalanceStats().bytesStreamed.sum();
        long delta = bytes - last.getOrDefault(n, 0L);
        last.put(n, bytes);
        maxPerSecond = Math.max(maxPerSecond, delta);
        total += delta;
      }
    }
    settle(cluster);
    long mostByOneNode = last.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.printf("seed %d: %d bytes streamed in %d s, at most %d by one node in a second,"
        + " %d by one node in all%n", seed, total, seconds, maxPerSecond, mostByOneNode);
    assertThat(total).as("bytes streamed in all").isGreaterThan(2 * budget);
    assertThat(mostByOneNode).as("one node's bytes over the whole stream")
        .isLessThanOrEqualTo(budget * seconds + 64_000);
    // Per second: the budget, plus the bucket's burst (a tenth of a second, or one batch).
    assertThat(maxPerSecond).as("bytes one node streamed in any second")
        .isLessThanOrEqualTo(budget + 64_000);
    everyKeyOnItsReplicas(cluster, preloaded, List.of());
  }

  // ------------------------------------------------------------------ helpers

  /** A cluster of {@code size} nodes of which the first {@code running} are started and formed. */
  private static KvCluster started(long seed, int size, int running, long bytesPerSecond) {
    KvCluster.Settings settings = KvCluster.Settings.defaults();
    settings.node().replication.rebalanceBytesPerSecond = String.valueOf(bytesPerSecond);
    KvCluster cluster = new KvCluster(seed, size, 4, settings);
    cluster.node(0).start(List.of());
    for (KvNode n : cluster.nodes().subList(1, running)) {
      n.start(List.of(cluster.node(0).address()));
    }
    assertThat(cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(60))).isTrue();
    settle(cluster);
    return cluster;
  }

  private static void settle(KvCluster cluster) {
    // Requests still retrying would change keys after the history used for the checks was taken.
    assertThat(cluster.sim().runUntil(
        () -> cluster.clients().stream().allMatch(c -> c.outstanding() == 0), Duration.ofSeconds(60)))
        .as("every client request ended").isTrue();
    assertThat(cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(60))).isTrue();
    assertThat(cluster.sim().runUntil(() -> settledNow(cluster), Duration.ofSeconds(180)))
        .as("every running node settled: no pass due, every range complete, hints drained").isTrue();
  }

  private static boolean settledNow(KvCluster cluster) {
    return cluster.nodes().stream().filter(KvNode::isUp).allMatch(n -> n.core().rebalancer().settled()
        && n.core().hints().count() == 0 && n.cluster().ring().memberCount()
            == cluster.nodes().stream().filter(KvNode::isUp).count());
  }

  private static long restarts(KvCluster cluster) {
    return cluster.nodes().stream().mapToLong(n -> n.core() == null ? 0
        : n.core().rebalanceStats().passesRestarted.sum()).sum();
  }

  /** Writes {@code count} keys with 200-byte values, each acknowledged (retried until it is). */
  private static List<byte[]> preload(KvCluster cluster, int count) {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(KvWorkload.key("pre-" + i));
    }
    List<byte[]> left = keys;
    for (int round = 0; !left.isEmpty(); round++) {
      assertThat(round).as("preload rounds").isLessThan(10);
      List<byte[]> retry = new ArrayList<>();
      int[] outstanding = {left.size()};
      for (int i = 0; i < left.size(); i++) {
        byte[] key = left.get(i);
        cluster.client(i % 4).invoke(Command.PUT, key, valueFor(key), cluster.node(i % 4), op -> {
          if (!op.succeeded()) {
            retry.add(key);
          }
          outstanding[0]--;
        });
      }
      assertThat(cluster.sim().runUntil(() -> outstanding[0] == 0, Duration.ofSeconds(30))).isTrue();
      left = retry;
    }
    return keys;
  }

  private static byte[] valueFor(byte[] key) {
    String name = new String(key, StandardCharsets.UTF_8).replace(".", "");
    return (name + "=" + "x".repeat(200)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Every preloaded key holds its value on every member of its preference list (the final ring),
   * and reads back; every workload key holds, on every replica, a state its history allows (the
   * last acknowledged write, or a later write whose outcome the client never learned).
   */
  private static void everyKeyOnItsReplicas(KvCluster cluster, List<byte[]> preloaded,
      List<Operation> history) {
    Map<String, Set<String>> allowed = new LinkedHashMap<>();
    for (byte[] k : preloaded) {
      allowed.put(text(k), Set.of(text(valueFor(k))));
    }
    allowed.putAll(allowedFinalStates(history));
    KvNode observer = cluster.nodes().stream().filter(KvNode::isUp).findFirst().orElseThrow();
    List<byte[]> keys = new ArrayList<>();
    for (String name : allowed.keySet()) {
      byte[] key = name.getBytes(StandardCharsets.UTF_8);
      keys.add(key);
      List<KvNode> replicas = cluster.replicasSeenBy(observer, key);
      assertThat(replicas).hasSize(3).allMatch(KvNode::isUp);
      for (KvNode r : replicas) {
        VersionedRecord stored = r.storage().get(key);
        assertThat(stored == null ? ABSENT : text(stored.value()))
            .as("%s on its replica %s", name, r).isIn(allowed.get(name));
      }
    }
    // And through the request path, from a node chosen per key.
    int[] left = {keys.size()};
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = keys.get(i);
      KvNode via = cluster.nodes().stream().filter(KvNode::isUp).toList().get(i % 3);
      cluster.client(i % 4).invoke(Command.GET, key, null, via, op -> {
        String got = op.code() == ResponseCode.NOT_FOUND.code ? ABSENT
            : op.succeeded() ? text(op.value()) : "code " + op.code();
        if (!allowed.get(text(key)).contains(got)) {
          wrong.add(text(key) + " read " + got + ", allowed " + allowed.get(text(key)));
        }
        left[0]--;
      });
    }
    assertThat(cluster.sim().runUntil(() -> left[0] == 0, Duration.ofSeconds(60))).isTrue();
    assertThat(wrong).as("reads after the rebalance").isEmpty();
  }

  /** Per workload key, the states it may end in: its last acknowledged write, or later unknown ones. */
  private static Map<String, Set<String>> allowedFinalStates(List<Operation> history) {
    Map<String, List<Operation>> byKey = new LinkedHashMap<>();
    for (Operation op : history) {
      if (op.command() != Command.GET) {
        byKey.computeIfAbsent(text(op.key()), k -> new ArrayList<>()).add(op);
      }
    }
    Map<String, Set<String>> allowed = new HashMap<>();
    byKey.forEach((key, ops) -> {
      ops.sort((a, b) -> Long.compare(a.invokedAtMillis(), b.invokedAtMillis()));
      Set<String> states = new HashSet<>(Set.of(ABSENT));
      for (Operation op : ops) {
        String state = op.command() == Command.PUT ? text(op.value()) : ABSENT;
        boolean definite = op.succeeded()
            || (op.command() == Command.REMOVE && op.code() == ResponseCode.NOT_FOUND.code);
        if (definite) {
          states = new HashSet<>(Set.of(state));
        } else {
          states.add(state);
        }
      }
      allowed.put(key, states);
    });
    return allowed;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
