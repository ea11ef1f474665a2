package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvstore.cli.it.FaultInjector.Fault;
import io.kvstore.cli.it.FaultInjector.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault injector that ChaosIT relies on does what it says, seen from the nodes' own
 * membership: a partitioned node and the others each see the other side dead while clients still
 * reach it; a paused node is declared dead and comes back on SIGCONT; a killed node restarts on
 * its port and data directory; afterwards the cluster is whole again, our nftables table is gone
 * and no JVM the test started still runs.
 */
class FaultInjectionIT {
  @TempDir Path dir;

  private static long down(NodeProcess viewer) {
    return NodeCluster.states(viewer).stream().filter(s -> s.equals("dead")).count();
  }

  private static void awaitDown(NodeProcess viewer, int count, String why) {
    await(why).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> down(viewer) == count);
  }

  @Test
  void partitionPauseAndKillTakeEffectAndHeal() throws Exception {
    String noPartitions = LoopbackPartition.unavailableReason();
    Assumptions.assumeTrue(noPartitions == null, () -> "partitions unavailable: " + noPartitions);
    List<Long> pids;
    LoopbackPartition partition = LoopbackPartition.create();
    try (NodeCluster cluster = NodeCluster.start(dir, 3, ""); partition) {
      pids = cluster.nodes().stream().map(NodeProcess::pid).toList();
      FaultInjector faults = new FaultInjector(cluster, partition, 1);
      NodeProcess one = cluster.node(0);
      NodeProcess three = cluster.node(2);

      Fault cut = new Fault(Kind.PARTITION, 3, 0);
      faults.begin(cut);
      awaitDown(one, 1, "node 1 sees partitioned node 3 dead");
      awaitDown(three, 2, "partitioned node 3 sees nodes 1 and 2 dead");
      faults.end(cut);
      cluster.awaitAlive(Duration.ofSeconds(20));

      Fault pause = new Fault(Kind.PAUSE, 2, 0);
      faults.begin(pause);
      awaitDown(one, 1, "node 1 sees paused node 2 dead");
      faults.end(pause);
      cluster.awaitAlive(Duration.ofSeconds(20));

      Fault kill = new Fault(Kind.KILL_RESTART, 1, 0);
      long before = one.pid();
      faults.begin(kill);
      awaitDown(three, 1, "node 3 sees killed node 1 dead");
      faults.end(kill);
      assertThat(one.pid()).as("a new JVM").isNotEqualTo(before);
      cluster.awaitAlive(Duration.ofSeconds(20));

      assertThat(faults.injected()).containsOnlyKeys(Kind.PARTITION, Kind.PAUSE, Kind.KILL_RESTART);
      assertThat(faults.droppedDatagrams()).isPositive();
      System.out.printf("fault injection: %s, %d node-to-node datagrams dropped by the partition%n",
          faults.injected(), faults.droppedDatagrams());
      pids = new java.util.ArrayList<>(pids);
      pids.add(one.pid());
    }
    assertThat(partition.tableExists()).as("nftables table deleted").isFalse();
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("node JVM %d ended", pid).isFalse();
    }
  }
}
