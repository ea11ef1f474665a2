package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole node under a partition, loss, duplication and skewed, drifting node clocks: the
 * invariants that hold without replication. Each node's reply cache keeps each request at most
 * once on that node; a value read was written by a request for that key; an acknowledged write
 * ran; write timestamps come from the executing node's own (skewed) clock.
 */
class KvFaultsTest {
  @SeededTest
  void aPartitionWithSkewedClocksKeepsTheInvariantsThatHoldWithoutReplication(long seed) {
    Executions executions = new Executions();
    KvCluster cluster = KvCluster.formed(seed, 50, 12,
        KvCluster.Settings.defaults().withSkew(10_000, 100).withStorage(executions.storage()),
        Duration.ofSeconds(60));
    executions.clock(cluster.sim()::elapsedMillis);
    cluster.network().setLoss(0.05).setDuplication(0.05);
    KvWorkload workload = new KvWorkload(cluster, 20);
    workload.start();
    cluster.sim().runFor(Duration.ofSeconds(3));
    Set<SimEndpoint> minority = new HashSet<>(cluster.nodes().subList(0, 17));
    minority.addAll(cluster.clients().subList(0, 4));
    cluster.network().partition(minority);
    cluster.sim().runFor(Duration.ofSeconds(7)); // long enough for each side to declare the other dead
    cluster.network().heal();
    cluster.sim().runFor(Duration.ofSeconds(4));
    workload.stop();
    cluster.sim().runFor(Duration.ofSeconds(3));

    List<Operation> history = cluster.history();
    assertThat(history).hasSizeGreaterThan(400);
    KvChecks.atMostOncePerRequestOnEachNode(executions);
    KvChecks.acknowledgedWritesWereExecuted(history, executions);
    KvChecks.noValueNobodyWrote(history);
    for (Executions.Execution e : executions.all()) {
      if (e.command() != Command.GET) {
        long wall = cluster.node(e.node()).clock().wallAt(e.atMillis());
        assertThat(HybridLogicalClock.physicalMillis(e.timestamp()))
            .as("timestamp of %s on node %d", e, e.node()).isBetween(wall, wall + 5);
      }
    }
    List<Long> offsets = cluster.nodes().stream().map(n -> n.clock().offsetMillis()).toList();
    assertThat(offsets.stream().mapToLong(Long::longValue).max().getAsLong()
        - offsets.stream().mapToLong(Long::longValue).min().getAsLong()).isGreaterThan(10_000);
    long healedAt = cluster.sim().elapsedMillis();
    boolean converged = cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(60));
    System.out.printf("seed %d: views complete %d ms after the workload ended (%s)%n", seed,
        cluster.sim().elapsedMillis() - healedAt, converged);
    assertThat(converged).as("the healed cluster sees all 50 nodes alive again").isTrue();
    System.out.printf("seed %d: %d requests, %d timed out, %d requests executed on two nodes%n", seed,
        history.size(), history.stream().filter(Operation::timedOut).count(), KvChecks.executedTwice(executions));
  }

  @SeededTest
  void aCrashedOwnersKeysReadAbsentElsewhereAndComeBackEmptyFromMemory(long seed) {
    crashAndRestart(seed, false);
  }

  @SeededTest
  void aCrashedOwnerWithDurableStorageComesBackWithItsValues(long seed) {
    crashAndRestart(seed, true);
  }

  /**
   * Without replication a key lives on one node. While that node is down (and still in the ring)
   * requests for its keys time out; once the others declare it dead, its keys route to another
   * node, which does not have them (0x01) and takes new writes. When it returns its keys route back
   * to it: empty with memory storage, its old values with durable storage; the writes taken in the
   * meantime stay on the interim owner, unread.
   */
  private static void crashAndRestart(long seed, boolean durable) {
    KvCluster cluster = KvCluster.formed(seed, 50, 4,
        KvCluster.Settings.defaults().withDurableStorage(durable), Duration.ofSeconds(60));
    KvNode victim = cluster.node(1 + cluster.sim().random(7).nextInt(49));
    List<byte[]> victimKeys = new ArrayList<>();
    List<byte[]> otherKeys = new ArrayList<>();
    for (int k = 0; victimKeys.size() < 6 || otherKeys.size() < 6; k++) {
      byte[] key = KvWorkload.key("crash-" + k);
      (cluster.ownerSeenBy(cluster.node(0), key) == victim ? victimKeys : otherKeys).add(key);
    }
    List<byte[]> keys = new ArrayList<>(victimKeys.subList(0, 6));
    keys.addAll(otherKeys.subList(0, 6));
    assertThat(run(cluster, Command.PUT, keys, "before", victim)).allMatch(Operation::succeeded);

    victim.crash();
    List<Operation> whileInRing = run(cluster, Command.GET, keys.subList(0, 6), null, victim);
    assertThat(whileInRing).as("its keys while the others still route to it").allMatch(Operation::timedOut);
    assertThat(cluster.sim().runUntil(() -> cluster.nodes().stream().filter(KvNode::isUp)
        .allMatch(n -> keys.subList(0, 6).stream().noneMatch(k -> cluster.ownerSeenBy(n, k) == victim)),
        Duration.ofSeconds(60))).as("the others route its keys elsewhere").isTrue();
    List<Operation> afterDeath = run(cluster, Command.GET, keys, null, victim);
    assertThat(afterDeath.subList(0, 6)).as("its keys on their interim owners").allMatch(op -> op.code() == 0x01);
    assertThat(afterDeath.subList(6, 12)).allMatch(Operation::succeeded)
        .allMatch(op -> Executions.text(op.value()).startsWith("before"));
    assertThat(run(cluster, Command.PUT, keys.subList(0, 6), "interim", victim)).allMatch(Operation::succeeded);

    cluster.restart(victim);
    assertThat(cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(60))).isTrue();
    cluster.sim().runFor(Duration.ofMillis(100));
    List<Operation> back = run(cluster, Command.GET, keys, null, victim);
    if (durable) {
      assertThat(back.subList(0, 6)).as("its keys from its own durable storage").allMatch(Operation::succeeded)
          .allMatch(op -> Executions.text(op.value()).startsWith("before"));
    } else {
      assertThat(back.subList(0, 6)).as("its keys: it restarted empty").allMatch(op -> op.code() == 0x01);
    }
    assertThat(back.subList(6, 12)).allMatch(Operation::succeeded)
        .allMatch(op -> Executions.text(op.value()).startsWith("before"));
  }

  /** Runs one request per key, through nodes other than {@code avoid}, and waits for all of them. */
  private static List<Operation> run(KvCluster cluster, Command command, List<byte[]> keys, String tag,
      KvNode avoid) {
    Operation[] done = new Operation[keys.size()];
    int[] left = {keys.size()};
    for (int i = 0; i < keys.size(); i++) {
      int at = i;
      KvNode via = cluster.node((avoid.index() + 1 + i) % cluster.nodes().size());
      byte[] value = tag == null ? null : (tag + "-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      cluster.client(i % cluster.clients().size()).invoke(command, keys.get(i), value, via, op -> {
        done[at] = op;
        left[0]--;
      });
    }
    assertThat(cluster.sim().runUntil(() -> left[0] == 0, Duration.ofSeconds(5))).isTrue();
    return List.of(done);
  }
}
