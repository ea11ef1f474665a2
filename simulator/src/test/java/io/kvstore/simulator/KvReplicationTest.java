package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.Ring;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Quorum replication (N=3, R=2, W=2) through the real request path of simulated nodes: the
 * ordering rule under clock skew, 0x22 rather than 0x01 when a quorum cannot answer, and read
 * repair of a replica that missed writes.
 */
class KvReplicationTest {

  /**
   * DESIGN §4: a later write must never lose to an earlier one because its coordinator's clock was
   * behind. Every key is written first through the node whose clock is furthest ahead, then, once
   * that write was acknowledged, through the node furthest behind (about 20 s apart): the second
   * write wins everywhere, because a replica holding a newer version refuses the older stamp and
   * the coordinator stamps the write again above it.
   */
  @SeededTest
  void aWriteAcknowledgedAfterAnotherWinsWhateverTheCoordinatorsClocks(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 10, 2,
        KvCluster.Settings.defaults().withSkew(10_000, 0), Duration.ofSeconds(60));
    Comparator<KvNode> byOffset = Comparator.comparingLong(n -> n.clock().offsetMillis());
    KvNode ahead = cluster.nodes().stream().max(byOffset).orElseThrow();
    KvNode behind = cluster.nodes().stream().min(byOffset).orElseThrow();
    assertThat(ahead.clock().offsetMillis() - behind.clock().offsetMillis()).isGreaterThan(10_000);
    List<byte[]> keys = keys("skew", 30);
    assertThat(run(cluster, Command.PUT, keys, i -> "early-" + i, i -> ahead))
        .allMatch(Operation::succeeded);
    // Restarted, the slow node's write clock has not seen the early writes' stamps (a replica's
    // clock observes every version it stores, which would hide the skew from this test).
    behind.crash();
    cluster.restart(behind);
    assertThat(cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(30))).isTrue();
    cluster.sim().runFor(Duration.ofMillis(100));
    assertThat(run(cluster, Command.PUT, keys, i -> "late-" + i, i -> behind))
        .allMatch(Operation::succeeded);
    List<Operation> reads = run(cluster, Command.GET, keys, i -> null, i -> cluster.node(i % 10));
    assertThat(reads).allMatch(Operation::succeeded)
        .allSatisfy(op -> assertThat(text(op.value())).startsWith("late-"));
    assertThat(behind.core().replicationStats().staleRetries.sum())
        .as("the slow coordinator met newer versions and stamped above them").isPositive();
  }

  /** Two of a key's three replicas down: reads and writes answer 0x22, never 0x01. */
  @SeededTest
  void withoutAQuorumTheAnswerIs0x22NeverNotFound(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 6, 2, KvCluster.Settings.defaults(), Duration.ofSeconds(60));
    byte[] key = KvWorkload.key("no-quorum");
    List<KvNode> replicas = cluster.replicasSeenBy(cluster.node(0), key);
    assertThat(replicas).hasSize(3);
    KvNode via = cluster.nodes().stream().filter(n -> !replicas.contains(n)).findFirst().orElseThrow();
    assertThat(run(cluster, Command.PUT, List.of(key), i -> "v", i -> via)).allMatch(Operation::succeeded);
    replicas.get(0).crash();
    replicas.get(1).crash();
    assertThat(run(cluster, Command.GET, List.of(key), i -> null, i -> via))
        .singleElement().satisfies(op -> assertThat(op.code()).isEqualTo((byte) ResponseCode.REPLICAS_UNAVAILABLE.code));
    assertThat(run(cluster, Command.PUT, List.of(key), i -> "w", i -> via))
        .singleElement().satisfies(op -> assertThat(op.code()).isEqualTo((byte) ResponseCode.REPLICAS_UNAVAILABLE.code));
    assertThat(run(cluster, Command.REMOVE, List.of(key), i -> null, i -> via))
        .singleElement().satisfies(op -> assertThat(op.code()).isEqualTo((byte) ResponseCode.REPLICAS_UNAVAILABLE.code));
  }

  /**
   * A replica that restarted empty (memory storage) missed the writes; a quorum read still answers
   * the newest value and repairs the replica that answered "absent".
   */
  @SeededTest
  void aReadRepairsTheReplicaThatMissedAWrite(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 8, 2, KvCluster.Settings.defaults(), Duration.ofSeconds(60));
    List<byte[]> keys = keys("repair", 20);
    assertThat(run(cluster, Command.PUT, keys, i -> "v-" + i, i -> cluster.node(i % 8)))
        .allMatch(Operation::succeeded);
    KvNode victim = cluster.node(3);
    victim.crash();
    cluster.restart(victim);
    assertThat(cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(30))).isTrue();
    cluster.sim().runFor(Duration.ofMillis(100)); // its ring is rebuilt from the joined view
    List<byte[]> itsKeys = keys.stream()
        .filter(k -> cluster.replicasSeenBy(cluster.node(0), k).contains(victim)).toList();
    assertThat(itsKeys).isNotEmpty().allSatisfy(k -> assertThat(victim.storage().get(k)).isNull());

    // Every replica is asked; reading through the victim makes it answer (absent) for sure.
    assertThat(run(cluster, Command.GET, itsKeys, i -> null, i -> victim))
        .allMatch(Operation::succeeded);
    cluster.sim().runFor(Duration.ofMillis(50));
    assertThat(itsKeys).allSatisfy(k -> assertThat(victim.storage().get(k)).as("repaired").isNotNull());
    assertThat(victim.core().replicationStats().repairsSent.sum()).isGreaterThanOrEqualTo(itsKeys.size());
  }

  private static List<byte[]> keys(String prefix, int count) {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(KvWorkload.key(prefix + "-" + i));
    }
    return keys;
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** One request per key (value from {@code values}, null for none) through {@code via}. */
  private static List<Operation> run(KvCluster cluster, Command command, List<byte[]> keys,
      Function<Integer, String> values, Function<Integer, KvNode> via) {
    Operation[] done = new Operation[keys.size()];
    int[] left = {keys.size()};
    for (int i = 0; i < keys.size(); i++) {
      int at = i;
      String v = values.apply(i);
      cluster.client(i % cluster.clients().size()).invoke(command, keys.get(i),
          v == null ? null : v.getBytes(StandardCharsets.UTF_8), via.apply(i), op -> {
            done[at] = op;
            left[0]--;
          });
    }
    assertThat(cluster.sim().runUntil(() -> left[0] == 0, Duration.ofSeconds(10))).isTrue();
    return List.of(done);
  }
}
