package io.kvstore.simulator;

import java.io.PrintStream;
import java.time.Duration;

/**
 * (e) The whole key-value cluster in the simulator: N nodes (request pipeline, membership, status
 * gossip, memory storage) and closed-loop clients for a number of virtual minutes; reports
 * simulated client requests per wall-clock second (formation not counted).
 */
final class KvThroughputScenario implements Scenario {
  private static final long THINK_MILLIS = 10;

  @Override
  public void run(BenchmarkOptions options, PrintStream out) {
    for (int nodes : options.nodes()) {
      for (long seed : options.seeds()) {
        long start = System.nanoTime();
        KvCluster cluster = KvCluster.formed(seed, nodes, options.clients(), KvCluster.Settings.defaults(),
            FORMATION_BOUND);
        double formedWall = (System.nanoTime() - start) / 1e9;
        cluster.network().setLoss(options.loss());
        KvWorkload workload = new KvWorkload(cluster, THINK_MILLIS);
        long events = cluster.sim().eventsRun();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuBegin = threads.getCurrentThreadCpuTime();
        long begin = System.nanoTime();
        workload.start();
        cluster.sim().runFor(Duration.ofMillis(options.virtualMillis()));
        double wall = (System.nanoTime() - begin) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuBegin) / 1e9;
        long requests = workload.completed();
        long timedOut = cluster.history().stream().filter(Operation::timedOut).count();
        out.printf("  N=%d clients=%d seed=%d  %d requests (%d timed out) in %.0f virtual s, %.1f s wall: "
                + "%.0f requests per wall-second (%.0f per CPU-second of the simulation thread), %.0f per virtual "
                + "second; %.2f M events/s (formation %.1f s wall)%n",
            nodes, options.clients(), seed, requests, timedOut, options.virtualMillis() / 1000.0, wall,
            requests / wall, requests / cpu, requests * 1000.0 / options.virtualMillis(),
            (cluster.sim().eventsRun() - events) / wall / 1e6, formedWall);
      }
    }
  }
}
