package io.kvstore.bench.replicated;

import io.kvstore.client.Keys;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * The load harness of bench/run-vs-hazelcast.sh: one closed-loop run against one system, the
 * same code and workload for KVStore and Hazelcast, ending with one JSON line on stdout.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.kvstore.bench.replicated.ReplicatedBench
 *     --system kvstore|hazelcast --nodes 127.0.0.1:4000,127.0.0.1:4001,127.0.0.1:4002
 *     [--window 32] [--keys 10000] [--value-size 100] [--get-fraction 0.9]
 *     [--warmup 5s] [--duration 20s] [--expect-members N] [--cluster-name kvstore-bench]
 *     [--label NAME] [--round 1]
 * </pre>
 *
 * Exit codes: 0 done, 1 the system failed (not formed, preload failed), 2 bad options.
 */
public final class ReplicatedBench {
  private static final Duration FORM_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration PRELOAD_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
  private static final int VALUE_POOL = 16;

  private ReplicatedBench() {}

  /** Everything one run needs, checked before anything connects. */
  record Options(
      String system,
      List<InetSocketAddress> nodes,
      int expectMembers,
      String clusterName,
      Workload workload,
      String label,
      int round) {

    static Options parse(String[] argv) {
      Args args = Args.parse(argv);
      String system = args.text("--system", null);
      if (!system.equals("kvstore") && !system.equals("hazelcast")) {
        throw new IllegalArgumentException("--system must be kvstore or hazelcast, got " + system);
      }
      List<InetSocketAddress> nodes = args.addresses("--nodes", null);
      int expect = args.integer("--expect-members", nodes.size(), 1, 1000);
      String clusterName = args.text("--cluster-name", "kvstore-bench");
      Workload workload =
          new Workload(
              args.integer("--window", 32, 1, Workload.MAX_WINDOW),
              args.integer("--keys", 10_000, 1, Workload.MAX_KEYS),
              args.integer("--value-size", 100, 1, Workload.MAX_VALUE_SIZE),
              args.fraction("--get-fraction", 0.9),
              args.duration("--warmup", "5s", Duration.ZERO, Workload.MAX_DURATION),
              args.duration("--duration", "20s", Duration.ofMillis(100), Workload.MAX_DURATION),
              DRAIN_TIMEOUT,
              Workload.DEFAULT_MAX_REQUESTS);
      String label = args.text("--label", system);
      if (!label.matches("[A-Za-z0-9._=-]{1,64}")) {
        throw new IllegalArgumentException(
            "--label takes 1-64 letters, digits and . _ = -, got '" + label + "'");
      }
      int round = args.integer("--round", 1, 1, 10_000);
      args.requireAllUsed();
      return new Options(system, nodes, expect, clusterName, workload, label, round);
    }
  }

  public static void main(String[] argv) {
    Options options;
    try {
      options = Options.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("replicated-bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      System.out.println(run(options));
    } catch (IllegalStateException e) {
      System.err.println("replicated-bench: " + e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      System.err.println("replicated-bench: interrupted");
      System.exit(1);
    }
    System.exit(0); // client threads of either system must not keep the JVM up
  }

  static String run(Options options) throws InterruptedException {
    Workload workload = options.workload();
    byte[][] keys = keys(workload.keyCount());
    byte[][] values = values(workload.valueSize());
    try (KvBackend backend = open(options)) {
      Duration preload = Preload.run(backend, keys, values, workload.window(), PRELOAD_TIMEOUT);
      System.err.printf(
          "replicated-bench: %s preloaded %,d keys in %d ms%n",
          backend.system(), keys.length, preload.toMillis());
      LoadResult result = new ClosedLoop(backend, workload, keys, values).run();
      return result.toJson(options.label(), options.round(), options.nodes().size());
    }
  }

  private static KvBackend open(Options o) throws InterruptedException {
    if (o.system().equals("kvstore")) {
      return KvStoreBackend.open(
          o.nodes(), o.workload().window() + 64, o.expectMembers(), FORM_TIMEOUT);
    }
    return HazelcastBackend.open(o.nodes(), o.clusterName(), o.expectMembers(), FORM_TIMEOUT);
  }

  /** The same keys for every system: SHA-256 of "key-0", "key-1", ... */
  static byte[][] keys(int count) {
    byte[][] keys = new byte[count][];
    for (int i = 0; i < count; i++) {
      keys[i] = Keys.sha256("key-" + i);
    }
    return keys;
  }

  /** A few random values of the given size, seeded so that every run writes the same bytes. */
  static byte[][] values(int size) {
    Random random = new Random(42);
    byte[][] values = new byte[VALUE_POOL][size];
    for (byte[] value : values) {
      random.nextBytes(value);
    }
    return values;
  }
}
