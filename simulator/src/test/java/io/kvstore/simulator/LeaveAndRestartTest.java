package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.MemberState;
import java.time.Duration;
import java.util.List;

class LeaveAndRestartTest {
  /** Measured below 0.5 s in 29 of 30 seeds; the other needed a push-pull exchange (24 s). */
  private static final Duration LEAVE_BOUND = Duration.ofSeconds(60);
  /** Measured below 0.8 s over 30 seeds; a missed update waits for a push-pull, as on join. */
  private static final Duration REJOIN_BOUND = Duration.ofSeconds(60);
  /** What the node waits after announcing its leave (3 gossip intervals). */
  private static final Duration LEAVE_ANNOUNCEMENT = Duration.ofMillis(600);

  @SeededTest
  void aNodeThatLeavesGracefullyIsSeenAsLeftNotDead(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    SimNode leaver = cluster.node(21);

    leaver.leaveAndExit(LEAVE_ANNOUNCEMENT);

    boolean seen = cluster.sim().runUntil(
        () -> cluster.everyoneSees(leaver, m -> m.state() == MemberState.LEFT), LEAVE_BOUND);
    assertThat(seen).as("LEFT everywhere within %s", LEAVE_BOUND).isTrue();
    cluster.sim().runFor(Duration.ofSeconds(30));
    assertThat(leaver.isUp()).isFalse();
    assertThat(cluster.everyoneSees(leaver, m -> m.state() == MemberState.LEFT))
        .as("still LEFT, not DEAD, once the process is gone")
        .isTrue();
  }

  @SeededTest
  void aRestartedNodeIsAliveEverywhereAgainWithAHigherIncarnation(long seed) {
    SimCluster cluster = Clusters.joined(seed, 50);
    SimNode node = cluster.node(33);
    long before = node.membership().incarnation();
    node.crash();
    assertThat(cluster.sim().runUntil(() -> cluster.views().isGoneEverywhere(node), Duration.ofSeconds(60)))
        .isTrue();

    node.start(List.of(cluster.node(0).address()));

    assertThat(node.membership().incarnation()).isGreaterThan(before);
    boolean rejoined = cluster.sim().runUntil(cluster.views()::isConverged, REJOIN_BOUND);
    assertThat(rejoined).as("one complete view again within %s", REJOIN_BOUND).isTrue();
    assertThat(cluster.everyoneSees(node, m -> m.incarnation() == node.membership().incarnation())).isTrue();
  }
}
