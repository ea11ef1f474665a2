package io.kvstore.simulator;

import io.kvstore.node.replication.AntiEntropyStats;
import io.kvstore.node.storage.VersionedRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * (f) Anti-entropy: three nodes (N=3, default anti-entropy budget of 4 MB/s, a round every
 * second); two hold the same {@value #RECORDS} records of 100 bytes, the third none (it missed
 * every write). Reports the virtual time and bytes sent until all three hold every record, then
 * the bytes the now identical replicas send per round (roots only). The records are put into the
 * two nodes' storage directly, as the same versions, not through clients.
 */
final class RepairScenario implements Scenario {
  static final int RECORDS = 100_000;

  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (long seed : options.seeds()) {
      KvCluster.Settings settings = KvCluster.Settings.defaults();
      settings.node().replication.antiEntropyIntervalMillis = 1_000;
      KvCluster cluster = KvCluster.formed(seed, 3, 1, settings, FORMATION_BOUND);
      cluster.network().setLoss(options.loss());
      List<byte[]> keys = new ArrayList<>(RECORDS);
      byte[] value = new byte[100];
      for (int i = 0; i < RECORDS; i++) {
        byte[] key = KvWorkload.key("repair-" + i);
        keys.add(key);
        // An hour old, by the cluster's clock (written before node 2 came back, say).
        VersionedRecord record = VersionedRecord.live(io.kvstore.node.time.HybridLogicalClock.timestamp(
            cluster.node(0).clock().currentTimeMillis() - 3_600_000, i % 65_536), value);
        cluster.node(0).storage().apply(key, record);
        cluster.node(1).storage().apply(key, record);
      }
      KvNode victim = cluster.node(2);
      long sentBefore = sent(cluster);
      long start = cluster.sim().elapsedMillis();
      long wallStart = System.nanoTime();
      boolean done = cluster.sim().runUntil(
          () -> victim.storage().keyCount() == RECORDS && equal(cluster, keys), Duration.ofMinutes(30));
      long millis = cluster.sim().elapsedMillis() - start;
      double wall = (System.nanoTime() - wallStart) / 1e9;
      long sent = sent(cluster) - sentBefore;
      long pushed = cluster.nodes().stream().mapToLong(n -> stats(n).recordsPushed.sum()).sum();
      out.printf("  seed=%d: %s %d of %d records in %.1f virtual s (%.1f s wall); %,d bytes sent by anti-entropy"
              + " (%,d repair writes), %.0f bytes per record restored%n",
          seed, done ? "restored" : "NOT restored", victim.storage().keyCount(), RECORDS, millis / 1000.0,
          wall, sent, pushed, sent / (double) RECORDS);
      // Rounds that started before the last record landed (trees of a half-restored store) end first.
      long startedBefore = rounds(cluster);
      long settleStart = cluster.sim().elapsedMillis();
      cluster.sim().runUntil(() -> finished(cluster) >= startedBefore, Duration.ofMinutes(10));
      out.printf("  the rounds begun before that ended %.1f virtual s later; %,d bytes sent in all%n",
          (cluster.sim().elapsedMillis() - settleStart) / 1000.0, sent(cluster) - sentBefore);
      long rounds = rounds(cluster);
      long equalRounds = cluster.nodes().stream().mapToLong(n -> stats(n).roundsEqual.sum()).sum();
      long digests = cluster.nodes().stream().mapToLong(n -> stats(n).digestFrames.sum()).sum();
      long leafQueries = cluster.nodes().stream().mapToLong(n -> stats(n).leafQueries.sum()).sum();
      sentBefore = sent(cluster);
      cluster.sim().runFor(Duration.ofSeconds(60));
      long idleRounds = rounds(cluster) - rounds;
      long idleEqual = cluster.nodes().stream().mapToLong(n -> stats(n).roundsEqual.sum()).sum() - equalRounds;
      long idleDigests = cluster.nodes().stream().mapToLong(n -> stats(n).digestFrames.sum()).sum() - digests;
      long idleLeaves = cluster.nodes().stream().mapToLong(n -> stats(n).leafQueries.sum()).sum() - leafQueries;
      long idleSent = sent(cluster) - sentBefore;
      out.printf("  identical replicas, 60 virtual s: %d rounds, %d found the roots equal, %d leaf queries,"
              + " %d digests frames, %,d bytes sent (%.0f bytes per round)%n",
          idleRounds, idleEqual, idleLeaves, idleDigests, idleSent, idleSent / (double) Math.max(1, idleRounds));
    }
  }

  private static boolean equal(KvCluster cluster, List<byte[]> keys) {
    for (byte[] key : keys) {
      VersionedRecord a = cluster.node(0).storage().getRecord(key);
      if (!a.equals(cluster.node(2).storage().getRecord(key))) {
        return false;
      }
    }
    return true;
  }

  private static AntiEntropyStats stats(KvNode node) {
    return node.core().antiEntropy().stats();
  }

  private static long sent(KvCluster cluster) {
    return cluster.nodes().stream().mapToLong(n -> stats(n).bytesSent.sum()).sum();
  }

  private static long finished(KvCluster cluster) {
    return cluster.nodes().stream().mapToLong(n -> stats(n).roundsEqual.sum() + stats(n).roundsRepaired.sum()
        + stats(n).roundsAborted.sum()).sum();
  }

  private static long rounds(KvCluster cluster) {
    return cluster.nodes().stream().mapToLong(n -> stats(n).rounds.sum()).sum();
  }
}
