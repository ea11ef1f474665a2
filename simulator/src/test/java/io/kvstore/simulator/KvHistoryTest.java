package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.history.CheckResult;
import io.kvstore.history.Violation;
import java.time.Duration;

/**
 * The history checker end to end, with clients sharing hot and cold keys: with N=3 replication,
 * without faults and under loss, duplication and reordering, every history passes; without
 * replication (N=1), when nodes with memory storage crash and come back empty, the checker finds
 * the acknowledged writes they lost, and prints them.
 */
class KvHistoryTest {
  private static final int NODES = 10;
  private static final int CLIENTS = 8;

  @SeededTest
  void withoutFaultsEveryReadIsExplained(long seed) {
    KvCluster cluster = KvCluster.formed(seed, NODES, CLIENTS, KvCluster.Settings.defaults(), Duration.ofSeconds(30));
    HistoryRecording recording = HistoryRecording.of(cluster, 200_000);
    SharedKeyWorkload workload = new SharedKeyWorkload(cluster, 5, SharedKeyWorkload.Mix.defaults());
    workload.start();
    cluster.sim().runFor(Duration.ofSeconds(10));
    workload.stop();
    cluster.sim().runFor(Duration.ofSeconds(2));

    CheckResult result = recording.check();
    System.out.printf("seed %d: %s%n", seed, result.summary());
    assertThat(result.passed()).as(result.report()).isTrue();
    assertThat(result.readsChecked()).isGreaterThan(3_000);
    assertThat(result.acknowledgedWrites()).isGreaterThan(3_000);
    assertThat(result.unknownWrites()).as("no faults: every write answered").isZero();
  }

  @SeededTest
  void lossDuplicationAndReorderingAloneLoseNoAcknowledgedWrite(long seed) {
    KvCluster cluster = KvCluster.formed(seed, NODES, CLIENTS, KvCluster.Settings.defaults(), Duration.ofSeconds(30));
    cluster.network().setLoss(0.1).setDuplication(0.05).setLatency(1, 10);
    HistoryRecording recording = HistoryRecording.of(cluster, 200_000);
    SharedKeyWorkload workload = new SharedKeyWorkload(cluster, 5, SharedKeyWorkload.Mix.defaults());
    workload.start();
    cluster.sim().runFor(Duration.ofSeconds(10));
    workload.stop();
    cluster.sim().runFor(Duration.ofSeconds(2));

    CheckResult result = recording.check();
    System.out.printf("seed %d: %s%n", seed, result.summary());
    assertThat(result.passed()).as(result.report()).isTrue();
    assertThat(result.readsChecked()).isGreaterThan(300);
    assertThat(cluster.history().stream().filter(op -> op.attempts() > 1).count())
        .as("requests retried after a loss").isGreaterThan(50);
  }

  @SeededTest
  void crashesOfNodesWithMemoryStorageLoseAcknowledgedWritesAndTheCheckerFindsThem(long seed) {
    KvCluster cluster = KvCluster.formed(seed, NODES, CLIENTS, KvCluster.Settings.defaults().withReplication(1, 1, 1), Duration.ofSeconds(30));
    HistoryRecording recording = HistoryRecording.of(cluster, 200_000);
    SharedKeyWorkload workload = new SharedKeyWorkload(cluster, 5, SharedKeyWorkload.Mix.defaults());
    workload.start();
    java.util.SplittableRandom faults = cluster.sim().random(11);
    for (int round = 0; round < 2; round++) {
      cluster.sim().runFor(Duration.ofSeconds(3));
      KvNode victim = cluster.node(1 + faults.nextInt(NODES - 1));
      victim.crash();
      cluster.sim().runFor(Duration.ofSeconds(2));
      cluster.restart(victim); // empty: its keys come back absent
    }
    cluster.sim().runFor(Duration.ofSeconds(4));
    workload.stop();
    cluster.sim().runFor(Duration.ofSeconds(2));

    CheckResult result = recording.check();
    System.out.printf("seed %d: %s%n", seed, result.summary());
    assertThat(result.count(Violation.Type.LOST_WRITE)).as(result.report()).isGreaterThan(0);
    assertThat(result.count(Violation.Type.PHANTOM_VALUE)).as(result.report()).isZero();
    Violation first = result.violations().get(0);
    assertThat(first.shouldHaveSeen()).as("a lost write names the acknowledged write").isNotNull();
    System.out.print(first.describe());
  }
}
