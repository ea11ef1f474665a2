package io.kvstore.cli.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/** The socket workers of one phase (preload or run), each on its own thread. */
final class WorkerGroup {
  /** Room for bursts of replies when the window is large. */
  private static final int SOCKET_BUFFER_BYTES = 1 << 20;

  private final List<SocketWorker> workers = new ArrayList<>();
  private final List<WorkerStats> stats = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  /**
   * Opens the sockets and starts sending.
   *
   * @param sources the request source of socket i, given that socket's seeded random
   */
  static WorkerGroup start(
      BenchConfig config,
      byte[][] keys,
      BiFunction<Integer, SplittableRandom, RequestSource> sources,
      String name,
      long measureFromNanos,
      long endNanos)
      throws IOException {
    WorkerGroup group = new WorkerGroup();
    SplittableRandom seeds = new SplittableRandom(config.seed());
    long timeoutNanos = config.requestTimeout().toNanos();
    // Tags start from the clock so that ids differ from any earlier run's that a server may cache.
    long firstTag = System.currentTimeMillis() << 20;
    int sockets = config.effectiveSockets();
    for (int i = 0; i < sockets; i++) {
      int slots = config.window() / sockets + (i < config.window() % sockets ? 1 : 0);
      SplittableRandom random = seeds.split();
      DatagramChannel channel = openChannel(config.target());
      BenchWire wire = BenchWire.create(config, keys, random, channel, slots);
      WorkerStats workerStats = new WorkerStats(2 * timeoutNanos);
      SocketWorker worker =
          new SocketWorker(
              channel,
              wire,
              sources.apply(i, random),
              workerStats,
              slots,
              timeoutNanos,
              measureFromNanos,
              endNanos,
              firstTag);
      group.workers.add(worker);
      group.stats.add(workerStats);
      group.threads.add(new Thread(worker, name + "-" + i));
    }
    group.threads.forEach(Thread::start);
    return group;
  }

  /** A non-blocking channel connected to the target, so only its datagrams arrive. */
  static DatagramChannel openChannel(InetSocketAddress target) throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
    channel.connect(target);
    channel.configureBlocking(false);
    return channel;
  }

  /** Waits up to {@code millis} for every worker to end; true when all have. */
  boolean awaitEnd(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        thread.join(Math.max(1, left / 1_000_000));
      }
      if (thread.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /** Stops every worker and waits for them, so their counters are final. */
  void stopAndAwait() {
    workers.forEach(SocketWorker::stop);
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true; // workers stop within milliseconds; finish waiting, then re-flag
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  long replies() {
    return stats.stream().mapToLong(s -> s.progressReplies.get()).sum();
  }

  long timeouts() {
    return stats.stream().mapToLong(s -> s.progressTimeouts.get()).sum();
  }

  /** Final counters; call after the workers ended. */
  List<WorkerStats> stats() {
    return stats;
  }

  /** The first socket error that ended a worker, or null. */
  IOException failure() {
    return workers.stream()
        .map(SocketWorker::failure)
        .filter(f -> f != null)
        .findFirst()
        .orElse(null);
  }
}
