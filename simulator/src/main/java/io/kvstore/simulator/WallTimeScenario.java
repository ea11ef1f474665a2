package io.kvstore.simulator;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import io.kvstore.node.cluster.SwimStats;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * (d) Wall time of simulating N nodes for a number of virtual minutes, formation included, with
 * what the simulated nodes sent per node and virtual second at steady state (the last minute of
 * each loss rate given: one formation serves them all) and what the simulation cost the JVM: time
 * in garbage collection and the live heap (after a full collection) once formed and at the end.
 */
final class WallTimeScenario implements Scenario {
  /** Traffic is counted over the run's last minute: after formation, gossip first spreads it. */
  static final Duration TRAFFIC_WINDOW = Duration.ofMinutes(1);
  private static final long PROGRESS_NANOS = 30_000_000_000L;

  /**
   * @param formationMillis virtual time from the start until every node saw every other alive
   * @param formationEvents simulator events until then
   * @param formation what admission did until then, summed over the nodes
   * @param phases one per loss given, in order: the first ends at the run's virtual length (as
   *     before there were phases), each later one {@code --phase-minutes} after the previous one
   * @param gcMillis time the JVM spent collecting during the run (the full collections that
   *     measure the live heap excluded, from the wall time too)
   */
  record Result(long formationMillis, double formationWallSeconds, long formationEvents, Counters formation,
      long virtualMillis, double wallSeconds, long events, long trace, List<Phase> phases, long gcCount,
      long gcMillis, long liveHeapFormedBytes, long liveHeapEndBytes) {
    /** The last phase's traffic window. */
    long trafficWindowMillis() {
      return phases.get(phases.size() - 1).windowMillis();
    }

    /** The last phase's traffic. */
    TrafficRates traffic() {
      return phases.get(phases.size() - 1).traffic();
    }
  }

  /**
   * One loss rate's steady state, counted over its last minute: traffic, and how often a probe of
   * a healthy member (no node fails in this scenario) ended in a suspicion.
   */
  record Phase(double loss, long windowMillis, TrafficRates traffic, Counters counters) {
    /** Suspicions raised per probe sent: all false, as every node is up. */
    double suspicionsPerProbe() {
      return counters.probes() == 0 ? 0 : (double) counters.suspicionsRaised() / counters.probes();
    }
  }

  /** Membership counters summed over every node (differences between two moments). */
  record Counters(long probes, long failedProbes, long suspicionsRaised, long refutations, long declaredDead,
      long admissionProbes, long admissionsRateLimited, long pendingFull) {
    static Counters of(SimCluster cluster) {
      long[] c = new long[8];
      for (SimNode node : cluster.nodes()) {
        SwimStats s = node.membership().stats();
        c[0] += s.probes();
        c[1] += s.failedProbes();
        c[2] += s.suspicionsRaised();
        c[3] += s.refutations();
        c[4] += s.declaredDead();
        c[5] += s.admissionProbes();
        c[6] += s.admissionsRateLimited();
        c[7] += s.pendingFull();
      }
      return new Counters(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
    }

    Counters minus(Counters o) {
      return new Counters(probes - o.probes, failedProbes - o.failedProbes, suspicionsRaised - o.suspicionsRaised,
          refutations - o.refutations, declaredDead - o.declaredDead, admissionProbes - o.admissionProbes,
          admissionsRateLimited - o.admissionsRateLimited, pendingFull - o.pendingFull);
    }
  }

  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (int nodes : options.nodes()) {
      for (long seed : options.seeds()) {
        Result r = measure(seed, nodes, options, out);
        out.printf("  N=%d seed=%d  %.1f virtual min in %.1f s wall (formation: %d virtual ms in %.1f s wall, "
                + "%d events); %d events, %.2f M events/s; trace %016x%n",
            nodes, seed, r.virtualMillis() / 60_000.0, r.wallSeconds(), r.formationMillis(),
            r.formationWallSeconds(), r.formationEvents(), r.events(), r.events() / r.wallSeconds() / 1e6, r.trace());
        Counters f = r.formation();
        out.printf("    formation: %d admission probes (%.2f per node pair), %d offers over the rate, %d with the "
                + "pending table full%n",
            f.admissionProbes(), f.admissionProbes() / ((double) nodes * (nodes - 1)), f.admissionsRateLimited(),
            f.pendingFull());
        for (Phase p : r.phases()) {
          Counters c = p.counters();
          out.printf("    loss %.2f, traffic over the last %d virtual s: %s%n", p.loss(), p.windowMillis() / 1000,
              p.traffic());
          out.printf("      %d probes, %d failed, %d suspicions raised (%.4f%% of probes), %d refutations, "
                  + "%d declared dead%n",
              c.probes(), c.failedProbes(), c.suspicionsRaised(), 100 * p.suspicionsPerProbe(), c.refutations(),
              c.declaredDead());
        }
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
    long formationEvents = cluster.sim().eventsRun();
    Counters formation = Counters.of(cluster);
    long[] gcFormed = gcTotals();
    long liveFormed = liveHeapBytes();
    progress.printf("    formed: %d virtual ms, %.1f s wall, %d events, live heap %.0f MB%n", formedAt,
        formedWallNanos / 1e9, formationEvents, liveFormed / 1e6);
    long[] gcResumed = gcTotals();
    long resumed = System.nanoTime();

    List<Phase> phases = new ArrayList<>();
    long end = Math.max(formedAt, options.virtualMillis());
    for (double loss : options.losses()) {
      cluster.network().setLoss(loss);
      long phaseStart = cluster.sim().elapsedMillis();
      long windowStart = Math.max(phaseStart, end - TRAFFIC_WINDOW.toMillis());
      cluster.sim().runFor(Duration.ofMillis(windowStart - phaseStart));
      TrafficRates.Totals before = TrafficRates.Totals.of(cluster);
      Counters countersBefore = Counters.of(cluster);
      cluster.sim().runFor(Duration.ofMillis(end - windowStart));
      Phase phase = new Phase(loss, end - windowStart, TrafficRates.between(before, TrafficRates.Totals.of(cluster)),
          Counters.of(cluster).minus(countersBefore));
      phases.add(phase);
      progress.printf("    loss %.2f to %.1f virtual s: %s, %.4f%% of probes suspected%n", loss, end / 1000.0,
          phase.traffic(), 100 * phase.suspicionsPerProbe());
      end += options.phaseMillis();
    }
    long[] gcEnd = gcTotals();
    double wall = (formedWallNanos + System.nanoTime() - resumed) / 1e9;
    long liveEnd = liveHeapBytes();

    return new Result(formedAt, formedWallNanos / 1e9, formationEvents, formation, cluster.sim().elapsedMillis(),
        wall, cluster.sim().eventsRun(), cluster.network().trace().hash(), phases,
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
