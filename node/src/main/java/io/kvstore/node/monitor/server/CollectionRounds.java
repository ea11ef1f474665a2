package io.kvstore.node.monitor.server;

import io.kvstore.node.cluster.Network;
import io.kvstore.node.cluster.Scheduler;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusCodec.Round;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The status server's side of collection rounds, as a sans-IO state machine (the simulator runs
 * it unchanged): start a round at one random live member, and when the spread window has
 * passed, ask every live member that has not reported directly, without further spreading.
 * Thread-safe: rounds start on one thread while reports arrive on another.
 */
public final class CollectionRounds {
  /** Hop budget of a round: far beyond the ~log4(N) hops an epidemic needs. */
  static final int HOPS = 16;
  /** Grace after the spread window before stragglers are asked directly. */
  static final long REPAIR_GRACE_MILLIS = 1_500;

  private final InetSocketAddress self;
  private final Network network;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final int spreadWindowMillis;
  private final int fanout;
  private long current;
  private final Set<String> reported = new HashSet<>();
  private long repairs;

  /**
   * @param self the status server's UDP address (where reports go)
   */
  public CollectionRounds(
      InetSocketAddress self, Network network, Scheduler scheduler, RandomGenerator random,
      int spreadWindowMillis, int fanout) {
    this.self = self;
    this.network = network;
    this.scheduler = scheduler;
    this.random = random;
    this.spreadWindowMillis = spreadWindowMillis;
    this.fanout = fanout;
  }

  /**
   * Starts a round among {@code alive} (node id to address); returns its id, or 0 when nobody
   * is alive.
   */
  public synchronized long start(Map<String, InetSocketAddress> alive) {
    if (alive.isEmpty()) {
      return 0;
    }
    long round = random.nextLong();
    current = round;
    reported.clear();
    List<InetSocketAddress> addresses = List.copyOf(alive.values());
    send(addresses.get(random.nextInt(addresses.size())), new Round(round, self, spreadWindowMillis, fanout, HOPS));
    Map<String, InetSocketAddress> expected = new HashMap<>(alive);
    scheduler.schedule(spreadWindowMillis + REPAIR_GRACE_MILLIS, () -> repair(round, expected));
    return round;
  }

  /** A report arrived for {@code round} from {@code nodeId}. */
  public synchronized void onReport(long round, String nodeId) {
    if (round == current) {
      reported.add(nodeId);
    }
  }

  private synchronized void repair(long round, Map<String, InetSocketAddress> expected) {
    if (round != current) {
      return;
    }
    Round direct = new Round(round, self, 500, 0, 0);
    for (Map.Entry<String, InetSocketAddress> e : expected.entrySet()) {
      if (!reported.contains(e.getKey())) {
        repairs++;
        send(e.getValue(), direct);
      }
    }
  }

  private void send(InetSocketAddress to, Round round) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    network.send(to, StatusCodec.encodeRound(id, round));
  }

  /** Members asked directly because the epidemic had not reached them in time. */
  public synchronized long repairs() {
    return repairs;
  }
}
