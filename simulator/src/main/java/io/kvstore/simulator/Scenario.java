package io.kvstore.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/** One measurement of {@link SimulationBenchmark}. */
interface Scenario {
  /** Clusters start together through one seed; at N = 1,000 they converge in about 25 s. */
  Duration FORMATION_BOUND = Duration.ofMinutes(10);
  /** Random stream of the benchmark's own choices (which node crashes, which one is contacted). */
  long CHOICE_STREAM = -2;

  void run(BenchmarkOptions options, PrintStream out);

  static SimCluster formed(long seed, int nodes, BenchmarkOptions options) {
    SimCluster cluster = SimCluster.formed(seed, nodes, options.config(), FORMATION_BOUND);
    cluster.network().setLoss(options.loss());
    return cluster;
  }

  static SimNode randomRunning(SimCluster cluster, SplittableRandom choices) {
    List<SimNode> running = cluster.running();
    return running.get(choices.nextInt(running.size()));
  }
}
