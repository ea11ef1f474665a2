package io.kvstore.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * (a) How long until a joining node is known to every live node, and until a crashed node is
 * dead at every live node. Joins and crashes are measured one after the other in a formed cluster.
 */
final class LatencyScenario implements Scenario {
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final Duration BOUND = Duration.ofMinutes(3);
  private static final Duration PAUSE = Duration.ofSeconds(5);

  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (int nodes : options.nodes()) {
      Samples joins = new Samples();
      Samples crashes = new Samples();
      int wrongVerdicts = 0;
      for (long seed : options.seeds()) {
        SimCluster cluster = Scenario.formed(seed, nodes, options);
        cluster.sim().runFor(SETTLE);
        SplittableRandom choices = cluster.sim().random(CHOICE_STREAM);
        for (int i = 0; i < options.joins(); i++) {
          measureJoin(cluster, choices, joins);
        }
        for (int i = 0; i < options.crashes(); i++) {
          measureCrash(cluster, choices, crashes);
        }
        wrongVerdicts += cluster.views().wrongVerdicts().size();
      }
      out.printf("  N=%d  join known (alive or suspect) at every live node: %s%n", nodes, joins);
      out.printf("  N=%d  crash dead at every live node:                    %s%n", nodes, crashes);
      out.printf("  N=%d  running nodes declared dead by someone: %d%n", nodes, wrongVerdicts);
    }
  }

  private static void measureJoin(SimCluster cluster, SplittableRandom choices, Samples samples) {
    SimNode contact = Scenario.randomRunning(cluster, choices);
    SimNode joiner = cluster.addNodes(1).get(0);
    joiner.start(List.of(contact.address()));
    measure(cluster, samples, () -> cluster.views().isLiveEverywhere(joiner));
  }

  private static void measureCrash(SimCluster cluster, SplittableRandom choices, Samples samples) {
    SimNode victim = Scenario.randomRunning(cluster, choices);
    victim.crash();
    measure(cluster, samples, () -> cluster.views().isGoneEverywhere(victim));
  }

  private static void measure(SimCluster cluster, Samples samples, BooleanSupplier done) {
    long start = cluster.sim().elapsedMillis();
    if (cluster.sim().runUntil(done, BOUND)) {
      samples.add(cluster.sim().elapsedMillis() - start);
    } else {
      samples.timedOut();
    }
    cluster.sim().runFor(PAUSE);
  }
}
