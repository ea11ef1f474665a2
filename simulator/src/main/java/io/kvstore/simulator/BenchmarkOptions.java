package io.kvstore.simulator;

import io.kvstore.node.cluster.SwimConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Command-line options of {@link SimulationBenchmark}: {@code --name value} pairs. */
record BenchmarkOptions(
    String scenario,
    List<Integer> nodes,
    List<Long> seeds,
    List<Double> losses,
    double minutes,
    double phaseMinutes,
    double starvedFraction,
    long slownessMillis,
    int joins,
    int clients,
    int crashes,
    int retransmitMult,
    double suspicionMult) {

  static final String USAGE = """
      usage: SimulationBenchmark --scenario latency|starved|traffic|walltime|kv|repair [options]
        --nodes 1000            cluster size; traffic takes a list: 100,1000,5000
        --seeds 1,2,3           one run per seed
        --loss 0.1              datagram loss probability (walltime takes a list, 0,0.1: one
                                formation, then a phase per loss, each reported)
        --minutes 10            virtual minutes (starved: run length; walltime: the first phase
                                ends this long after the start, formation included; it prints each
                                phase's last minute's bytes/node/s by message type and suspicions
                                per probe, GC time and the live heap)
        --phase-minutes 2       walltime: virtual minutes of each phase after the first (default:
                                --minutes)
        --starved 0.05          share of CPU-starved nodes (starved)
        --slowness 400          how late a starved node handles everything, ms (starved)
        --joins 5 --crashes 5   joins and crashes measured per run (latency)
        --clients 200           closed-loop clients (kv: the whole node, e.g. --nodes 50 --minutes 1)
        --retransmit-mult 4     SwimConfig's λ (default: SwimConfig.defaults())
        --suspicion-mult 2      SwimConfig's α (default: SwimConfig.defaults())
      """;

  static BenchmarkOptions parse(String[] args) {
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("options come in --name value pairs");
    }
    Map<String, String> given = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("not an option: " + args[i]);
      }
      given.put(args[i].substring(2), args[i + 1]);
    }
    String scenario = given.remove("scenario");
    if (scenario == null) {
      throw new IllegalArgumentException("--scenario is required");
    }
    BenchmarkOptions options = new BenchmarkOptions(
        scenario,
        Arrays.stream(given.getOrDefault("nodes", "1000").split(",")).map(Integer::valueOf).toList(),
        Arrays.stream(given.getOrDefault("seeds", "1,2,3").split(",")).map(Long::valueOf).toList(),
        Arrays.stream(given.getOrDefault("loss", "0").split(",")).map(Double::valueOf).toList(),
        Double.parseDouble(given.getOrDefault("minutes", "10")),
        Double.parseDouble(given.getOrDefault("phase-minutes", given.getOrDefault("minutes", "10"))),
        Double.parseDouble(given.getOrDefault("starved", "0.05")),
        Long.parseLong(given.getOrDefault("slowness", "400")),
        Integer.parseInt(given.getOrDefault("joins", "5")),
        Integer.parseInt(given.getOrDefault("clients", "200")),
        Integer.parseInt(given.getOrDefault("crashes", "5")),
        Integer.parseInt(given.getOrDefault("retransmit-mult", String.valueOf(SwimConfig.defaults().retransmitMult()))),
        Double.parseDouble(given.getOrDefault("suspicion-mult", String.valueOf(SwimConfig.defaults().suspicionMult()))));
    given.keySet().removeAll(List.of("nodes", "seeds", "loss", "minutes", "phase-minutes", "starved", "slowness", "joins", "clients", "crashes",
        "retransmit-mult", "suspicion-mult"));
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown options: " + given.keySet());
    }
    return options;
  }

  SwimConfig config() {
    SwimConfig d = SwimConfig.defaults();
    return new SwimConfig(d.probeIntervalMillis(), d.probeTimeoutMillis(), d.indirectProbes(),
        d.gossipIntervalMillis(), d.gossipFanout(), retransmitMult, suspicionMult, d.suspicionMaxMult(),
        d.maxLocalHealth(), d.pushPullIntervalMillis(), d.deadRetentionMillis(), d.gossipToTheDeadMillis(),
        d.joinRetryMaxMillis(), d.maxDatagramBytes());
  }

  /** The loss of scenarios that take one: the first given. */
  double loss() {
    return losses.get(0);
  }

  long virtualMillis() {
    return Math.round(minutes * 60_000);
  }

  /** Walltime: virtual length of each loss phase after the first. */
  long phaseMillis() {
    return Math.round(phaseMinutes * 60_000);
  }

  @Override
  public String toString() {
    return String.format("nodes=%s seeds=%s loss=%s retransmit-mult=%d suspicion-mult=%.1f", nodes, seeds, losses,
        retransmitMult, suspicionMult);
  }
}
