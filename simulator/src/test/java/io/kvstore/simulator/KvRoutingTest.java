package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Routing through the whole node: in a formed 50-node cluster, a key written through any node is
 * read back through any other, and every execution happens on the key's owner (forwarded there
 * by the real request pipeline and ring), nowhere else.
 */
class KvRoutingTest {
  static final int NODES = 50;
  static final int KEYS = 300;

  @SeededTest
  void everyKeyIsWrittenAndReadThroughAnyNodeAndExecutedOnlyOnItsOwner(long seed) {
    Executions executions = new Executions();
    KvCluster cluster = KvCluster.formed(seed, NODES, 10,
        KvCluster.Settings.defaults().withReplication(1, 1, 1).withStorage(executions.storage()), Duration.ofSeconds(60));
    executions.clock(cluster.sim()::elapsedMillis);
    SplittableRandom random = cluster.sim().random(42);

    List<byte[]> keys = new ArrayList<>();
    Map<String, KvNode> owner = new HashMap<>();
    for (int k = 0; k < KEYS; k++) {
      byte[] key = KvWorkload.key("key-" + k);
      keys.add(key);
      KvNode o = cluster.ownerSeenBy(cluster.node(0), key);
      for (KvNode n : cluster.nodes()) {
        assertThat(cluster.ownerSeenBy(n, key)).as("every ring agrees on the owner").isSameAs(o);
      }
      owner.put(Executions.text(key), o);
    }

    List<Operation> puts = new ArrayList<>();
    Map<String, Integer> writtenThrough = new HashMap<>();
    for (int k = 0; k < KEYS; k++) {
      KvNode via = cluster.node(random.nextInt(NODES));
      writtenThrough.put("key-" + k, via.index());
      cluster.client(k % 10).invoke(Command.PUT, keys.get(k), ("value-" + k).getBytes(StandardCharsets.UTF_8),
          via, puts::add);
    }
    assertThat(cluster.sim().runUntil(() -> puts.size() == KEYS, Duration.ofSeconds(10))).isTrue();
    assertThat(puts).allMatch(Operation::succeeded);

    List<Operation> gets = new ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      int other = random.nextInt(NODES - 1);
      KvNode via = cluster.node(other >= writtenThrough.get("key-" + k) ? other + 1 : other);
      cluster.client(k % 10).invoke(Command.GET, keys.get(k), null, via, gets::add);
    }
    assertThat(cluster.sim().runUntil(() -> gets.size() == KEYS, Duration.ofSeconds(10))).isTrue();
    for (Operation get : gets) {
      String key = Executions.text(get.key()).replace(".", "");
      assertThat(get.succeeded()).as("GET %s", key).isTrue();
      assertThat(Executions.text(get.value())).isEqualTo("value-" + key.substring(4));
    }

    // Each request executed once, on the owner; the value is stored there and nowhere else.
    assertThat(executions.all()).hasSize(2 * KEYS);
    for (Executions.Execution e : executions.all()) {
      assertThat(e.node()).as("%s of %s", e.command(), e.key()).isEqualTo(owner.get(e.key()).index());
    }
    for (byte[] key : keys) {
      for (KvNode n : cluster.nodes()) {
        boolean isOwner = n == owner.get(Executions.text(key));
        assertThat(n.storage().get(key) != null).as("%s holds %s", n, Executions.text(key)).isEqualTo(isOwner);
      }
    }
    long forwardedIn = cluster.nodes().stream()
        .mapToLong(n -> n.core().replicationStats().replicaWrites.sum()
            + n.core().replicationStats().replicaReads.sum())
        .sum();
    long local = 2 * KEYS - forwardedIn;
    assertThat(forwardedIn).as("requests that reached a node other than the owner went to it")
        .isGreaterThan(2 * KEYS * 9 / 10);
    assertThat(local).isGreaterThanOrEqualTo(0);
    assertThat(cluster.nodes().stream().filter(n -> executions.all().stream().anyMatch(e -> e.node() == n.index())))
        .as("keys spread over the ring").hasSizeGreaterThan(NODES * 3 / 4);
    assertThat(cluster.history()).noneMatch(op -> op.code() == ResponseCode.OVERLOAD.code);
  }
}
