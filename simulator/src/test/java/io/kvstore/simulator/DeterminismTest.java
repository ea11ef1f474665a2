package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.Member;
import io.kvstore.node.cluster.SwimConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/** The same seed replays the same run event for event; another seed gives another run. */
class DeterminismTest {
  @SeededTest
  void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne(long seed) {
    Run first = stormyRun(seed);
    Run again = stormyRun(seed);
    Run other = stormyRun(seed + 1);

    assertThat(again.deliveries()).isEqualTo(first.deliveries());
    assertThat(again.traceHash()).isEqualTo(first.traceHash());
    assertThat(again.views()).isEqualTo(first.views());
    assertThat(other.traceHash()).isNotEqualTo(first.traceHash());
  }

  /** Every fault the simulator has, so that each of them must be deterministic. */
  private static Run stormyRun(long seed) {
    SimCluster cluster = new SimCluster(seed, SwimConfig.defaults());
    List<SimNode> nodes = cluster.addNodes(30);
    cluster.network().setLoss(0.05).setDuplication(0.02).setLatency(1, 20);
    nodes.get(5).setSlowness(300);
    cluster.startThrough(nodes.get(0), nodes);
    cluster.sim().runFor(Duration.ofSeconds(20));
    cluster.network().partition(new HashSet<>(nodes.subList(0, 10)));
    nodes.get(12).crash();
    cluster.sim().runFor(Duration.ofSeconds(30));
    cluster.network().heal();
    nodes.get(12).start(List.of(nodes.get(0).address()));
    nodes.get(20).leaveAndExit(Duration.ofMillis(600));
    cluster.sim().runFor(Duration.ofSeconds(30));
    return new Run(cluster.network().trace().events(), cluster.network().trace().hash(), cluster.snapshotViews());
  }

  private record Run(long deliveries, long traceHash, List<List<Member>> views) {}
}
