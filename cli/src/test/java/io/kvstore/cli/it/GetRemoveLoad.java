package io.kvstore.cli.it;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvException;
import io.kvstore.client.KvResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GET/REMOVE load over keys PREFIX0..PREFIX(n-1), each holding "value-i" at the start, whose
 * every answer is known in advance: each thread owns the keys i with i mod threads = thread, so it
 * knows which it has removed. A GET of a present key must return its value, a REMOVE of a present
 * key must succeed, and a GET of a removed key must answer 0x01; anything else (other codes,
 * timeouts, wrong values) is a failure, counted on the side of {@link #mark()} where it was sent.
 */
final class GetRemoveLoad implements AutoCloseable {
  /** Operations and failures by kind on one side of the mark. */
  record Tally(long operations, Map<String, Long> failed) {
    long failures() {
      return failed.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
      return operations + " operations, " + failures() + " failed " + failed;
    }
  }

  static final byte PRESENT = 0;
  static final byte REMOVED = 1;
  static final byte UNCERTAIN = 2;

  private final List<NodeProcess> nodes;
  private final String prefix;
  private final int keys;
  /** Per key, written only by the thread that owns it; read by others after {@link #close()}. */
  private final byte[] state;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean marked = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong[] operations = {new AtomicLong(), new AtomicLong()};
  private final List<Map<String, Long>> failures =
      List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());

  /** One thread per node in {@code nodes}, each talking to its node only. */
  GetRemoveLoad(List<NodeProcess> nodes, String prefix, int keys) {
    this.nodes = List.copyOf(nodes);
    this.prefix = prefix;
    this.keys = keys;
    this.state = new byte[keys];
  }

  void start() {
    running.set(true);
    for (int t = 0; t < nodes.size(); t++) {
      int thread = t;
      Thread w = new Thread(() -> run(thread), "get-remove-" + t);
      w.setDaemon(true);
      threads.add(w);
      w.start();
    }
  }

  /** Operations sent from now on count as "after". */
  void mark() {
    marked.set(true);
  }

  private void run(int thread) {
    Random random = new Random(thread);
    List<Integer> own = new ArrayList<>();
    for (int i = thread; i < keys; i += nodes.size()) {
      own.add(i);
    }
    try (KvClient client = NodeCluster.client(nodes.get(thread), java.time.Duration.ofMillis(200), 3)) {
      for (int n = 0; running.get(); n++) {
        int i = own.get(n % own.size());
        byte[] key = RawUdp.key(prefix + i);
        if (state[i] == REMOVED) {
          check(client, "GET removed", key, 0x01, null);
        } else if (state[i] == PRESENT) {
          check(client, "GET present", key, 0x00, "value-" + i);
          if (random.nextInt(10) < 3) {
            // A REMOVE that failed may still have run: the key's state is unknown from then on.
            state[i] = check(client, "REMOVE present", key, 0x00, null) ? REMOVED : UNCERTAIN;
          }
        }
        TimeUnit.MILLISECONDS.sleep(4);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends one request; true when it was answered as expected. */
  private boolean check(KvClient client, String what, byte[] key, int code, String value) {
    int side = marked.get() ? 1 : 0;
    operations[side].incrementAndGet();
    String failure;
    try {
      KvResult r = what.startsWith("REMOVE") ? client.blocking().remove(key) : client.blocking().get(key);
      if (r.code() != code) {
        failure = what + " answered " + String.format("0x%02X", r.code());
      } else if (value != null && !value.equals(new String(r.value(), StandardCharsets.UTF_8))) {
        failure = what + " wrong value";
      } else {
        return true;
      }
    } catch (KvException e) {
      failure = what + " timed out";
    }
    failures.get(side).merge(failure, 1L, Long::sum);
    return false;
  }

  /** Key i's state once the load is closed: {@link #PRESENT}, {@link #REMOVED} or {@link #UNCERTAIN}. */
  byte state(int i) {
    return state[i];
  }

  Tally before() {
    return tally(0);
  }

  Tally after() {
    return tally(1);
  }

  private Tally tally(int side) {
    return new Tally(operations[side].get(), new TreeMap<>(failures.get(side)));
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
  }
}
