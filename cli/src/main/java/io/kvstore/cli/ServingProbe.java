package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvException;
import io.kvstore.client.KvResult;
import io.kvstore.client.Keys;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks whether the nodes of a cluster answer reads of keys spread over the whole ring. A node that
 * has just joined answers 0x22 until its view is settled, and a read coordinated by any node
 * answers 0x22 while a replica of that key still waits for its ranges to stream in; one probe key
 * would only see its own replica set, so "serving" means {@link #KEYS} keys through the node.
 * {@code ./kvstore cluster} waits on it before "cluster ready"; the process tests do too.
 */
public final class ServingProbe {
  /** Enough that each of a few dozen nodes' ranges is hit by some key. */
  static final int KEYS = 64;

  private final List<byte[]> keys = new ArrayList<>();

  public ServingProbe() {
    for (int k = 0; k < KEYS; k++) {
      keys.add(Keys.sha256("kvstore cluster readiness probe " + k));
    }
  }

  /**
   * Probes the nodes on {@code basePort..basePort+nodes-1} until all answer every probe key with a
   * value or "not found", or {@code seconds} pass; then prints to {@code out} which node still
   * does not and why.
   *
   * @return true if every node served every key in time
   */
  boolean await(int basePort, int nodes, long seconds, PrintStream out) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (int i = 0; i < nodes; i++) {
      String refused;
      while ((refused = refusal(basePort + i)) != null) {
        if (System.nanoTime() > deadline) {
          out.printf("node-%d does not answer every read yet (%s); it will once its ranges"
              + " have streamed to it%n", i + 1, refused);
          return false;
        }
        Thread.sleep(100);
      }
    }
    return true;
  }

  /**
   * Null if the node on 127.0.0.1:{@code port} answers every probe key (value or not found), else
   * what it answered instead for the first key it did not.
   */
  public String refusal(int port) {
    try (KvClient client = KvClient.open(KvClientConfig.of("127.0.0.1:" + port))) {
      for (byte[] key : keys) {
        String refused = refusal(client, key);
        if (refused != null) {
          return refused;
        }
      }
      return null;
    }
  }

  /** Null if the node answered the read (value or not found), else what it answered instead. */
  private static String refusal(KvClient client, byte[] key) {
    try {
      KvResult r = client.blocking().get(key);
      return r.isSuccess() || r.isNotFound() ? null : r.describeCode();
    } catch (KvException e) {
      return "no reply";
    }
  }
}
