package io.kvstore.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits for a local cluster to form: as long as its size needs (a loaded machine starts 50 JVMs
 * slowly), printing progress whenever another node joins, and on failure naming the nodes that are
 * missing and why. Stops early only when every node has either joined or exited.
 */
final class ClusterFormation {
  static final Duration BASE_WAIT = Duration.ofSeconds(30);
  static final Duration WAIT_PER_NODE = Duration.ofSeconds(3);
  private static final long POLL_MILLIS = 500;

  /** Sleeps between polls (tests pass one that advances a fake clock). */
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final int nodes;
  private final int basePort;
  private final Supplier<Set<Integer>> joinedPorts;
  private final IntFunction<String> exitOf;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final PrintStream out;
  private String failure;

  /**
   * @param joinedPorts ports of the live members in the first node's view (empty if it cannot be
   *     asked)
   * @param exitOf for node index 1..N: null while its process runs, else how it ended
   */
  ClusterFormation(
      int nodes, int basePort, Supplier<Set<Integer>> joinedPorts, IntFunction<String> exitOf,
      LongSupplier nanoTime, Sleeper sleeper, PrintStream out) {
    this.nodes = nodes;
    this.basePort = basePort;
    this.joinedPorts = joinedPorts;
    this.exitOf = exitOf;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.out = out;
  }

  /** How long a cluster of {@code nodes} may take to form before it is declared failed. */
  static Duration deadlineFor(int nodes) {
    return BASE_WAIT.plus(WAIT_PER_NODE.multipliedBy(nodes));
  }

  /** True once every node is in the first node's view; false (see {@link #failure()}) if not. */
  boolean await() throws InterruptedException {
    Duration limit = deadlineFor(nodes);
    long start = nanoTime.getAsLong();
    int shown = -1;
    while (true) {
      Set<Integer> joined = joinedPorts.get();
      int count = countJoined(joined);
      if (count != shown) {
        out.printf("%d of %d nodes joined%s%n", count, nodes, count == nodes ? "" : "...");
        shown = count;
      }
      if (count == nodes) {
        return true;
      }
      List<String> missing = missing(joined);
      long waited = nanoTime.getAsLong() - start;
      boolean nothingToWaitFor = missing.stream().allMatch(m -> m.contains("exited"));
      if (waited >= limit.toNanos() || nothingToWaitFor) {
        failure =
            String.format(
                "the cluster has %d of %d nodes after %d s (the wait for %d nodes is %d s); missing: %s",
                count, nodes, Duration.ofNanos(waited).toSeconds(), nodes, limit.toSeconds(),
                String.join(", ", missing));
        return false;
      }
      sleeper.sleep(POLL_MILLIS);
    }
  }

  String failure() {
    return failure;
  }

  private int countJoined(Set<Integer> joined) {
    int count = 0;
    for (int i = 1; i <= nodes; i++) {
      if (joined.contains(basePort + i - 1)) {
        count++;
      }
    }
    return count;
  }

  private List<String> missing(Set<Integer> joined) {
    List<String> missing = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      int port = basePort + i - 1;
      if (!joined.contains(port)) {
        String exit = exitOf.apply(i);
        missing.add("node-" + i + " (127.0.0.1:" + port + ", " + (exit == null ? "running, not yet in node-1's view" : exit) + ")");
      }
    }
    return missing;
  }
}
