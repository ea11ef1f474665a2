package io.kvstore.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * (b) Loss plus CPU-starved nodes for a long time: how many healthy nodes get declared dead
 * (the target is none), and how many starved ones.
 */
final class StarvationScenario implements Scenario {
  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (int nodes : options.nodes()) {
      for (long seed : options.seeds()) {
        SimCluster cluster = Scenario.formed(seed, nodes, options);
        Set<SimNode> starved = starve(cluster, options);
        cluster.sim().runFor(Duration.ofMillis(options.virtualMillis()));

        List<ViewTracker.Verdict> verdicts = cluster.views().wrongVerdicts();
        Set<String> starvedIds = new HashSet<>();
        starved.forEach(n -> starvedIds.add(n.id().value()));
        long aboutStarved = verdicts.stream().filter(v -> starvedIds.contains(v.subject().value())).count();
        long healthySubjects = verdicts.stream().map(v -> v.subject().value())
            .filter(id -> !starvedIds.contains(id)).distinct().count();
        out.printf("  N=%d seed=%d  %d starved by %d ms for %.0f min: healthy nodes declared dead: %d "
                + "(%d verdicts); verdicts about starved nodes: %d%n",
            nodes, seed, starved.size(), options.slownessMillis(), options.minutes(), healthySubjects,
            verdicts.size() - aboutStarved, aboutStarved);
      }
    }
  }

  private static Set<SimNode> starve(SimCluster cluster, BenchmarkOptions options) {
    List<SimNode> candidates = new ArrayList<>(cluster.nodes());
    Collections.shuffle(candidates, new Random(cluster.sim().random(CHOICE_STREAM).nextLong()));
    int count = (int) Math.round(options.starvedFraction() * candidates.size());
    Set<SimNode> starved = new HashSet<>(candidates.subList(0, count));
    starved.forEach(n -> n.setSlowness(options.slownessMillis()));
    return starved;
  }
}
