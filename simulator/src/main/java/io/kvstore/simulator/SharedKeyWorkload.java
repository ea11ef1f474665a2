package io.kvstore.simulator;

import io.kvstore.protocol.Command;
import java.nio.charset.StandardCharsets;
import java.util.function.IntPredicate;

/**
 * Closed-loop clients on keys they all share, for checking histories: each request goes to a
 * small set of hot keys (concurrent writers and readers on every one of them) or to a larger cold
 * set, and is a PUT, GET or REMOVE. Every PUT writes a value no other request writes ({@code
 * c<client>#<request id>}), so a value read names the one PUT that wrote it. Each client has one
 * request outstanding at a time, sent through a random node (down ones included, unless the test
 * says which nodes a client may use), then thinks for a moment.
 */
public final class SharedKeyWorkload extends ClosedLoopWorkload {
  private static final long STREAM = -4;

  /**
   * @param hotKeys keys {@code hot-<n>}
   * @param coldKeys keys {@code cold-<n>}
   * @param hotPercent share of requests that go to a hot key
   * @param putPercent share of PUTs (the rest: {@code removePercent} REMOVEs, then GETs)
   */
  public record Mix(int hotKeys, int coldKeys, int hotPercent, int putPercent, int removePercent) {
    public Mix {
      if (hotKeys < 1 || coldKeys < 1 || hotPercent < 0 || hotPercent > 100 || putPercent < 0 || removePercent < 0
          || putPercent + removePercent > 100) {
        throw new IllegalArgumentException("not a workload mix: " + this);
      }
    }

    /** 8 hot keys taking half the requests, 400 cold ones; 40% PUT, 10% REMOVE, 50% GET. */
    public static Mix defaults() {
      return new Mix(8, 400, 50, 40, 10);
    }
  }

  private final Mix mix;
  private IntPredicate usable = node -> true;

  public SharedKeyWorkload(KvCluster cluster, long thinkMillis, Mix mix) {
    super(cluster, STREAM, thinkMillis);
    this.mix = mix;
  }

  /** Clients send only through nodes whose index passes {@code usable} (at least one must). */
  public SharedKeyWorkload through(IntPredicate usable) {
    this.usable = usable;
    return this;
  }

  @Override
  protected Request nextRequest(int client) {
    boolean hot = random.nextInt(100) < mix.hotPercent();
    byte[] key = KvWorkload.key(hot ? "hot-" + random.nextInt(mix.hotKeys()) : "cold-" + random.nextInt(mix.coldKeys()));
    int roll = random.nextInt(100);
    Command command = roll < mix.putPercent() ? Command.PUT
        : roll < mix.putPercent() + mix.removePercent() ? Command.REMOVE : Command.GET;
    SimClient sc = cluster.client(client);
    byte[] value = command == Command.PUT
        ? ("c" + client + "#" + sc.nextId()).getBytes(StandardCharsets.UTF_8) : null;
    return new Request(command, key, value, pickNode());
  }

  private KvNode pickNode() {
    int n = cluster.nodes().size();
    for (int tries = 0; tries < 4 * n; tries++) {
      int i = random.nextInt(n);
      if (usable.test(i)) {
        return cluster.node(i);
      }
    }
    for (int i = 0; i < n; i++) {
      if (usable.test(i)) {
        return cluster.node(i);
      }
    }
    throw new IllegalStateException("no node a client may use");
  }
}
