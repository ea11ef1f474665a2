package io.kvstore.node.ops;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.run.OperationRunner;
import io.kvstore.node.ops.seen.SeenOperations;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads signed operations epidemically, sans-IO, on the membership thread (docs/OPERATIONS.md,
 * "How an operation spreads"):
 *
 * <ul>
 *   <li>push: an operation accepted for the first time (from a client or an OP frame) is relayed
 *       to {@code fanout} random live members other than its sender, then run if targeted;
 *   <li>push-pull: every {@code digest-interval-ms} a DIGEST of the held ids goes to one random
 *       live member; it answers WANT for the ids it lacks and pushes OP frames for the ids the
 *       digest lacks, so a node that was down catches up while an operation lives.
 * </ul>
 *
 * Only live members are answered or sent to. OP frames sent in answer to DIGEST and WANT, WANT
 * frames and signature checks are capped per interval ({@link #ANSWERS_PER_INTERVAL},
 * {@link #WANTS_PER_INTERVAL}, {@link #VERIFIES_PER_INTERVAL}), so no member can make this node
 * send or compute more than that however many frames it sends.
 */
public final class OpsDissemination {
  private static final Logger log = LoggerFactory.getLogger(OpsDissemination.class);
  /** OP frames sent per digest interval in answer to DIGEST/WANT frames. */
  static final int ANSWERS_PER_INTERVAL = 64;
  /** WANT frames sent per digest interval. */
  static final int WANTS_PER_INTERVAL = 16;
  /**
   * Signatures checked per digest interval for OP frames (the JDK's Ed25519 takes 1-2 ms each):
   * a member flooding fresh operations cannot starve the membership thread. What is dropped is
   * pulled again through the next digests.
   */
  static final int VERIFIES_PER_INTERVAL = 32;

  private final OpsConfig config;
  private final OperationVerifier verifier;
  private final SeenOperations seen;
  private final OperationRunner runner;
  private final OpsMembers members;
  private final Network network;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final OpsStats stats;
  private int answersLeft = ANSWERS_PER_INTERVAL;
  private int wantsLeft = WANTS_PER_INTERVAL;
  private int verifiesLeft = VERIFIES_PER_INTERVAL;
  private Scheduler.Cancellable tick;
  private boolean running;
  /**
   * Operations clients submitted (accepted on an event loop) not yet spread: drained on the
   * membership thread, by the hand-over and by every tick, so that a hand-over dropped by a full
   * membership queue only delays an operation. Bounded: each entry is an operation just
   * accepted into the replay memory, which holds at most {@code max-active}.
   */
  private final java.util.concurrent.ConcurrentLinkedQueue<OperationVerifier.Verdict> submitted =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  public OpsDissemination(OpsConfig config, OperationVerifier verifier, SeenOperations seen,
      OperationRunner runner, OpsMembers members, Network network, Scheduler scheduler,
      RandomGenerator random, OpsStats stats) {
    this.config = config;
    this.verifier = verifier;
    this.seen = seen;
    this.runner = runner;
    this.members = members;
    this.network = network;
    this.scheduler = scheduler;
    this.random = random;
    this.stats = stats;
  }

  /**
   * Starts the digest rounds, at a random phase so that nodes do not tick together. A node with
   * operations disabled holds nothing and asks for nothing: it has no rounds (frames reaching it
   * are still refused and counted).
   */
  public void start() {
    running = true;
    if (config.enabled()) {
      tick = scheduler.schedule(1 + random.nextLong(config.digestIntervalMillis()), this::onTick);
    }
  }

  public void stop() {
    running = false;
    if (tick != null) {
      tick.cancel();
    }
  }

  /** One authenticated frame of type OP, DIGEST or WANT from {@code from}. Membership thread. */
  public void onFrame(InetSocketAddress from, byte[] frame) {
    if (!running) {
      return;
    }
    int type = frame[io.kvstore.protocol.InternalFrame.TYPE_OFFSET] & 0xFF;
    switch (type) {
      case OpsFrames.OP -> stats.opFramesReceived.increment();
      case OpsFrames.DIGEST -> stats.digestFramesReceived.increment();
      default -> stats.wantFramesReceived.increment();
    }
    if (!members.isMember(from)) {
      stats.fromNonMembers.increment();
      return;
    }
    switch (type) {
      case OpsFrames.OP -> onOp(from, frame);
      case OpsFrames.DIGEST -> onDigest(from, frame);
      case OpsFrames.WANT -> onWant(from, frame);
      default -> stats.malformedFrames.increment();
    }
  }

  private void onOp(InetSocketAddress from, byte[] frame) {
    byte[] id = OpsFrames.peekId(frame);
    if (id != null && seen.contains(id)) {
      stats.duplicates.increment(); // no signature check for what is held already
      return;
    }
    if (verifiesLeft <= 0) {
      stats.verifiesThrottled.increment();
      return;
    }
    verifiesLeft--;
    OperationVerifier.Verdict verdict = verifier.verify(OpsFrames.opBytes(frame), from);
    if (verdict.accepted()) {
      accepted(verdict, from);
    }
  }

  /**
   * An operation the verifier accepted (and remembered) just now: relay it, then run it if it
   * targets this node; one a client submitted here that does not target it goes to the runner as
   * {@link OperationRunner#originOnly} (a file's upload still comes here). Membership thread.
   *
   * @param from its sender, not relayed to (null: a client submitted it here)
   */
  public void accepted(OperationVerifier.Verdict verdict, InetSocketAddress from) {
    SignedOperation op = verdict.op();
    byte[] frame = OpsFrames.op(random, op);
    for (InetSocketAddress to : members.randomAlive(config.fanout() + (from == null ? 0 : 1))) {
      if (!to.equals(from)) {
        sendOp(to, frame);
      }
    }
    try {
      if (verdict.runsHere()) {
        stats.handedToRunner.increment();
        runner.run(op);
      } else if (from == null) {
        runner.originOnly(op);
      }
    } catch (RuntimeException e) {
      log.error("the runner failed on {}", op, e); // a runner bug must not stop the spreading
    }
  }

  /** An operation a client submitted and the verifier accepted; any thread. Then {@link #drainSubmitted}. */
  public void submitted(OperationVerifier.Verdict verdict) {
    submitted.add(verdict);
  }

  /** Spreads (and runs) what clients submitted; membership thread. */
  public void drainSubmitted() {
    OperationVerifier.Verdict v;
    while ((v = submitted.poll()) != null) {
      accepted(v, null);
    }
  }

  private void onDigest(InetSocketAddress from, byte[] frame) {
    OpsFrames.Ids digest = OpsFrames.parseIds(frame);
    if (digest == null) {
      stats.malformedFrames.increment();
      return;
    }
    if (!config.enabled()) {
      return; // every operation would be refused: asking for them is waste
    }
    List<byte[]> wanted = new ArrayList<>();
    Set<SeenOperations.Id> named = new HashSet<>();
    for (byte[] id : digest.ids()) {
      named.add(SeenOperations.Id.of(id));
      if (!seen.contains(id)) {
        wanted.add(id);
      }
    }
    if (!wanted.isEmpty()) {
      if (wantsLeft > 0) {
        wantsLeft--;
        byte[] want = OpsFrames.ids(random, OpsFrames.WANT, false, wanted);
        stats.wantFramesSent.increment();
        stats.wantBytesSent.add(want.length);
        network.send(from, want);
      } else {
        stats.answersThrottled.increment();
      }
    }
    if (digest.complete()) {
      for (SignedOperation op : seen.active()) {
        if (!named.contains(SeenOperations.Id.of(op.id()))) {
          answer(from, op);
        }
      }
    }
  }

  private void onWant(InetSocketAddress from, byte[] frame) {
    OpsFrames.Ids want = OpsFrames.parseIds(frame);
    if (want == null) {
      stats.malformedFrames.increment();
      return;
    }
    for (byte[] id : want.ids()) {
      SignedOperation op = seen.get(id);
      if (op != null) {
        answer(from, op);
      }
    }
  }

  private void answer(InetSocketAddress to, SignedOperation op) {
    if (answersLeft <= 0) {
      stats.answersThrottled.increment();
      return;
    }
    answersLeft--;
    sendOp(to, OpsFrames.op(random, op));
  }

  private void sendOp(InetSocketAddress to, byte[] frame) {
    stats.opFramesSent.increment();
    stats.opBytesSent.add(frame.length);
    network.send(to, frame);
  }

  private void onTick() {
    if (!running) {
      return;
    }
    answersLeft = ANSWERS_PER_INTERVAL;
    wantsLeft = WANTS_PER_INTERVAL;
    verifiesLeft = VERIFIES_PER_INTERVAL;
    drainSubmitted();
    stats.expired.add(seen.expire());
    sendDigest();
    tick = scheduler.schedule(config.digestIntervalMillis(), this::onTick);
  }

  /**
   * The held ids to one random member. Sent even when empty: the receiver then pushes what it
   * holds, so a node that was down pulls as well as being pushed to.
   */
  private void sendDigest() {
    List<InetSocketAddress> to = members.randomAlive(1);
    if (to.isEmpty()) {
      return;
    }
    List<SignedOperation> active = seen.active();
    boolean complete = active.size() <= OpsFrames.MAX_IDS;
    for (int from = 0; from == 0 || from < active.size(); from += OpsFrames.MAX_IDS) {
      List<byte[]> ids = new ArrayList<>();
      for (SignedOperation op : active.subList(from, Math.min(active.size(), from + OpsFrames.MAX_IDS))) {
        ids.add(op.id());
      }
      byte[] frame = OpsFrames.ids(random, OpsFrames.DIGEST, complete, ids);
      stats.digestFramesSent.increment();
      stats.digestBytesSent.add(frame.length);
      network.send(to.get(0), frame);
    }
  }

  /** Operations held (unexpired). */
  public int held() {
    return seen.active().size();
  }
}
