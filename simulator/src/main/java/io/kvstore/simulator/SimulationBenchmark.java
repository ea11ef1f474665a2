package io.kvstore.simulator;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Membership figures from the simulator (a program, not a test): join and crash latency,
 * false positives under loss and CPU starvation, traffic per node, the simulator's own speed, and
 * the whole key-value cluster's simulated requests per wall-second, and anti-entropy's repair of
 * a replica that missed 100,000 writes.
 * Run with {@code --scenario latency|starved|traffic|walltime|kv|repair}; see {@link BenchmarkOptions}.
 */
public final class SimulationBenchmark {
  private static final Map<String, Scenario> SCENARIOS = Map.of(
      "latency", new LatencyScenario(),
      "starved", new StarvationScenario(),
      "traffic", new TrafficScenario(),
      "walltime", new WallTimeScenario(),
      "kv", new KvThroughputScenario(),
      "repair", new RepairScenario());

  private SimulationBenchmark() {}

  public static void main(String[] args) {
    BenchmarkOptions options;
    try {
      options = BenchmarkOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(BenchmarkOptions.USAGE);
      System.exit(2);
      return;
    }
    Scenario scenario = SCENARIOS.get(options.scenario());
    if (scenario == null) {
      System.err.println("unknown scenario: " + options.scenario());
      System.err.print(BenchmarkOptions.USAGE);
      System.exit(2);
      return;
    }
    long start = System.nanoTime();
    System.out.println("scenario " + options.scenario() + ": " + options);
    scenario.run(options, System.out);
    // The simulation runs on this thread: its CPU time is the work, however loaded the machine.
    System.out.printf("total wall time %.1f s, simulation thread CPU %.1f s%n", (System.nanoTime() - start) / 1e9,
        ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
  }
}
