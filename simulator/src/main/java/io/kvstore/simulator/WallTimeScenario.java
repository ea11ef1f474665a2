package io.kvstore.simulator;

import java.io.PrintStream;
import java.time.Duration;

/** (d) Wall time of simulating N nodes for a number of virtual minutes, formation included. */
final class WallTimeScenario implements Scenario {
  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (int nodes : options.nodes()) {
      for (long seed : options.seeds()) {
        long start = System.nanoTime();
        SimCluster cluster = Scenario.formed(seed, nodes, options);
        long formedAt = cluster.sim().elapsedMillis();
        double formedWall = (System.nanoTime() - start) / 1e9;
        cluster.sim().runFor(Duration.ofMillis(Math.max(0, options.virtualMillis() - formedAt)));
        double wall = (System.nanoTime() - start) / 1e9;
        out.printf("  N=%d seed=%d  %.0f virtual min in %.1f s wall (formation: %.1f virtual s in %.1f s wall); "
                + "%d events, %.2f M events/s; trace %016x%n",
            nodes, seed, cluster.sim().elapsedMillis() / 60_000.0, wall, formedAt / 1000.0, formedWall,
            cluster.sim().eventsRun(), cluster.sim().eventsRun() / wall / 1e6, cluster.network().trace().hash());
      }
    }
  }
}
