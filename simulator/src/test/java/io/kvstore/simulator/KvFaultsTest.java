package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import io.kvstore.node.cluster.Ring;
import java.util.Set;

/**
 * The whole node under a partition, loss, duplication and skewed, drifting node clocks: the
 * invariants that hold without replication. Each node's reply cache keeps each request at most
 * once on that node; a value read was written by a request for that key; an acknowledged write
 * ran; write timestamps come from the coordinator's own (skewed) clock.
 */
class KvFaultsTest {
  @SeededTest
  void aPartitionWithSkewedClocksKeepsTheInvariantsThatHoldWithoutReplication(long seed) {
    Executions executions = new Executions();
    KvCluster cluster = KvCluster.formed(seed, 50, 12,
        KvCluster.Settings.defaults().withReplication(1, 1, 1).withSkew(10_000, 100).withStorage(executions.storage()),
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
    // A client's retry of a write that ended 0x22 resumes it with its first stamp, so a write may
    // run later than it was stamped: the lower bound is taken when its request was invoked.
    java.util.Map<String, Long> invokedAt = new java.util.HashMap<>();
    for (Operation op : history) {
      if (op.command() == Command.PUT) {
        invokedAt.put(Executions.text(op.value()), op.invokedAtMillis());
      } else if (op.command() == Command.REMOVE) {
        invokedAt.put(Executions.text(op.key()), op.invokedAtMillis());
      }
    }
    for (Executions.Execution e : executions.all()) {
      if (e.command() != Command.GET) {
        // Stamped by the coordinator's clock (or above a newer version it met): within the span
        // of the nodes' skewed clocks at that moment, never beyond the one most ahead.
        long stampedBy = invokedAt.getOrDefault(
            e.command() == Command.PUT ? e.value() : e.key(), e.atMillis());
        long slowest = cluster.nodes().stream()
            .mapToLong(n -> n.clock().wallAt(Math.min(stampedBy, e.atMillis()))).min().getAsLong();
        long fastest = cluster.nodes().stream()
            .mapToLong(n -> n.clock().wallAt(e.atMillis())).max().getAsLong();
        assertThat(HybridLogicalClock.physicalMillis(e.timestamp()))
            .as("timestamp of %s on node %d", e, e.node()).isBetween(slowest - 1_000, fastest + 5);
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
  void aCrashedReplicaThatRestartsEmptyHidesNoAcknowledgedWrite(long seed) {
    crashAndRestart(seed, false);
  }

  @SeededTest
  void aCrashedReplicaWithDurableStorageBringsNoOldValueBack(long seed) {
    crashAndRestart(seed, true);
  }

  /**
   * Issue 10's second scenario, N=3: a node crashes; every key stays readable through its other two
   * replicas, also once the others see it dead (it keeps its place on the ring until forgotten);
   * writes taken meanwhile win when it returns, whether it returns empty (memory) or with its old
   * values (durable storage).
   */
  private static void crashAndRestart(long seed, boolean durable) {
    KvCluster cluster = KvCluster.formed(seed, 20, 4,
        KvCluster.Settings.defaults().withDurableStorage(durable), Duration.ofSeconds(60));
    KvNode victim = cluster.node(1 + cluster.sim().random(7).nextInt(19));
    List<byte[]> victimKeys = new ArrayList<>();
    List<byte[]> otherKeys = new ArrayList<>();
    for (int k = 0; victimKeys.size() < 6 || otherKeys.size() < 6; k++) {
      byte[] key = KvWorkload.key("crash-" + k);
      (cluster.replicasSeenBy(cluster.node(0), key).contains(victim) ? victimKeys : otherKeys).add(key);
    }
    List<byte[]> keys = new ArrayList<>(victimKeys.subList(0, 6));
    keys.addAll(otherKeys.subList(0, 6));
    assertThat(run(cluster, Command.PUT, keys, "before", victim)).allMatch(Operation::succeeded);

    victim.crash();
    List<Operation> whileInRing = run(cluster, Command.GET, keys, null, victim);
    assertThat(whileInRing).as("every key, its other two replicas answering")
        .allMatch(Operation::succeeded)
        .allMatch(op -> Executions.text(op.value()).startsWith("before"));
    assertThat(cluster.sim().runUntil(() -> cluster.nodes().stream().filter(KvNode::isUp)
        .allMatch(n -> n.cluster().ring().replicasOf(keys.get(0), 3).length == 3
            && java.util.Arrays.stream(n.cluster().ring().replicasOf(keys.get(0), 3))
                .anyMatch(Ring.Owner::down)),
        Duration.ofSeconds(60))).as("the others see it dead, and it keeps its place").isTrue();
    assertThat(run(cluster, Command.PUT, keys.subList(0, 6), "interim", victim))
        .as("writes while it is down").allMatch(Operation::succeeded);

    cluster.restart(victim);
    assertThat(cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(60))).isTrue();
    assertThat(cluster.sim().runUntil(() -> keys.subList(0, 6).stream().allMatch(k ->
            victim.storage().get(k) != null
                && Executions.text(victim.storage().get(k).value()).startsWith("interim")),
        Duration.ofSeconds(10)))
        .as("hinted handoff gave it the writes it missed").isTrue();
    assertThat(cluster.sim().runUntil(
            () -> cluster.nodes().stream().mapToLong(n -> n.core().hints().count()).sum() == 0,
            Duration.ofSeconds(10)))
        .as("every hint delivered and acknowledged").isTrue();
    List<Operation> back = run(cluster, Command.GET, keys, null, null);
    assertThat(back.subList(0, 6)).as("the writes taken while it was down, never its old values")
        .allMatch(Operation::succeeded)
        .allMatch(op -> Executions.text(op.value()).startsWith("interim"));
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
      KvNode via = cluster.node(((avoid == null ? 0 : avoid.index()) + 1 + i) % cluster.nodes().size());
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
