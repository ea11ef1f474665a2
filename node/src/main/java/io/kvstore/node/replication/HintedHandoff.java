package io.kvstore.node.replication;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicaFrames.Ack;
import io.kvstore.node.replication.ReplicaFrames.AckResult;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.time.HybridLogicalClock;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Hinted handoff, sans-IO: every {@value #PERIOD_MILLIS} ms, sends the hints kept for each
 * replica that is up again (not dead on the ring) as repair writes, at most {@value #IN_FLIGHT}
 * unanswered at once, and deletes each hint the replica acknowledged (applied, or it already held
 * something newer). Hints older than the tombstone grace period are dropped undelivered: a deleted
 * key's tombstone may be collected by then, and the hint would bring the key back.
 *
 * <p>Single-threaded: runs on the scheduler it is given (the membership thread in a node).
 */
public final class HintedHandoff implements AnswerHandler {
  static final long PERIOD_MILLIS = 1_000;
  /** Hints sent and not yet answered, at most (across replicas). */
  static final int IN_FLIGHT = 256;
  /**
   * A hint waits this long before it is delivered: the client whose write it holds may still retry
   * (a reply is cached for 5 s), and the retry must meet its own first attempt at the replica, not
   * the hint's copy, to answer as the first attempt would have (a REMOVE: "removed", not 0x01).
   */
  static final long HOLD_MILLIS = 5_000;
  /** Rounds between compactions of delivered hints' markers. */
  static final int COMPACT_EVERY = 60;

  private record Pending(HintStore.Hint hint, long sentNanos) {}

  private final int index;
  private final HintStore store;
  private final Supplier<Ring> ring;
  private final Scheduler timers;
  private final Network network;
  private final Clock clock;
  private final ReplicationConfig config;
  private final ReplicationStats stats;
  private final Map<Long, Pending> pending = new HashMap<>();
  private final OperationNumbers numbers;
  private int rounds;
  private boolean stopped;

  public HintedHandoff(int index, HintStore store, Supplier<Ring> ring, Scheduler timers,
      Network network, Clock clock, ReplicationConfig config, ReplicationStats stats, long firstNumber) {
    this.index = index;
    this.store = store;
    this.ring = ring;
    this.timers = timers;
    this.network = network;
    this.clock = clock;
    this.config = config;
    this.stats = stats;
    this.numbers = new OperationNumbers(index, firstNumber);
  }

  public void start() {
    timers.schedule(PERIOD_MILLIS, this::round);
  }

  public void stop() {
    stopped = true;
  }

  /** Hints sent and not answered yet. */
  public int inFlight() {
    return pending.size();
  }

  void round() {
    if (stopped) {
      return;
    }
    try {
      expirePending();
      deliver();
      if (++rounds % COMPACT_EVERY == 0) {
        store.compact(HybridLogicalClock.timestamp(clock.currentTimeMillis(), 0));
      }
    } finally {
      timers.schedule(PERIOD_MILLIS, this::round);
    }
  }

  private void deliver() {
    Ring r = ring.get();
    long oldestAllowed = clock.currentTimeMillis() - config.tombstoneGraceMillis();
    for (NodeId replica : List.copyOf(store.replicas())) {
      Ring.Owner owner = r.member(replica);
      int room = IN_FLIGHT - pending.size();
      if (owner == null || owner.down() || room <= 0 || r.isSelf(owner) || hasPendingFor(owner)) {
        continue; // forgotten, or still down: kept (until the grace period) for when it is back
      }
      long now = clock.currentTimeMillis();
      for (HintStore.Hint hint : store.hintsFor(replica, room)) {
        if (HybridLogicalClock.physicalMillis(hint.record().timestamp()) < oldestAllowed) {
          store.remove(hint);
          stats.hintsDropped.increment();
          continue;
        }
        if (now - hint.storedAtMillis() < HOLD_MILLIS) {
          continue;
        }
        long number = number();
        pending.put(number, new Pending(hint, clock.nanoTime()));
        network.send(owner.address(), ReplicaFrames.write(number, 0, hint.key(), hint.record(), true));
      }
    }
  }

  private boolean hasPendingFor(Ring.Owner owner) {
    for (Pending p : pending.values()) {
      if (p.hint().replica().equals(owner.id())) {
        return true; // one batch at a time per replica: the next after this one is answered
      }
    }
    return false;
  }

  /** Hints whose ack never came are sent again in a later round. */
  private void expirePending() {
    long now = clock.nanoTime();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      if (now - it.next().sentNanos() > config.timeoutMillis() * 1_000_000L) {
        it.remove();
      }
    }
  }

  @Override
  public void onAnswer(InetSocketAddress from, byte[] frame, int type) {
    if (type != ReplicaFrames.WRITE_ACK) {
      stats.malformed.increment();
      return;
    }
    Ack ack;
    try {
      ack = ReplicaFrames.decodeAck(frame);
    } catch (ReplicaFrames.MalformedFrameException e) {
      stats.malformed.increment();
      return;
    }
    Pending p = pending.remove(ack.operation());
    if (p == null) {
      stats.lateAnswers.increment();
      return;
    }
    if (ack.result() == AckResult.APPLIED || ack.result() == AckResult.STALE) {
      store.remove(p.hint());
      stats.hintsDelivered.increment();
    }
  }

  private long number() {
    return numbers.next();
  }
}
