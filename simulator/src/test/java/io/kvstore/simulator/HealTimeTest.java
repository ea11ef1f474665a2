package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;

/**
 * A short partition heals within a bounded time, not at the pace of the periodic push-pull (every
 * 60 s per node at N = 50). Each side declared part of the other dead; after the heal, a node
 * that re-admits a member it held dead exchanges states with it at once (so every member the
 * other side holds dead hears of it and refutes), and a lost admission probe to a known address
 * is retried. Before both, these runs took 33.7-45.5 s (seeds 1-5).
 */
class HealTimeTest {
  /** Measured 2.3-24.3 s over seeds 1-10 (median 2.7 s; BENCHMARKS.md): half a push-pull period. */
  private static final Duration HEAL_BOUND = Duration.ofSeconds(30);

  @SeededTest
  void aSevenSecondPartitionUnderLossHealsWithinABoundedTime(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    cluster.network().setLoss(0.05).setDuplication(0.05);
    cluster.sim().runFor(Duration.ofSeconds(3));
    cluster.network().partition(new HashSet<>(cluster.nodes().subList(0, 17)));
    cluster.sim().runFor(Duration.ofSeconds(7));
    assertThat(cluster.views().isConverged()).as("the partition split the views").isFalse();
    cluster.network().heal();
    long healedAt = cluster.sim().elapsedMillis();

    boolean converged = cluster.sim().runUntil(cluster.views()::isConverged, HEAL_BOUND);

    System.out.printf("seed %d: every view complete %d ms after the heal (%s)%n", seed,
        cluster.sim().elapsedMillis() - healedAt, converged);
    assertThat(converged).as("one view again within %s of healing", HEAL_BOUND).isTrue();
  }
}
