package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.Member;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

class PartitionTest {
  /** Measured 25-41 s over 20 seeds: every member across the cut must be suspected, then die. */
  private static final Duration SPLIT_BOUND = Duration.ofSeconds(120);
  /**
   * Measured 1.3-40.5 s over 20 seeds: the halves meet only when a push-pull exchange (every 60 s
   * per node at N = 50) picks a dead member across the old cut, whereupon both refute.
   */
  private static final Duration HEAL_BOUND = Duration.ofSeconds(90);

  @SeededTest
  void halvesThatDeclaredEachOtherDeadBecomeOneViewAfterHealing(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    Set<SimNode> half = new HashSet<>(cluster.nodes().subList(0, 25));

    cluster.network().partition(half);
    assertThat(cluster.sim().runUntil(() -> eachSideSeesTheOtherGone(cluster, half), SPLIT_BOUND))
        .as("each half declares the other dead within %s", SPLIT_BOUND)
        .isTrue();
    cluster.network().heal();

    assertThat(cluster.sim().runUntil(cluster.views()::isConverged, HEAL_BOUND))
        .as("one view again within %s of healing", HEAL_BOUND)
        .isTrue();
  }

  @SeededTest
  void halvesHealAfterAPartitionLongerThanDeadRetention(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    cluster.network().partition(new HashSet<>(cluster.nodes().subList(0, 25)));
    cluster.sim().runFor(Duration.ofMinutes(5));
    cluster.network().heal();

    assertThat(cluster.sim().runUntil(cluster.views()::isConverged, Duration.ofMinutes(2)))
        .as("one view again within 2 minutes of healing")
        .isTrue();
  }

  private static boolean eachSideSeesTheOtherGone(SimCluster cluster, Set<SimNode> half) {
    for (SimNode observer : cluster.nodes()) {
      for (SimNode subject : cluster.nodes()) {
        if (half.contains(observer) != half.contains(subject)) {
          Member m = observer.membership().member(subject.id());
          if (m != null && m.state().isLive()) {
            return false;
          }
        }
      }
    }
    return true;
  }
}
