package io.kvstore.cli.it;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Process-level faults for the node JVMs of a {@link NodeCluster}, one node at a time: kill -9 and
 * restart on the same data directory and port, SIGSTOP/SIGCONT pauses, and (with a {@link
 * LoopbackPartition}) the partition of one node from all the others. {@link #heal()} undoes
 * whatever is in force; it is safe to call at any point, also from a finally block.
 */
final class FaultInjector {
  enum Kind { KILL_RESTART, PAUSE, PARTITION }

  /** One fault: what, on which node (1-based, as in the logs), for how long. */
  record Fault(Kind kind, int node, long millis) {
    @Override
    public String toString() {
      return kind + " node " + node + " for " + millis + " ms";
    }
  }

  private final NodeCluster cluster;
  private final LoopbackPartition partition;
  private final Random random;
  private final Map<Kind, Integer> injected = new EnumMap<>(Kind.class);
  private final List<String> log = new ArrayList<>();
  private NodeProcess paused;
  private NodeProcess killed;
  private boolean partitioned;
  private long lastDropped;
  private long droppedDatagrams;

  /** {@code partition} may be null: then no partitions are injected. */
  FaultInjector(NodeCluster cluster, LoopbackPartition partition, long seed) {
    this.cluster = cluster;
    this.partition = partition;
    this.random = new Random(seed);
  }

  List<Kind> kinds() {
    return partition == null
        ? List.of(Kind.KILL_RESTART, Kind.PAUSE)
        : List.of(Kind.KILL_RESTART, Kind.PAUSE, Kind.PARTITION);
  }

  /** A random fault lasting 1 to {@code maxMillis} ms. */
  Fault randomFault(long maxMillis) {
    List<Kind> kinds = kinds();
    return new Fault(
        kinds.get(random.nextInt(kinds.size())),
        1 + random.nextInt(cluster.size()),
        1000 + (long) (random.nextDouble() * Math.max(0, maxMillis - 1000)));
  }

  /** Injects {@code fault} ({@link #begin}), holds it for its duration, then heals it ({@link #end}). */
  void inject(Fault fault) throws Exception {
    long start = System.nanoTime();
    begin(fault);
    long held = fault.millis() - (System.nanoTime() - start) / 1_000_000;
    TimeUnit.MILLISECONDS.sleep(Math.max(0, held));
    end(fault);
    // Times on System.nanoTime in ms, the History's clock, so a violation can be placed in it.
    log.add(String.format("%s: from %.3f to %.3f ms%s", fault, start / 1e6, System.nanoTime() / 1e6,
        fault.kind() == Kind.PARTITION ? ", " + lastDropped + " datagrams dropped" : ""));
  }

  /**
   * Injects {@code fault} and checks that it took effect: a killed JVM is gone; a paused node
   * leaves IS_ALIVE unanswered; a partitioned node still answers clients.
   */
  void begin(Fault fault) throws Exception {
    NodeProcess node = cluster.node(fault.node() - 1);
    switch (fault.kind()) {
      case KILL_RESTART -> {
        killed = node;
        node.kill();
        check(!node.isAlive(), fault, "the JVM still runs after kill -9");
      }
      case PAUSE -> {
        signal(node, "STOP");
        paused = node;
        awaitStopped(node);
        check(!answersIsAlive(node), fault, "a stopped node answered IS_ALIVE");
      }
      case PARTITION -> {
        List<Integer> others = new ArrayList<>(cluster.ports());
        others.remove(Integer.valueOf(node.port));
        partitioned = true;
        partition.isolate(node.port, others);
        check(answersIsAlive(node), fault, "a partitioned node no longer answers clients");
      }
    }
    injected.merge(fault.kind(), 1, Integer::sum);
  }

  /**
   * Heals {@code fault} (begun before) and checks that it had cut something: a partition's rules
   * dropped node-to-node datagrams; a resumed or restarted node answers IS_ALIVE.
   */
  void end(Fault fault) throws Exception {
    heal();
    if (fault.kind() == Kind.PARTITION) {
      check(lastDropped > 0, fault, "the partition's rules dropped no datagram");
    } else {
      check(answersIsAlive(cluster.node(fault.node() - 1)), fault, "the node does not answer again");
    }
  }

  /** Undoes every fault in force: resumes a paused node, restarts a killed one, drops partitions. */
  void heal() throws Exception {
    if (paused != null) {
      signal(paused, "CONT");
      paused = null;
    }
    if (partitioned) {
      partitioned = false;
      lastDropped = partition.heal();
      droppedDatagrams += lastDropped;
    }
    if (killed != null) {
      NodeProcess n = killed;
      killed = null;
      n.launch();
    }
  }

  private static void check(boolean tookEffect, Fault fault, String otherwise) {
    if (!tookEffect) {
      throw new AssertionError(fault + ": " + otherwise);
    }
  }

  private static boolean answersIsAlive(NodeProcess node) throws IOException {
    try (RawUdp udp = new RawUdp(node.port, 250)) {
      byte[] reply = udp.requestOrNull(RawUdp.request(RawUdp.newId(), 0x06, null, null));
      return reply != null && reply[16] == 0;
    }
  }

  /** Node-to-node datagrams the partitions dropped, all together. */
  long droppedDatagrams() {
    return droppedDatagrams;
  }

  Map<Kind, Integer> injected() {
    return injected;
  }

  int total() {
    return injected.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** What was injected, in order, for the test's output. */
  List<String> log() {
    return log;
  }

  /**
   * Waits until every thread of {@code node}'s JVM is stopped (state T in /proc): kill returns
   * when the signal is sent, and a busy thread may still answer a datagram before it stops.
   */
  private static void awaitStopped(NodeProcess node) throws IOException, InterruptedException {
    Path tasks = Path.of("/proc", Long.toString(node.pid()), "task");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      boolean all = true;
      try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
        for (Path t : threads) {
          String stat = Files.readString(t.resolve("stat"));
          char state = stat.charAt(stat.lastIndexOf(')') + 2);
          all &= state == 'T' || state == 't';
        }
      } catch (NoSuchFileException threadEnded) {
        all = false;
      }
      if (all) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    throw new AssertionError("node on port " + node.port + " did not stop within 5 s of SIGSTOP");
  }

  /** Sends SIGSTOP or SIGCONT to a node this test started (by its pid, never by name). */
  static void signal(NodeProcess node, String signal) throws IOException, InterruptedException {
    if (!node.isAlive()) {
      throw new IllegalStateException("node on port " + node.port + " is not running");
    }
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid()))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + node.pid() + " failed: "
          + new String(kill.getInputStream().readAllBytes()));
    }
  }
}
