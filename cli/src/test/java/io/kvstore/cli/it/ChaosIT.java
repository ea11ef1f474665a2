package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.client.KvClient;
import io.kvstore.history.CheckResult;
import io.kvstore.history.History;
import io.kvstore.history.HistoryChecker;
import io.kvstore.history.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five node JVMs on loopback under a mixed client load, with a random fault every few seconds
 * (kill -9 and restart, SIGSTOP/SIGCONT pause, or the partition of one node from the others; at
 * most one node faulty at a time). Then every fault is healed, the cluster settles, every key is
 * read once more through a random node, and the history checker must find no violation: no
 * phantom value, no acknowledged write lost, no deleted key back.
 *
 * <p>About 60 s in CI; {@code -Dchaos.duration.ms=600000} (bench/chaos.sh) runs it for ten
 * minutes, {@code -Dchaos.seed=N} replays a fault schedule.
 */
class ChaosIT {
  private static final int NODES = 5;
  private static final int THREADS = 10;
  private static final int HOT_KEYS = 8;
  private static final int COLD_KEYS = 400;
  private static final int OPS_PER_SECOND = 400;
  /** Quiet time between two faults, and the longest a fault lasts. */
  private static final long MAX_GAP_MS = 3000;
  private static final long MAX_FAULT_MS = 4000;

  @TempDir Path dir;

  @Test
  void noViolationUnderRandomCrashesPausesAndPartitions() throws Exception {
    long durationMs = Long.getLong("chaos.duration.ms", 60_000);
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    Random random = new Random(seed);
    String noPartitions = LoopbackPartition.unavailableReason();
    System.out.printf("chaos: seed %d, %d s, %d nodes%n", seed, durationMs / 1000, NODES);
    if (noPartitions != null) {
      System.out.println("chaos: PARTITIONS SKIPPED, only kill -9 and pauses: " + noPartitions);
    }
    History history = new History(System::nanoTime, 5_000_000);
    try (NodeCluster cluster = NodeCluster.start(dir, NODES, NodeCluster.STRICT_QUORUMS);
        LoopbackPartition partition = noPartitions == null ? LoopbackPartition.create() : null) {
      FaultInjector faults = new FaultInjector(cluster, partition, seed);
      MixedLoad load =
          new MixedLoad(cluster, history, THREADS, HOT_KEYS, COLD_KEYS, OPS_PER_SECOND, seed);
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
      try (load) {
        load.start();
        while (true) {
          TimeUnit.MILLISECONDS.sleep(500 + random.nextInt((int) MAX_GAP_MS - 500));
          long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
          if (left < 1500) {
            break;
          }
          FaultInjector.Fault fault = faults.randomFault(Math.min(MAX_FAULT_MS, left - 500));
          System.out.println("chaos: " + fault);
          faults.inject(fault);
        }
      } finally {
        faults.heal();
      }
      System.out.println("chaos: faults " + faults.injected() + ", load replies " + load.replySummary());

      cluster.awaitAlive(Duration.ofSeconds(30));
      finalReads(cluster, load, history);
      System.out.println("chaos: after final reads " + load.replySummary());

      CheckResult result = HistoryChecker.check(history);
      System.out.printf("chaos: %d operations checked, %d faults injected; %s%n",
          result.operations(), faults.total(), result.summary());
      faults.log().forEach(f -> System.out.println("chaos:   " + f));
      if (!result.passed()) {
        keepLogs(seed);
      }
      assertThat(result.passed()).as("history checker:%n%s", result.report()).isTrue();
      assertThat(faults.total()).as("faults injected").isPositive();
    }
  }

  /** Copies the nodes' logs out of the temporary directory (deleted after the test). */
  private void keepLogs(long seed) throws java.io.IOException {
    Path kept = Path.of("target", "chaos-" + seed).toAbsolutePath();
    java.nio.file.Files.createDirectories(kept);
    try (var logs = java.nio.file.Files.newDirectoryStream(dir, "node-*.log")) {
      for (Path log : logs) {
        java.nio.file.Files.copy(log, kept.resolve(log.getFileName()));
      }
    }
    System.out.println("chaos: node logs kept in " + kept);
  }

  /** Reads every key once more, through a random node, once the cluster is whole again. */
  private static void finalReads(NodeCluster cluster, MixedLoad load, History history) {
    List<KvClient> clients = new ArrayList<>();
    try {
      for (NodeProcess n : cluster.nodes()) {
        clients.add(NodeCluster.client(n, Duration.ofMillis(200), 3));
      }
      Random random = new Random();
      int failed = 0;
      for (int k = 0; k < load.keyCount(); k++) {
        int code = load.execute(THREADS, clients.get(random.nextInt(clients.size())), Kind.GET,
            MixedLoad.key(k));
        failed += code == 0 || code == 1 ? 0 : 1;
      }
      assertThat(failed).as("final GETs of a healed cluster that failed").isZero();
    } finally {
      clients.forEach(KvClient::close);
    }
  }
}
