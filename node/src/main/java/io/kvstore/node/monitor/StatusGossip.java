package io.kvstore.node.monitor;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.monitor.StatusCodec.Round;
import io.kvstore.protocol.InternalFrame;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * The node's part of a status collection round, as a sans-IO state machine (it runs on the
 * membership thread in a node and unchanged in the simulator). On first sight of a round it
 * passes the round on to {@code fanout} random members, twice (once now, once a little later, so
 * that the epidemic reaches nearly every node), and sends its report to the status server after a
 * random delay inside the round's spread window, so that the server's intake stays smooth however
 * many nodes there are. Rounds already seen are ignored; the memory of them is bounded.
 *
 * <p>Bounded against forged or buggy ROUNDs (the transport authenticates them with the cluster
 * secret; with {@code --insecure} nothing does): fanout and hops are capped, and a node takes part
 * in at most {@link #ROUND_BURST} rounds at once and one per {@link #ROUND_REFILL_MILLIS} on
 * average, so a ROUND flood cannot turn it into a reflector of reports or a multiplier of ROUNDs.
 */
public final class StatusGossip {
  /** Delay before the second push of a round. */
  static final long SECOND_PUSH_MILLIS = 200;
  private static final int REMEMBERED_ROUNDS = 64;
  /** Caps on what a ROUND may ask: the status server asks fanout 1-16 and 16 hops. */
  static final int MAX_FANOUT = 16;
  static final int MAX_HOPS = 16;
  /**
   * Rounds taken part in: a burst of 8, then four a second: above the status server's pace (one
   * round per interval of at least 1 s, plus up to three direct asks), far below a flood's.
   */
  static final int ROUND_BURST = 8;
  static final long ROUND_REFILL_MILLIS = 250;

  private final Clock clock;
  private double roundTokens = ROUND_BURST;
  private long tokensAtNanos;
  private long roundsRefused;

  private final Network network;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final IntFunction<List<InetSocketAddress>> randomMembers;
  private final Function<Long, StatusReport> reports;
  private final Map<Long, Boolean> seen =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
          return size() > REMEMBERED_ROUNDS;
        }
      };
  private long roundsSeen;
  private long reportsSent;

  /**
   * @param randomMembers up to n random alive members (not this node)
   * @param reports this node's report for a round
   */
  public StatusGossip(
      Network network,
      Scheduler scheduler,
      Clock clock,
      RandomGenerator random,
      IntFunction<List<InetSocketAddress>> randomMembers,
      Function<Long, StatusReport> reports) {
    this.network = network;
    this.scheduler = scheduler;
    this.clock = clock;
    this.tokensAtNanos = clock.nanoTime();
    this.random = random;
    this.randomMembers = randomMembers;
    this.reports = reports;
  }

  /**
   * A ROUND frame (authenticated, tag removed) from the node's dispatch table.
   *
   * @throws io.kvstore.node.cluster.MalformedMessageException if it does not decode
   */
  public void onRoundFrame(byte[] frame) {
    onRound(StatusCodec.decodeRound(
        ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER)));
  }

  /**
   * A ROUND arrived (from the status server or another node). A direct ask from the server
   * (fanout 0: our report did not arrive) is answered again even for a round already seen.
   */
  public void onRound(Round round) {
    boolean directAsk = round.fanout() == 0;
    if (seen.containsKey(round.round()) && !directAsk) {
      return;
    }
    if (!takeRoundToken()) {
      roundsRefused++;
      return;
    }
    seen.put(round.round(), Boolean.TRUE);
    roundsSeen++;
    int hops = Math.min(round.hopsLeft(), MAX_HOPS);
    if (hops > 0) {
      Round next =
          new Round(round.round(), round.monitor(), round.spreadWindowMillis(),
              Math.min(round.fanout(), MAX_FANOUT), hops - 1);
      push(next);
      scheduler.schedule(SECOND_PUSH_MILLIS, () -> push(next));
    }
    long delay = round.spreadWindowMillis() == 0 ? 0 : random.nextLong(round.spreadWindowMillis());
    scheduler.schedule(delay, () -> report(round));
  }

  private boolean takeRoundToken() {
    long now = clock.nanoTime();
    double refill = (now - tokensAtNanos) / (ROUND_REFILL_MILLIS * 1e6);
    tokensAtNanos = now;
    roundTokens = Math.min(ROUND_BURST, roundTokens + refill);
    if (roundTokens < 1) {
      return false;
    }
    roundTokens -= 1;
    return true;
  }

  private void push(Round round) {
    for (InetSocketAddress member : randomMembers.apply(round.fanout())) {
      network.send(member, StatusCodec.encodeRound(frameId(), round));
    }
  }

  private void report(Round round) {
    reportsSent++;
    network.send(round.monitor(), StatusCodec.encodeReport(frameId(), reports.apply(round.round())));
  }

  private byte[] frameId() {
    return InternalFrame.randomId(random);
  }

  public long roundsSeen() {
    return roundsSeen;
  }

  /** ROUNDs ignored because they came faster than {@link #ROUND_REFILL_MILLIS} allows. */
  public long roundsRefused() {
    return roundsRefused;
  }

  public long reportsSent() {
    return reportsSent;
  }
}
