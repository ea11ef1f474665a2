package io.kvstore.simulator;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * (d) Wall time of simulating N nodes for a number of virtual minutes, formation included, with
 * what the simulated nodes sent per node and virtual second at steady state (the last minute) and
 * what the simulation cost the JVM: time in garbage collection and the live heap (after a full
 * collection) once formed and at the end.
 */
final class WallTimeScenario implements Scenario {
  /** Traffic is counted over the run's last minute: after formation, gossip first spreads it. */
  static final Duration TRAFFIC_WINDOW = Duration.ofMinutes(1);
  private static final long PROGRESS_NANOS = 30_000_000_000L;

  /**
   * @param formationMillis virtual time from the start until every node saw every other alive
   * @param trafficWindowMillis virtual time over which {@code traffic} was counted
   * @param gcMillis time the JVM spent collecting during the run (the full collections that
   *     measure the live heap excluded, from the wall time too)
   */
  record Result(long formationMillis, double formationWallSeconds, long virtualMillis, double wallSeconds,
      long events, long trace, long trafficWindowMillis, TrafficRates traffic, long gcCount, long gcMillis,
      long liveHeapFormedBytes, long liveHeapEndBytes) {}

  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (int nodes : options.nodes()) {
      for (long seed : options.seeds()) {
        Result r = measure(seed, nodes, options, out);
        out.printf("  N=%d seed=%d  %.1f virtual min in %.1f s wall (formation: %d virtual ms in %.1f s wall); "
                + "%d events, %.2f M events/s; trace %016x%n",
            nodes, seed, r.virtualMillis() / 60_000.0, r.wallSeconds(), r.formationMillis(),
            r.formationWallSeconds(), r.events(), r.events() / r.wallSeconds() / 1e6, r.trace());
        out.printf("    traffic over the last %d virtual s: %s%n", r.trafficWindowMillis() / 1000, r.traffic());
        out.printf("    GC: %d collections, %.1f s (%.1f%% of wall); live heap %.0f MB formed, %.0f MB at the end%n",
            r.gcCount(), r.gcMillis() / 1000.0, 100.0 * r.gcMillis() / (r.wallSeconds() * 1000),
            r.liveHeapFormedBytes() / 1e6, r.liveHeapEndBytes() / 1e6);
      }
    }
  }

  static Result measure(long seed, int nodes, BenchmarkOptions options, PrintStream progress) {
    long[] gcAtStart = gcTotals();
    long start = System.nanoTime();
    SimCluster cluster = formed(seed, nodes, options, progress);
    long formedAt = cluster.sim().elapsedMillis();
    long formedWallNanos = System.nanoTime() - start;
    long[] gcFormed = gcTotals();
    long liveFormed = liveHeapBytes();
    long[] gcResumed = gcTotals();
    long resumed = System.nanoTime();

    long end = Math.max(formedAt, options.virtualMillis());
    long windowStart = Math.max(formedAt, end - TRAFFIC_WINDOW.toMillis());
    cluster.sim().runFor(Duration.ofMillis(windowStart - formedAt));
    TrafficRates.Totals before = TrafficRates.Totals.of(cluster);
    cluster.sim().runFor(Duration.ofMillis(end - windowStart));
    TrafficRates traffic = TrafficRates.between(before, TrafficRates.Totals.of(cluster));
    long[] gcEnd = gcTotals();
    double wall = (formedWallNanos + System.nanoTime() - resumed) / 1e9;
    long liveEnd = liveHeapBytes();

    return new Result(formedAt, formedWallNanos / 1e9, cluster.sim().elapsedMillis(), wall,
        cluster.sim().eventsRun(), cluster.network().trace().hash(), end - windowStart, traffic,
        gcFormed[0] - gcAtStart[0] + gcEnd[0] - gcResumed[0], gcFormed[1] - gcAtStart[1] + gcEnd[1] - gcResumed[1],
        liveFormed, liveEnd);
  }

  /** As {@link Scenario#formed}, printing how far formation got every 30 s of wall time. */
  private static SimCluster formed(long seed, int nodes, BenchmarkOptions options, PrintStream progress) {
    SimCluster cluster = new SimCluster(seed, options.config());
    List<SimNode> all = cluster.addNodes(nodes);
    cluster.startThrough(all.get(0), all);
    long[] nextPrint = {System.nanoTime() + PROGRESS_NANOS};
    BooleanSupplier converged = () -> {
      if (System.nanoTime() > nextPrint[0]) {
        nextPrint[0] += PROGRESS_NANOS;
        progress.printf("    forming: %.1f virtual s, %.1f%% of views alive, %d events%n",
            cluster.sim().elapsedMillis() / 1000.0, 100 * cluster.views().aliveShare(), cluster.sim().eventsRun());
      }
      return cluster.views().isConverged();
    };
    if (!cluster.sim().runUntil(converged, FORMATION_BOUND)) {
      throw new IllegalStateException(nodes + " nodes did not all see each other alive within " + FORMATION_BOUND);
    }
    cluster.network().setLoss(options.loss());
    return cluster;
  }

  /** Collections and milliseconds collecting so far, over every collector. */
  private static long[] gcTotals() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /** Heap in use right after a full collection: what the simulation holds live. */
  private static long liveHeapBytes() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
