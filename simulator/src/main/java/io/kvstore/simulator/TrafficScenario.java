package io.kvstore.simulator;

import io.kvstore.node.cluster.SwimCodec;
import java.io.PrintStream;
import java.time.Duration;

/**
 * (c) Bytes each node sends per second at steady state. The window is one full push-pull cycle
 * for the cluster size, so the O(N) full-state exchanges are counted exactly once per node.
 */
final class TrafficScenario implements Scenario {
  /** Past the first push-pull exchanges, which come 30-60 s after start whatever the size. */
  private static final Duration WARM_UP = Duration.ofMinutes(2);

  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (int nodes : options.nodes()) {
      for (long seed : options.seeds()) {
        SimCluster cluster = Scenario.formed(seed, nodes, options);
        cluster.sim().runFor(WARM_UP);
        Duration window = Duration.ofMillis(options.config().pushPullIntervalMillis(nodes));
        Totals before = Totals.of(cluster);
        cluster.sim().runFor(window);
        Totals after = Totals.of(cluster);

        double perNodeSecond = nodes * (window.toMillis() / 1000.0);
        out.printf("  N=%d seed=%d over %d s: %.0f bytes/node/s (push-pull %.0f), %.2f datagrams/node/s%n",
            nodes, seed, window.toSeconds(), (after.bytes - before.bytes) / perNodeSecond,
            (after.pushPullBytes - before.pushPullBytes) / perNodeSecond,
            (after.datagrams - before.datagrams) / perNodeSecond);
      }
    }
  }

  private record Totals(long bytes, long datagrams, long pushPullBytes) {
    static Totals of(SimCluster cluster) {
      long bytes = 0;
      long datagrams = 0;
      long pushPull = 0;
      for (SimNode node : cluster.nodes()) {
        bytes += node.traffic().bytes();
        datagrams += node.traffic().datagrams();
        pushPull += node.traffic().bytes(SwimCodec.PUSH_PULL);
      }
      return new Totals(bytes, datagrams, pushPull);
    }
  }
}
