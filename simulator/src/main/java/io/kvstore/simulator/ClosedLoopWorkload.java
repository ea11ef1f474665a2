package io.kvstore.simulator;

import io.kvstore.protocol.Command;
import java.util.SplittableRandom;

/**
 * The loop every simulated workload runs: each client has one request outstanding at a time, then
 * thinks for a random moment (up to the think time) before its next one. Subclasses say what the
 * next request is.
 */
public abstract class ClosedLoopWorkload {
  /** One request: what, on which key, with which value (null: none), through which node. */
  protected record Request(Command command, byte[] key, byte[] value, KvNode via) {}

  protected final KvCluster cluster;
  protected final SplittableRandom random;
  private final long thinkMillis;
  private boolean running;
  private long completed;

  protected ClosedLoopWorkload(KvCluster cluster, long stream, long thinkMillis) {
    this.cluster = cluster;
    this.random = cluster.sim().random(stream);
    this.thinkMillis = thinkMillis;
  }

  /** Every client starts its loop, at a random moment within the think time. */
  public void start() {
    running = true;
    for (int c = 0; c < cluster.clients().size(); c++) {
      int client = c;
      cluster.sim().after(random.nextLong(thinkMillis + 1), () -> next(client));
    }
  }

  /** No client starts another request; outstanding ones run to their end. */
  public void stop() {
    running = false;
  }

  /** Requests completed (answered or given up). */
  public long completed() {
    return completed;
  }

  /** The next request of {@code client}. */
  protected abstract Request nextRequest(int client);

  private void next(int client) {
    if (!running) {
      return;
    }
    Request r = nextRequest(client);
    cluster.client(client).invoke(r.command(), r.key(), r.value(), r.via(), op -> {
      completed++;
      cluster.sim().after(random.nextLong(thinkMillis + 1), () -> next(client));
    });
  }
}
