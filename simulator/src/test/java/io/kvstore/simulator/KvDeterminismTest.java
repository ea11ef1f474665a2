package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/** The whole-node simulation replays exactly from its seed, faults, skew and clients included. */
class KvDeterminismTest {
  @SeededTest
  void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne(long seed) {
    Run first = stormyRun(seed);
    Run again = stormyRun(seed);
    Run other = stormyRun(seed + 1);

    assertThat(again.deliveries()).isEqualTo(first.deliveries());
    assertThat(again.traceHash()).isEqualTo(first.traceHash());
    assertThat(again.outcomes()).isEqualTo(first.outcomes());
    assertThat(other.traceHash()).isNotEqualTo(first.traceHash());
  }

  private static Run stormyRun(long seed) {
    KvCluster cluster = KvCluster.formed(seed, 20, 8, KvCluster.Settings.defaults().withSkew(10_000, 200),
        Duration.ofSeconds(60));
    cluster.network().setLoss(0.1).setDuplication(0.05).setLatency(1, 10);
    KvWorkload workload = new KvWorkload(cluster, 10);
    workload.start();
    cluster.sim().runFor(Duration.ofSeconds(2));
    cluster.network().partition(new HashSet<>(cluster.nodes().subList(0, 6)));
    cluster.node(9).crash();
    cluster.sim().runFor(Duration.ofSeconds(4));
    cluster.network().heal();
    cluster.restart(cluster.node(9));
    cluster.sim().runFor(Duration.ofSeconds(3));
    workload.stop();
    cluster.sim().runFor(Duration.ofSeconds(2));
    List<String> outcomes = cluster.history().stream()
        .map(op -> op.client() + "/" + op.id() + ":" + op.command() + "@" + op.node() + "=" + op.code() + "x"
            + op.attempts() + "t" + op.completedAtMillis())
        .toList();
    return new Run(cluster.network().trace().events(), cluster.network().trace().hash(), outcomes);
  }

  private record Run(long deliveries, long traceHash, List<String> outcomes) {}
}
