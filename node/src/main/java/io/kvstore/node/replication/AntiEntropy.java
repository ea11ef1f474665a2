package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicaFrames.MalformedFrameException;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merkle-tree anti-entropy, sans-IO (docs/REPLICATION.md): every {@code anti-entropy-interval-ms}
 * this node starts a round with the next peer it shares ranges with (in turn), and answers the
 * rounds its peers start. Scans, reads and sends are charged to one {@link IoBudget} of
 * {@code anti-entropy-bytes-per-second}, so repair never takes more than that from client traffic.
 *
 * <p>Single-threaded: runs on the scheduler it is given (the membership thread in a node); frames
 * and the acks of its repair writes are handed to that thread.
 */
public final class AntiEntropy {
  private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);
  /** Work is done in steps this far apart; an idle node only wakes for its next round or a frame. */
  static final long TICK_MILLIS = 10;
  /** Records each tree in the making scans per step at most (the budget usually stops it sooner). */
  static final int RECORDS_PER_TICK = 4_096;

  private final AntiEntropyContext ctx;
  private final RepairPusher pusher;
  private final AntiEntropyResponder responder;
  private final Scheduler timers;
  private final RandomGenerator random;
  private final long intervalNanos;
  private final long retryMillis;
  private AntiEntropyInitiator round;
  private long nextRoundNanos;
  private int nextPeer;
  private boolean stopped;
  private Scheduler.Cancellable wakeUp;
  private long wakeUpNanos;

  /**
   * @param index the registry index the acks of repair writes come back under
   */
  public AntiEntropy(int index, StorageEngine storage, Supplier<Ring> ring, Scheduler timers,
      Network network, Clock clock, RandomGenerator random, ReplicationConfig config,
      AntiEntropyStats stats) {
    this.ctx = new AntiEntropyContext(ring, config.n(), storage,
        new IoBudget(config.antiEntropyBytesPerSecond(), clock), stats, network, clock,
        config.tombstoneGraceMillis());
    this.pusher = new RepairPusher(ctx, index, config.timeoutMillis(), random.nextLong());
    this.responder = new AntiEntropyResponder(ctx, pusher);
    this.timers = timers;
    this.random = random;
    this.intervalNanos = config.antiEntropyIntervalMillis() * 1_000_000L;
    this.retryMillis = Math.max(200, config.timeoutMillis());
    this.nextRoundNanos = clock.nanoTime() + intervalNanos;
    this.nextPeer = random.nextInt(1 << 16);
  }

  /** Starts the rounds (none if the interval is 0; the node still answers its peers). */
  public void start() {
    wakeUpIn(TICK_MILLIS);
  }

  public void stop() {
    stopped = true;
  }

  /** Where the acks of repair writes go (register under this instance's index). */
  public AnswerHandler pushAnswers() {
    return pusher;
  }

  public AntiEntropyStats stats() {
    return ctx.stats();
  }

  /** Whether a round of this node's is running. */
  public boolean roundRunning() {
    return round != null;
  }

  void tick() {
    wakeUp = null;
    if (stopped) {
      return;
    }
    try {
      if (round == null && intervalNanos > 0 && ctx.clock().nanoTime() >= nextRoundNanos) {
        startRound();
      }
      if (round != null) {
        round.tick(RECORDS_PER_TICK);
        if (round.state() == AntiEntropyInitiator.State.DONE) {
          round = null;
        }
      }
      responder.tick(RECORDS_PER_TICK);
      pusher.drain();
    } catch (StorageException e) {
      log.warn("anti-entropy round ended: {}", e.getMessage());
      if (round != null) {
        ctx.stats().roundsAborted.increment();
        round = null;
      }
    } finally {
      scheduleNext();
    }
  }

  private boolean busy() {
    return round != null || responder.sessions() > 0 || pusher.queued() > 0 || pusher.inFlight() > 0;
  }

  private void scheduleNext() {
    if (busy()) {
      wakeUpIn(TICK_MILLIS);
    } else if (intervalNanos > 0) {
      long untilRound = (nextRoundNanos - ctx.clock().nanoTime()) / 1_000_000L;
      wakeUpIn(Math.max(TICK_MILLIS, untilRound + 1));
    }
  }

  /** Makes sure a tick runs within {@code millis}; keeps an earlier one. */
  private void wakeUpIn(long millis) {
    long at = ctx.clock().nanoTime() + millis * 1_000_000L;
    if (wakeUp != null) {
      if (wakeUpNanos <= at) {
        return;
      }
      wakeUp.cancel();
    }
    wakeUpNanos = at;
    wakeUp = timers.schedule(millis, this::tick);
  }

  private void startRound() {
    nextRoundNanos = ctx.clock().nanoTime() + intervalNanos;
    Ring ring = ctx.ring().get();
    List<Ring.Owner> peers = ring.peersSharingRanges(ring.self(), ctx.n()).stream()
        .filter(p -> !p.down()).toList();
    if (peers.isEmpty()) {
      return;
    }
    Ring.Owner peer = peers.get(Math.floorMod(nextPeer++, peers.size()));
    ctx.stats().rounds.increment();
    round = new AntiEntropyInitiator(ctx, pusher, peer, random.nextLong(), retryMillis);
  }

  /** One authenticated frame of types 0x54-0x57; malformed ones are counted and dropped. */
  public void onFrame(InetSocketAddress from, byte[] frame) {
    if (stopped) {
      return;
    }
    try {
      switch (frame[io.kvstore.protocol.InternalFrame.TYPE_OFFSET] & 0xFF) {
        case AntiEntropyFrames.QUERY -> responder.onQuery(from, AntiEntropyFrames.decodeQuery(frame));
        case AntiEntropyFrames.DIGESTS -> responder.onDigests(from, AntiEntropyFrames.decodeDigests(frame));
        case AntiEntropyFrames.ANSWER -> {
          AntiEntropyFrames.Answer a = AntiEntropyFrames.decodeAnswer(frame);
          if (round == null) {
            ctx.stats().lateAnswers.increment();
          } else {
            round.onAnswer(from, a);
          }
        }
        case AntiEntropyFrames.DIGESTS_REPLY -> {
          AntiEntropyFrames.DigestsReply r = AntiEntropyFrames.decodeDigestsReply(frame);
          if (round == null) {
            ctx.stats().lateAnswers.increment();
          } else {
            round.onDigestsReply(from, r);
          }
        }
        default -> ctx.stats().malformed.increment();
      }
    } catch (MalformedFrameException e) {
      ctx.stats().malformed.increment();
    } catch (StorageException e) {
      log.warn("anti-entropy could not read storage: {}", e.getMessage());
    }
    if (busy()) {
      wakeUpIn(TICK_MILLIS);
    }
  }
}
