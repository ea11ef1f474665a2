package io.kvstore.node.replication;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.storage.StorageEngine;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebalancing, sans-IO (docs/REPLICATION.md "Rebalancing"). When the ring's members change, this
 * node walks its store ({@link StreamPass}) and streams every record to the members of its new
 * preference list that were not on its old one, in acknowledged batches, resent on loss, at most
 * {@code bytesPerSecond}; then it tells every live member DONE for the new ring. If the ring changes
 * again mid-pass the pass starts over against the newest ring (the old baseline stays). A member
 * that still misses DONEs asks with a REQUEST, answered by a pass streaming all it replicates.
 * Before a graceful leave the node streams its ranges to the members that take them over. This
 * class decides which pass runs when; {@link StreamSender} sends its batches, {@link
 * IncomingRanges} tracks what this node still waits for.
 *
 * <p>Single-threaded: runs on the scheduler it is given (the membership thread in a node).
 */
public final class Rebalancer {
  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
  static final long ACTIVE_TICK_MILLIS = 10;
  static final long IDLE_TICK_MILLIS = 100;
  static final long REQUEST_EVERY_MILLIS = 2_000;
  static final long PROGRESS_LOG_MILLIS = 5_000;
  /** Members whose REQUEST waits for a pass, at most (one per member). */
  static final int MAX_QUEUED_REQUESTS = 64;

  private final StorageEngine storage;
  private final Supplier<Ring> ring;
  private final Scheduler timers;
  private final Network network;
  private final Clock clock;
  private final int n;
  private final RebalanceConfig config;
  private final RebalanceStats stats;
  private final Replica replica;
  private final boolean storageEmpty;
  private IncomingRanges incoming;
  private final ArrayDeque<NodeId> requests = new ArrayDeque<>();
  private Ring baseline;
  private StreamPass pass;
  private long passNumber;
  private long settleUntilNanos;
  private long pendingFingerprint;
  private final StreamSender sender;
  private long lastRequestNanos;
  private boolean requestedOnce;
  private long lastProgressNanos;
  private Runnable afterLeave;
  private boolean leaving;
  private boolean joinsThroughSeeds;
  private boolean stopped;

  public Rebalancer(StorageEngine storage, Replica replica, Supplier<Ring> ring, Scheduler timers,
      Network network, Clock clock, int n, RebalanceConfig config, RebalanceStats stats,
      boolean storageEmpty, long firstPassNumber) {
    this.storage = storage;
    this.ring = ring;
    this.timers = timers;
    this.network = network;
    this.clock = clock;
    this.n = n;
    this.config = config;
    this.stats = stats;
    this.replica = replica;
    this.storageEmpty = storageEmpty;
    this.passNumber = firstPassNumber & Long.MAX_VALUE;
    this.sender = new StreamSender(storage, network, config, stats, clock);
  }

  /**
   * Starts watching the ring. A node that starts with an empty store and joins through seeds holds
   * none of the ranges it will replicate: it answers reads of them as incomplete until every live
   * member said DONE. A node with data (a restart) or that starts a cluster holds what it had.
   */
  public void start(boolean joinsThroughSeeds) {
    this.joinsThroughSeeds = joinsThroughSeeds;
    incoming = new IncomingRanges(replica, n, storageEmpty && joinsThroughSeeds, stats);
    incoming.onRing(ring.get());
    timers.schedule(IDLE_TICK_MILLIS, this::tick);
  }

  public void stop() {
    stopped = true;
  }

  /**
   * Streams this node's ranges to the members that take them over once it is gone, then runs
   * {@code done} (on this thread); the caller bounds the wait and then leaves anyway.
   */
  public void leave(Runnable done) {
    leaving = true;
    afterLeave = done;
    Ring now = ring.get();
    if (now.memberCount() <= 1) {
      finishLeave();
      return;
    }
    startPass(StreamPass.Kind.LEAVE, now, now.without(now.self()), null);
  }

  void tick() {
    if (stopped || incoming == null) {
      return;
    }
    try {
      step();
    } finally {
      timers.schedule(pass != null ? ACTIVE_TICK_MILLIS : IDLE_TICK_MILLIS, this::tick);
    }
  }

  private void step() {
    Ring now = ring.get();
    incoming.onRing(now);
    long nowNanos = clock.nanoTime();
    if (baseline == null && (now.memberCount() > 1 || !joinsThroughSeeds)) {
      // What this node held it held under its first ring: a joiner holds nothing to stream, a
      // restarted member its old ranges, the first node of a cluster everything.
      baseline = now;
    }
    if (pass != null && pass.kind == StreamPass.Kind.LEAVE) {
      if (pass.base.fingerprint() != now.fingerprint()) {
        stats.passesRestarted.increment();
        startPass(StreamPass.Kind.LEAVE, now, now.without(now.self()), null);
      }
    } else if (!leaving && baseline != null && now.fingerprint() != baseline.fingerprint()
        && now.memberCount() > 1) {
      if (pendingFingerprint != now.fingerprint()) {
        pendingFingerprint = now.fingerprint(); // a new ring: let coordinators learn it first
        settleUntilNanos = nowNanos + config.settleMillis() * 1_000_000L;
        if (pass != null && pass.kind == StreamPass.Kind.PUSH) {
          stats.passesRestarted.increment();
          log.info("rebalance: the ring changed again during pass {}; starting over", pass.number);
          pass = null;
        }
      }
      if (pass == null && nowNanos - settleUntilNanos >= 0) {
        startPass(StreamPass.Kind.PUSH, baseline, now, null);
      }
    }
    if (pass != null && pass.kind == StreamPass.Kind.PULL
        && pass.target.fingerprint() != now.fingerprint()) {
      pass = null; // the asker will ask again under the new ring
    }
    if (pass == null && !leaving) {
      startRequestedPass(now);
    }
    if (pass != null) {
      advance(now, nowNanos);
    }
    askForMissingRanges(nowNanos);
  }

  private void startRequestedPass(Ring now) {
    while (!requests.isEmpty()) {
      NodeId asker = requests.poll();
      Ring.Owner m = now.member(asker);
      if (m != null && !m.down() && !now.isSelf(m)) {
        stats.requestsServed.increment();
        startPass(StreamPass.Kind.PULL, now, now, asker);
        return;
      }
    }
  }

  private void startPass(StreamPass.Kind kind, Ring base, Ring target, NodeId pullFor) {
    passNumber = (passNumber + 1) & Long.MAX_VALUE;
    pass = new StreamPass(passNumber, kind, base, target, pullFor, n);
    stats.passActive = true;
    lastProgressNanos = clock.nanoTime();
    log.info("rebalance: pass {} ({}{}) over {} records, ring of {} members",
        passNumber, kind, pullFor == null ? "" : " for " + pullFor, storage.keyCount(),
        target.memberCount());
  }

  /** Streams what the window and byte budget allow; reports progress; finishes a pass that is done. */
  private void advance(Ring now, long nowNanos) {
    sender.advance(pass, now, nowNanos);
    stats.batchesPending = pass.pending();
    stats.recordsScanned = pass.recordsScanned;
    if (nowNanos - lastProgressNanos >= PROGRESS_LOG_MILLIS * 1_000_000L) {
      lastProgressNanos = nowNanos;
      log.info("rebalance: pass {} scanned {} records, {} batches pending; streamed {} records,"
          + " {} bytes so far", pass.number, pass.recordsScanned, pass.pending(),
          stats.recordsStreamed.sum(), stats.bytesStreamed.sum());
    }
    if (pass.finished()) {
      finishPass();
    }
  }

  private void finishPass() {
    StreamPass done = pass;
    pass = null;
    stats.passActive = false;
    stats.batchesPending = 0;
    stats.passesCompleted.increment();
    log.info("rebalance: pass {} ({}) done: {} records scanned", done.number, done.kind,
        done.recordsScanned);
    if (done.kind == StreamPass.Kind.PUSH) {
      baseline = done.target;
    } else if (done.kind == StreamPass.Kind.LEAVE) {
      finishLeave();
    }
  }

  private void finishLeave() {
    Runnable r = afterLeave;
    afterLeave = null;
    if (r != null) {
      r.run();
    }
  }

  /** While this node misses DONEs, it asks the members that owe them every few seconds. */
  private void askForMissingRanges(long nowNanos) {
    if (requestedOnce && nowNanos - lastRequestNanos < REQUEST_EVERY_MILLIS * 1_000_000L) {
      return;
    }
    java.util.List<Ring.Owner> awaited = incoming.awaited();
    if (awaited.isEmpty()) {
      return;
    }
    requestedOnce = true;
    lastRequestNanos = nowNanos;
    for (Ring.Owner m : awaited) {
      stats.requestsSent.increment();
      network.send(m.address(), RangeStreamFrames.request(0, incoming.currentFingerprint()));
    }
  }

  /** An ACK for a batch or DONE of the current pass (on this thread). */
  public void onAck(InetSocketAddress from, byte[] frame) {
    RangeStreamFrames.Ack ack;
    try {
      ack = RangeStreamFrames.decodeAck(frame);
    } catch (ReplicaFrames.MalformedFrameException e) {
      stats.malformed.increment();
      return;
    }
    if (pass == null || ack.pass() != pass.number) {
      return; // an earlier pass, or a duplicate
    }
    sender.onAck(pass, from, ack);
  }

  /** A DONE from a member: acknowledged, and counted toward this node's readiness. */
  public void onDone(InetSocketAddress from, byte[] frame) {
    RangeStreamFrames.RingNotice done;
    try {
      done = RangeStreamFrames.decodeNotice(frame, RangeStreamFrames.DONE);
    } catch (ReplicaFrames.MalformedFrameException e) {
      stats.malformed.increment();
      return;
    }
    if (incoming == null) {
      return;
    }
    incoming.onRing(ring.get());
    if (!incoming.onDone(from, done.ring())) {
      stats.strangers.increment(); // acknowledged anyway: it asks again by REQUEST if it matters
    }
    network.send(from, RangeStreamFrames.ack(
        new RangeStreamFrames.Ack(done.pass(), done.number(), 0, 0, 0)));
  }

  /** A member asks for what it replicates under the ring it names (ignored for another ring). */
  public void onRequest(InetSocketAddress from, byte[] frame) {
    RangeStreamFrames.RingNotice request;
    try {
      request = RangeStreamFrames.decodeNotice(frame, RangeStreamFrames.REQUEST);
    } catch (ReplicaFrames.MalformedFrameException e) {
      stats.malformed.increment();
      return;
    }
    if (incoming == null) {
      return;
    }
    Ring now = ring.get();
    incoming.onRing(now);
    Ring.Owner asker = incoming.memberAt(from);
    if (asker == null) {
      stats.strangers.increment();
      return;
    }
    if (request.ring() != now.fingerprint() || baseline == null
        || baseline.fingerprint() != now.fingerprint()) {
      return; // rings differ, or this node's own pass for the ring is still to come (it ends in DONE)
    }
    if (pass != null && pass.kind == StreamPass.Kind.PULL && asker.id().equals(pass.pullFor)) {
      return;
    }
    if (!requests.contains(asker.id()) && requests.size() < MAX_QUEUED_REQUESTS) {
      requests.add(asker.id());
    }
  }

  public RebalanceStats stats() {
    return stats;
  }

  /**
   * Nothing left to do for the current ring: no pass running or due, no request queued, and this
   * node holds every range it replicates (for tests and the operator view).
   */
  public boolean settled() {
    Ring now = ring.get();
    return pass == null && requests.isEmpty() && stats.complete
        && (baseline == null ? now.memberCount() <= 1 : baseline.fingerprint() == now.fingerprint());
  }

  @Override
  public String toString() {
    return "Rebalancer[ring " + Long.toHexString(ring.get().fingerprint()) + " baseline "
        + (baseline == null ? "none" : Long.toHexString(baseline.fingerprint())) + " pass "
        + (pass == null ? "none" : pass.kind + " " + pass.pending()) + " requests " + requests.size()
        + " incoming " + incoming + "]";
  }

  /** Whether a pass is running. */
  public boolean active() {
    return pass != null;
  }
}
