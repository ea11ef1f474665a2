package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WallTimeScenarioTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  private static final BenchmarkOptions OPTIONS =
      BenchmarkOptions.parse(new String[] {"--scenario", "walltime", "--minutes", "1.5", "--loss", "0.1"});

  /** It once printed 0.0 s: formation takes tens of virtual milliseconds, now reported as such. */
  @Test
  void reportsTheVirtualTimeAtWhichEveryViewFirstHeldEveryNode() {
    WallTimeScenario.Result result = WallTimeScenario.measure(3, 40, OPTIONS, QUIET);

    assertThat(result.formationMillis()).isPositive();
    assertThat(convergedAt(3, 40, result.formationMillis() - 1)).isFalse();
    assertThat(convergedAt(3, 40, result.formationMillis())).isTrue();
    assertThat(result.virtualMillis()).isEqualTo(90_000);
  }

  @Test
  void countsTrafficPerNodeAndVirtualSecondOverTheLastMinute() {
    WallTimeScenario.Result result = WallTimeScenario.measure(3, 40, OPTIONS, QUIET);

    assertThat(result.trafficWindowMillis()).isEqualTo(60_000);
    double byType = result.traffic().bytesByType().values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(byType).isCloseTo(result.traffic().bytesPerNodeSecond(), within(1e-6));
    // A probe (ping and ack, each at least a header and an alive update) per node per second.
    assertThat(result.traffic().bytesByType().get("ping")).isGreaterThan(30);
    assertThat(result.traffic().datagramsPerNodeSecond()).isBetween(2.0, 50.0);
    assertThat(result.liveHeapEndBytes()).isPositive();
  }

  private static boolean convergedAt(long seed, int nodes, long elapsedMillis) {
    SimCluster cluster = new SimCluster(seed, OPTIONS.config());
    List<SimNode> all = cluster.addNodes(nodes);
    cluster.startThrough(all.get(0), all);
    cluster.sim().runFor(Duration.ofMillis(elapsedMillis));
    return cluster.views().isConverged();
  }
}
