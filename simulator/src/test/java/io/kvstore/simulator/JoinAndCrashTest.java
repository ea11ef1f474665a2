package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

class JoinAndCrashTest {
  /** Measured at most 20 s over 30 seeds: a probe period, a suspicion of up to 13.6 s, gossip. */
  private static final Duration CRASH_BOUND = Duration.ofSeconds(30);

  @SeededTest
  void fiftyNodesJoiningThroughOneSeedAllSeeEachOtherAlive(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);

    assertThat(cluster.views().running()).isEqualTo(50);
    for (SimNode node : cluster.nodes()) {
      assertThat(node.membership().members()).hasSize(50);
      assertThat(node.membership().liveCount()).isEqualTo(50);
    }
  }

  @SeededTest
  void fiveCrashedNodesAreDeclaredDeadByEveryLiveNodeAndNobodyElseIs(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    cluster.sim().runFor(Duration.ofSeconds(10));
    List<SimNode> crashed = IntStream.of(3, 11, 19, 27, 42).mapToObj(cluster::node).toList();

    crashed.forEach(SimNode::crash);

    boolean detected = cluster.sim().runUntil(
        () -> crashed.stream().allMatch(cluster.views()::isGoneEverywhere), CRASH_BOUND);
    assertThat(detected).as("all five dead everywhere within %s", CRASH_BOUND).isTrue();
    cluster.sim().runFor(Duration.ofMinutes(2));
    assertThat(cluster.views().wrongVerdicts()).as("live nodes declared dead").isEmpty();
    assertThat(cluster.views().isConverged()).as("the 45 survivors see each other alive").isTrue();
  }
}
