package io.kvstore.statusserver;

import io.kvstore.protocol.InternalFrame;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusCodec.Round;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The status server's side of collection rounds, as a sans-IO state machine (the simulator runs
 * it unchanged): start a round at two random live members, and when the spread window has
 * passed, ask every live member that has not reported directly, without further spreading.
 * Thread-safe: rounds start on one thread while reports arrive on another.
 *
 * <p>The member list comes from LIST_MEMBERS replies, which are not authenticated; an address in
 * it is <em>vouched</em> once the member's authenticated report gave that same address. Rounds
 * start at vouched members, and they are asked directly without limit; members not vouched for
 * (the server has just started, a node joined since, or an on-path forger put the address in the
 * list) share {@link #UNVOUCHED_FRAMES} frames a round plus one per vouched member. So a forged
 * list of any length gets its addresses no more frames than the cluster has proven members,
 * while the first round after a start can still ask every straggler directly: by then the
 * others have reported and vouch for the allowance.
 */
public final class CollectionRounds {
  /** Hop budget of a round: far beyond the ~log4(N) hops an epidemic needs. */
  static final int HOPS = 16;
  /** Grace after the spread window before stragglers are asked directly, and between asks. */
  static final long REPAIR_GRACE_MILLIS = 1_500;
  /** Spread window of a direct ask to a few stragglers. */
  static final long MIN_REPAIR_WINDOW_MILLIS = 500;
  /** Members a round starts at: the epidemic survives the loss of one start. */
  static final int STARTS = 2;
  /** Direct asks per round: a lost ask or report gets two more chances. */
  static final int REPAIR_ATTEMPTS = 3;
  /** Frames a round sends to members whose address no report gave, besides one per vouched. */
  static final int UNVOUCHED_FRAMES = 4;
  /** Vouched addresses kept at most: the status server tracks at most 100,000 members. */
  static final int MAX_VOUCHED = 100_000;

  private final InetSocketAddress self;
  private final Network network;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final int spreadWindowMillis;
  private final int fanout;
  private long current;
  /** The round before the current one: its late reports are still taken. */
  private long previous;
  private boolean started;
  private final Set<String> reported = new HashSet<>();
  private Set<String> reportedPrevious = new HashSet<>();
  private long repairs;
  /**
   * Node id to the address its last authenticated report gave, in the order of those reports,
   * the least recently reported dropped beyond {@link #MAX_VOUCHED}. Not pruned by the member
   * list: a forged list that left the real members out would otherwise strip their vouching.
   */
  private final Map<String, InetSocketAddress> vouched =
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, InetSocketAddress> eldest) {
          return size() > MAX_VOUCHED;
        }
      };
  private int unvouchedAllowance;
  private int unvouchedSent;
  private long unvouchedWithheld;

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
    long round = (random.nextLong() >>> 1) | 1; // positive: the API shows it, and 0 means none
    previous = current;
    current = round;
    started = true;
    reportedPrevious = new HashSet<>(reported);
    reported.clear();
    unvouchedSent = 0;
    List<InetSocketAddress> trusted = new ArrayList<>();
    List<InetSocketAddress> others = new ArrayList<>();
    for (Map.Entry<String, InetSocketAddress> e : alive.entrySet()) {
      (isVouched(e.getKey(), e.getValue()) ? trusted : others).add(e.getValue());
    }
    unvouchedAllowance = UNVOUCHED_FRAMES + trusted.size();
    Round start = new Round(round, self, spreadWindowMillis, fanout, HOPS);
    int starts = 0;
    for (; starts < STARTS && !trusted.isEmpty(); starts++) {
      send(trusted.remove(random.nextInt(trusted.size())), start);
    }
    for (; starts < STARTS && !others.isEmpty(); starts++) { // the first round, a cluster renewed
      sendUnvouched(others.remove(random.nextInt(others.size())), start);
    }
    Map<String, InetSocketAddress> expected = new HashMap<>(alive);
    scheduler.schedule(
        spreadWindowMillis + REPAIR_GRACE_MILLIS, () -> repair(round, expected, REPAIR_ATTEMPTS));
    return round;
  }

  /**
   * Whether {@code nodeId}'s report for {@code round} is new: it answers one of the last two
   * rounds started, and the node has not reported for it yet. A report replayed from an older
   * round, or repeated within one, is refused.
   */
  public synchronized boolean isFresh(long round, String nodeId) {
    if (!started) {
      return false;
    }
    if (round == current) {
      return !reported.contains(nodeId);
    }
    return round == previous && !reportedPrevious.contains(nodeId);
  }

  /**
   * {@code nodeId}'s authenticated report for {@code round} was taken; it gave {@code address}
   * as the node's own.
   */
  public synchronized void onReport(long round, String nodeId, InetSocketAddress address) {
    vouched.remove(nodeId); // re-inserted last: the order is that of the reports
    vouched.put(nodeId, address);
    if (round == current) {
      reported.add(nodeId);
    } else if (round == previous) {
      reportedPrevious.add(nodeId);
    }
  }

  private synchronized void repair(long round, Map<String, InetSocketAddress> expected, int attempts) {
    if (round != current || attempts == 0) {
      return;
    }
    List<InetSocketAddress> stragglers = new ArrayList<>();
    List<InetSocketAddress> unvouched = new ArrayList<>();
    int vouchedMembers = 0;
    for (Map.Entry<String, InetSocketAddress> e : expected.entrySet()) {
      boolean isVouched = isVouched(e.getKey(), e.getValue());
      vouchedMembers += isVouched ? 1 : 0;
      if (!reported.contains(e.getKey())) {
        (isVouched ? stragglers : unvouched).add(e.getValue());
      }
    }
    unvouchedAllowance = UNVOUCHED_FRAMES + vouchedMembers; // reports of this round vouch too
    // Many stragglers (the round's start was lost) spread their reports like a normal round.
    int window = (int) Math.max(MIN_REPAIR_WINDOW_MILLIS,
        (long) spreadWindowMillis * stragglers.size() / expected.size());
    Round direct = new Round(round, self, window, 0, 0);
    for (InetSocketAddress straggler : stragglers) {
      repairs++;
      send(straggler, direct);
    }
    for (InetSocketAddress straggler : unvouched) {
      if (sendUnvouched(straggler, direct)) {
        repairs++;
      }
    }
    if (!stragglers.isEmpty() || !unvouched.isEmpty()) {
      scheduler.schedule(REPAIR_GRACE_MILLIS, () -> repair(round, expected, attempts - 1));
    }
  }

  /** Whether {@code nodeId}'s authenticated report gave {@code listed} as its address. */
  public synchronized boolean isVouched(String nodeId, InetSocketAddress listed) {
    return listed.equals(vouched.get(nodeId));
  }

  /** Sends within the round's allowance for addresses nobody authenticated; false if spent. */
  private boolean sendUnvouched(InetSocketAddress to, Round round) {
    if (unvouchedSent >= unvouchedAllowance) {
      unvouchedWithheld++;
      return false;
    }
    unvouchedSent++;
    send(to, round);
    return true;
  }

  private void send(InetSocketAddress to, Round round) {
    network.send(to, StatusCodec.encodeRound(InternalFrame.randomId(random), round));
  }

  /** Members asked directly because the epidemic had not reached them in time. */
  public synchronized long repairs() {
    return repairs;
  }

  /** Frames not sent to listed members whose address no authenticated report gave. */
  public synchronized long unvouchedWithheld() {
    return unvouchedWithheld;
  }
}
