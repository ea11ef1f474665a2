package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/**
 * Lifeguard's promise: message loss and one CPU-starved node must not get healthy nodes declared
 * dead. The starved node (it handles everything 400 ms late, well inside the 1 s probe period)
 * may be suspected, but it still answers every probe in time and refutes, so it must not be
 * declared dead either: a node that slow is degraded, not failed.
 */
class LossAndSlowNodeTest {
  @SeededTest
  void tenPercentLossAndOneSlowNodeForThirtyMinutesDeclareNobodyDead(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    SimNode slow = cluster.node(7);
    cluster.network().setLoss(0.10);
    slow.setSlowness(400);

    cluster.sim().runFor(Duration.ofMinutes(30));

    assertThat(cluster.views().wrongVerdicts()).as("running nodes declared dead").isEmpty();
    assertThat(cluster.views().isLiveEverywhere(slow)).as("the slow node is still a member everywhere").isTrue();
  }
}
