package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/** The chaos schedule keeps its promise: at most one node impaired at a time, every kind of fault, all healed. */
class NodeFaultsTest {
  @SeededTest
  void atMostOneNodeIsImpairedAtATimeAndHealEndsEverything(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 10, 1, KvCluster.Settings.defaults(), Duration.ofSeconds(30));
    NodeFaults faults = new NodeFaults(cluster, 0.2);
    faults.start();
    int maxImpaired = 0;
    for (int step = 0; step < 600; step++) { // 60 s in steps of 100 ms
      cluster.sim().runFor(Duration.ofMillis(100));
      int impaired = (int) cluster.nodes().stream().filter(n -> !n.isUp() || n.slownessMillis() > 0).count();
      maxImpaired = Math.max(maxImpaired, impaired);
    }
    faults.heal();
    assertThat(maxImpaired).as("nodes crashed or paused at once").isEqualTo(1);
    for (NodeFaults.Kind kind : NodeFaults.Kind.values()) {
      assertThat(faults.count(kind)).as("%s faults in 60 s", kind).isGreaterThanOrEqualTo(2);
    }
    assertThat(faults.networkChanges()).isGreaterThan(15);
    assertThat(faults.timeline()).contains("CRASH", "end of ISOLATE", "PAUSE");
    assertThat(cluster.nodes()).allMatch(n -> n.isUp() && n.slownessMillis() == 0);
    assertThat(cluster.sim().runUntil(cluster::isConverged, Duration.ofSeconds(60)))
        .as("healed: everyone sees everyone again").isTrue();
  }
}
