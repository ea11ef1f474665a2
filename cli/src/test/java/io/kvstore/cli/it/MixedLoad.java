package io.kvstore.cli.it;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.KvResult;
import io.kvstore.history.History;
import io.kvstore.history.Kind;
import io.kvstore.history.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A mixed client load on a {@link NodeCluster}, every operation recorded into a {@link History}:
 * several threads, each with the project's {@link KvClient} to every node, send PUT (a unique
 * value each), GET and REMOVE to a random node, half of them on a few hot keys (so that writes
 * race) and half on many cold ones. Paced, so that it stays bounded in rate as well as in time.
 */
final class MixedLoad implements AutoCloseable {
  /** Reply-code classes counted for the output; -1 (no reply) is a timeout. */
  private static final int TIMEOUT = 256;

  private final NodeCluster cluster;
  private final History history;
  private final int threads;
  private final int hotKeys;
  private final int coldKeys;
  private final long pauseMicros;
  private final long seed;
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicLongArray codes = new AtomicLongArray(TIMEOUT + 1);

  /**
   * @param opsPerSecond the whole load's target rate (each thread sleeps between operations)
   */
  MixedLoad(NodeCluster cluster, History history, int threads, int hotKeys, int coldKeys,
      int opsPerSecond, long seed) {
    this.cluster = cluster;
    this.history = history;
    this.threads = threads;
    this.hotKeys = hotKeys;
    this.coldKeys = coldKeys;
    this.pauseMicros = 1_000_000L * threads / opsPerSecond;
    this.seed = seed;
  }

  static byte[] key(int index) {
    return RawUdp.key("chaos-key-" + index);
  }

  int keyCount() {
    return hotKeys + coldKeys;
  }

  void start() {
    running.set(true);
    for (int t = 0; t < threads; t++) {
      int process = t;
      Thread w = new Thread(() -> run(process), "load-" + t);
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
  }

  private void run(int process) {
    Random random = new Random(seed * 31 + process);
    List<KvClient> clients = new ArrayList<>();
    try {
      for (NodeProcess n : cluster.nodes()) {
        // 2 retries with doubling waits: 150 + 300 + 600 ms before a request times out, so that a
        // thread that picked a dead node soon moves on.
        clients.add(NodeCluster.client(n, Duration.ofMillis(150), 2));
      }
      while (running.get()) {
        KvClient client = clients.get(random.nextInt(clients.size()));
        int k = random.nextBoolean() ? random.nextInt(hotKeys) : hotKeys + random.nextInt(coldKeys);
        int dice = random.nextInt(100);
        Kind kind = dice < 40 ? Kind.PUT : dice < 85 ? Kind.GET : Kind.REMOVE;
        execute(process, client, kind, key(k));
        TimeUnit.MICROSECONDS.sleep(pauseMicros);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      clients.forEach(KvClient::close);
    }
  }

  /** Runs one operation through {@code client} and records it; returns the reply code (-1: none). */
  int execute(int process, KvClient client, Kind kind, byte[] key) {
    int code = recorded(history, process, client, kind, key);
    codes.incrementAndGet(code < 0 ? TIMEOUT : code);
    return code;
  }

  /**
   * Runs one operation (a PUT writes a unique value) through {@code client}, recorded into
   * {@code history}; returns the reply code (-1: no reply).
   */
  static int recorded(History history, int process, KvClient client, Kind kind, byte[] key) {
    byte[] value = kind == Kind.PUT ? history.uniqueValue("p" + process) : null;
    long op = history.invoke(process, kind, key, value);
    int code;
    byte[] read = null;
    try {
      KvResult r = switch (kind) {
        case PUT -> client.blocking().put(key, value);
        case GET -> client.blocking().get(key);
        case REMOVE -> client.blocking().remove(key);
      };
      code = r.code();
      read = r.value();
    } catch (KvException timeoutOrOverload) {
      code = -1;
    }
    history.complete(op, Outcome.ofReply(kind, code), read);
    return code;
  }

  /** Stops the threads and waits for their last operations to complete. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  /** Replies by code so far, e.g. {@code 0x00=1200 0x01=300 timeout=12}. */
  String replySummary() {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c <= TIMEOUT; c++) {
      long n = codes.get(c);
      if (n > 0) {
        b.append(b.isEmpty() ? "" : " ")
            .append(c == TIMEOUT ? "timeout" : String.format("0x%02X", c)).append('=').append(n);
      }
    }
    return b.toString();
  }
}
