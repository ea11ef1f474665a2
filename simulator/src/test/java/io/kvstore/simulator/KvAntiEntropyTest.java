package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.AntiEntropyFrames;
import io.kvstore.node.replication.AntiEntropyStats;
import io.kvstore.node.replication.MerkleTree;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.Command;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Merkle-tree anti-entropy through the real nodes: a replica that lost writes is made equal to
 * the others without any read (so no read repair) and without hints; replicas that are already
 * equal exchange only their roots; and repair keeps to its I/O budget.
 */
class KvAntiEntropyTest {

  static KvCluster.Settings settings(long intervalMillis, String bytesPerSecond) {
    KvCluster.Settings s = KvCluster.Settings.defaults();
    s.node().replication.antiEntropyIntervalMillis = intervalMillis;
    s.node().replication.antiEntropyBytesPerSecond = bytesPerSecond;
    return s;
  }

  /**
   * A node crashes and restarts empty (memory storage): it lost every write before the crash, and
   * writes made while it is down would reach it only as hints, which are disabled here by
   * checking only the keys written before. Nothing reads. Anti-entropy rounds make every replica
   * of every key equal: same stored record, same Merkle root per pair of replicas.
   */
  @SeededTest
  void aReplicaThatLostItsWritesIsMadeEqualByAntiEntropy(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 5, 2, settings(300, "4MB"), Duration.ofSeconds(60));
    List<byte[]> keys = keys("ae", 300);
    assertThat(put(cluster, keys, "v1-", i -> cluster.node(i % 5))).isEqualTo(keys.size());
    // Some overwritten and some removed, so versions and tombstones must travel too.
    assertThat(put(cluster, keys.subList(0, 60), "v2-", i -> cluster.node((i + 1) % 5))).isEqualTo(60);
    assertThat(remove(cluster, keys.subList(60, 90), i -> cluster.node((i + 2) % 5))).isEqualTo(30);

    KvNode victim = cluster.node(2);
    // Its store lost while it keeps running: a restart with an empty store would ask the others to
    // stream its ranges (rebalancing, docs/REPLICATION.md), and this test is about anti-entropy.
    victim.storage().wipeout();
    long missing = keys.stream()
        .filter(k -> cluster.replicasSeenBy(cluster.node(0), k).contains(victim))
        .filter(k -> victim.storage().getRecord(k) == null).count();
    assertThat(missing).as("the victim lost its replicas' writes").isGreaterThan(50);

    assertThat(cluster.sim().runUntil(() -> allReplicasEqual(cluster, keys), Duration.ofSeconds(60)))
        .as("anti-entropy made every replica equal").isTrue();
    assertThat(rootsEqual(cluster)).isTrue();
    assertThat(victim.core().replicationStats().repairsSent.sum()).as("no read repair").isZero();
    long applied = cluster.nodes().stream()
        .mapToLong(n -> n.core().antiEntropy().stats().recordsApplied.sum()).sum();
    assertThat(applied).as("repair writes applied").isPositive();
    AntiEntropyStats victimStats = victim.core().antiEntropy().stats();
    long leaves = cluster.nodes().stream()
        .mapToLong(n -> n.core().antiEntropy().stats().leavesDiffering.sum()).sum();
    assertThat(leaves).isPositive();
    assertThat(victimStats.malformed.sum()).isZero();
  }

  /**
   * Replicas that hold the same records: every round costs a root query and its answers (BUILDING
   * while the peer scans, then EQUAL), no leaves, no digests, no repair writes.
   */
  @SeededTest
  void identicalReplicasExchangeOnlyRoots(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 3, 2, settings(250, "4MB"), Duration.ofSeconds(60));
    List<byte[]> keys = keys("same", 400);
    assertThat(put(cluster, keys, "v-", i -> cluster.node(i % 3))).isEqualTo(keys.size());
    assertThat(cluster.sim().runUntil(() -> allReplicasEqual(cluster, keys), Duration.ofSeconds(10))).isTrue();
    cluster.sim().runFor(Duration.ofSeconds(2)); // rounds that began before the writes ended are over
    long[] before = totals(cluster);
    cluster.sim().runFor(Duration.ofSeconds(10));
    long[] after = totals(cluster);
    long rounds = after[0] - before[0];
    long equal = after[1] - before[1];
    assertThat(rounds).as("rounds ran").isGreaterThan(30);
    assertThat(equal).as("all of them found the roots equal").isGreaterThanOrEqualTo(rounds - 3);
    assertThat(after[2] - before[2]).as("leaf queries").isZero();
    assertThat(after[3] - before[3]).as("digests frames").isZero();
    assertThat(after[4] - before[4]).as("repair writes").isZero();
    // A root query is 36 bytes, an answer 20; a peer answers BUILDING, then EQUAL, or a retry more.
    assertThat(after[5] - before[5]).as("bytes sent").isLessThanOrEqualTo(rounds * (2 * 36 + 3 * 20));
  }

  /**
   * One replica lost 3,000 records; the budget is 256 KB/s: no node spends more than the budget
   * (plus one burst and one batch) on any second of repair, and repair still completes.
   */
  @SeededTest
  void repairKeepsToItsIoBudget(long seed) {
    long budget = 256 * 1024;
    KvCluster cluster = KvCluster.formed(seed, 3, 1, settings(200, "256KB"), Duration.ofSeconds(60));
    KvNode victim = cluster.node(1);
    byte[] value = new byte[200];
    for (int i = 0; i < 3_000; i++) {
      byte[] key = KvWorkload.key("budget-" + i);
      VersionedRecord record = VersionedRecord.live(
          io.kvstore.node.time.HybridLogicalClock.timestamp(cluster.node(0).clock().currentTimeMillis() - 60_000, i), value);
      cluster.node(0).storage().apply(key, record);
      cluster.node(2).storage().apply(key, record);
    }
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      keys.add(KvWorkload.key("budget-" + i));
    }
    long maxPerSecond = 0;
    long spentTotal = 0;
    boolean equal = false;
    for (int second = 0; second < 40 && !equal; second++) {
      long[] before = spent(cluster);
      cluster.sim().runFor(Duration.ofSeconds(1));
      long[] after = spent(cluster);
      for (int n = 0; n < 3; n++) {
        maxPerSecond = Math.max(maxPerSecond, after[n] - before[n]);
        spentTotal += after[n] - before[n];
      }
      equal = allReplicasEqual(cluster, keys);
    }
    assertThat(equal).as("repair completed").isTrue();
    long burst = Math.max(16 * 1024, budget / 20);
    assertThat(maxPerSecond).as("bytes read plus sent in any second, per node")
        .isLessThanOrEqualTo(budget + burst + 32 * 1024);
    assertThat(spentTotal).as("3,000 records of 200 B were scanned and pushed").isGreaterThan(3_000L * 200 * 2);
    assertThat(victim.storage().keyCount()).isEqualTo(3_000);
  }

  /**
   * Authenticated frames from an address that is no ring member get no answer (nothing is sent
   * to a third party); a malformed frame from a member is counted, and nothing stored changes;
   * the same root query from a member is answered.
   */
  @SeededTest
  void onlyMembersAreAnsweredAndMalformedFramesAreCounted(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 3, 1, settings(0, "4MB"), Duration.ofSeconds(60));
    KvNode target = cluster.node(0);
    byte[] key = KvWorkload.key("kept");
    assertThat(put(cluster, List.of(key), "v-", i -> target)).isEqualTo(1);
    cluster.sim().runFor(Duration.ofMillis(100));
    VersionedRecord stored = target.storage().getRecord(key);
    AntiEntropyStats stats = target.core().antiEntropy().stats();
    byte[] query = AntiEntropyFrames.query(
        new AntiEntropyFrames.Query(42L, 1, AntiEntropyFrames.QueryKind.ROOT, new byte[16], new int[0]));
    java.net.InetSocketAddress stranger = new java.net.InetSocketAddress("127.9.9.9", 4000);
    cluster.network().inject(stranger, target.address(), cluster.settings().authenticator().seal(query));
    cluster.sim().runFor(Duration.ofSeconds(1));
    assertThat(stats.unknownPeers.sum()).isEqualTo(1);
    assertThat(stats.bytesSent.sum()).as("nothing sent to the stranger").isZero();

    byte[] digests = AntiEntropyFrames.digests(new AntiEntropyFrames.Digests(
        43L, 1, null, null, new java.util.BitSet(), List.of()));
    byte[] truncated = Arrays.copyOf(digests, digests.length - 5);
    cluster.network().inject(cluster.node(1).address(), target.address(),
        cluster.settings().authenticator().seal(truncated));
    cluster.sim().runFor(Duration.ofSeconds(1));
    assertThat(stats.malformed.sum()).isEqualTo(1);
    assertThat(target.storage().getRecord(key)).isEqualTo(stored);

    cluster.network().inject(cluster.node(1).address(), target.address(),
        cluster.settings().authenticator().seal(query));
    cluster.sim().runFor(Duration.ofSeconds(1));
    assertThat(stats.bytesSent.sum()).as("a member's query is answered").isPositive();
    assertThat(target.storage().getRecord(key)).isEqualTo(stored);
  }

  private static long[] spent(KvCluster cluster) {
    return cluster.nodes().stream().mapToLong(n -> {
      AntiEntropyStats s = n.core().antiEntropy().stats();
      return s.bytesScanned.sum() + s.bytesSent.sum();
    }).toArray();
  }

  private static long[] totals(KvCluster cluster) {
    long[] t = new long[6];
    for (KvNode n : cluster.nodes()) {
      AntiEntropyStats s = n.core().antiEntropy().stats();
      t[0] += s.rounds.sum();
      t[1] += s.roundsEqual.sum();
      t[2] += s.leafQueries.sum();
      t[3] += s.digestFrames.sum();
      t[4] += s.recordsPushed.sum();
      t[5] += s.bytesSent.sum();
    }
    return t;
  }

  /** Every replica of every key (as node 0's ring places it) holds the same record. */
  static boolean allReplicasEqual(KvCluster cluster, List<byte[]> keys) {
    for (byte[] key : keys) {
      VersionedRecord first = null;
      boolean any = false;
      for (KvNode replica : cluster.replicasSeenBy(cluster.node(0), key)) {
        VersionedRecord r = replica.storage().getRecord(key);
        if (!any) {
          first = r;
          any = true;
        } else if (r == null ? first != null : !r.equals(first)) {
          return false;
        }
      }
      if (first == null) {
        return false;
      }
    }
    return true;
  }

  /** For every pair of running nodes, the Merkle roots over the keys both hold are equal. */
  static boolean rootsEqual(KvCluster cluster) {
    List<KvNode> nodes = cluster.nodes();
    for (KvNode a : nodes) {
      for (KvNode b : nodes) {
        if (a != b && !Arrays.equals(tree(a, b.id(), cluster).root(), tree(b, a.id(), cluster).root())) {
          return false;
        }
      }
    }
    return true;
  }

  /** The tree {@code node} builds for {@code peer}: its records of the keys both hold. */
  static MerkleTree tree(KvNode node, NodeId peer, KvCluster cluster) {
    Ring ring = node.cluster().ring();
    MerkleTree tree = new MerkleTree();
    byte[] after = null;
    do {
      after = node.storage().scan(after, 256, (k, r) -> {
        List<NodeId> replicas = Arrays.stream(ring.replicasOf(k, node.settingsN())).map(Ring.Owner::id).toList();
        if (replicas.contains(node.id()) && replicas.contains(peer)) {
          tree.add(k, r);
        }
      });
    } while (after != null);
    return tree;
  }

  private static List<byte[]> keys(String prefix, int count) {
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(KvWorkload.key(prefix + "-" + i));
    }
    return keys;
  }

  /** PUTs every key (value prefix + index) through {@code via}; returns how many succeeded. */
  private static long put(KvCluster cluster, List<byte[]> keys, String prefix,
      java.util.function.IntFunction<KvNode> via) {
    return run(cluster, Command.PUT, keys, prefix, via);
  }

  private static long remove(KvCluster cluster, List<byte[]> keys, java.util.function.IntFunction<KvNode> via) {
    return run(cluster, Command.REMOVE, keys, null, via);
  }

  private static long run(KvCluster cluster, Command command, List<byte[]> keys, String prefix,
      java.util.function.IntFunction<KvNode> via) {
    int[] left = {keys.size()};
    long[] ok = {0};
    for (int i = 0; i < keys.size(); i++) {
      byte[] value = prefix == null ? null : (prefix + i).getBytes(StandardCharsets.UTF_8);
      cluster.client(i % cluster.clients().size()).invoke(command, keys.get(i), value, via.apply(i), op -> {
        left[0]--;
        if (op.succeeded()) {
          ok[0]++;
        }
      });
    }
    assertThat(cluster.sim().runUntil(() -> left[0] == 0, Duration.ofSeconds(30))).isTrue();
    return ok[0];
  }
}
