package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicaFrames.Ack;
import io.kvstore.node.replication.ReplicaFrames.MalformedFrameException;
import io.kvstore.node.replication.ReplicaFrames.ReadReply;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.ResponseCode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;

/**
 * The coordinator of the client requests one event loop takes, sans-IO: sends each write or read
 * to the key's N replicas (the local one is applied by a call), answers the client after W acks or
 * R answers ({@link QuorumWrite}, {@link QuorumRead}), or 0x22 when they do not come within the
 * timeout. After answering, an operation waits (until all replicas answered or the timeout) to
 * hint the replicas that did not apply a write and to repair those that answered a read with an
 * older version.
 *
 * <p>Single-threaded: everything runs on the loop given as {@code timers}; answers that arrive on
 * other loops are handed over by the {@link CoordinatorRegistry}. Operation numbers carry the
 * coordinator's index in their top byte so the registry can route answers without a shared table.
 */
public final class Coordinator implements AnswerHandler {
  /** How often waiting operations are checked for their deadline. */
  static final long SWEEP_MILLIS = 10;
  /** Operations kept after their client was answered, waiting for late replicas, at most. */
  static final int LINGERING_FACTOR = 4;

  /** Receives the answer for the client, on the coordinator's thread. */
  @FunctionalInterface
  public interface Completion {
    /**
     * @param value the value read (GET found it), else null
     * @param unfinished a write that did not reach W replicas in time: the client's retry of the
     *     same request resumes it (same operation, attempt and version), so replicas that applied
     *     it answer as they did the first time instead of running it again
     */
    void complete(ResponseCode code, byte[] value, WriteAttempt unfinished);
  }

  /** The identity and version of one attempt of a write. */
  public record WriteAttempt(long number, int attempt, VersionedRecord record) {}

  private final int index;
  private final ReplicationConfig config;
  private final Supplier<Ring> ring;
  private final Replica local;
  private final HybridLogicalClock hlc;
  private final Clock clock;
  private final Scheduler timers;
  private final Network network;
  private final Hints hints;
  private final ReadRepairBudget repairBudget;
  private final ReplicationStats stats;
  private final LinkedHashMap<Long, Operation> operations = new LinkedHashMap<>();
  private final OperationNumbers numbers;
  private int waitingForClient;
  private boolean sweepScheduled;

  public Coordinator(int index, ReplicationConfig config, Supplier<Ring> ring, Replica local,
      HybridLogicalClock hlc, Clock clock, Scheduler timers, Network network, Hints hints,
      ReplicationStats stats, long firstNumber) {
    this.index = index;
    this.config = config;
    this.ring = ring;
    this.local = local;
    this.hlc = hlc;
    this.clock = clock;
    this.timers = timers;
    this.network = network;
    this.hints = hints;
    this.stats = stats;
    this.repairBudget = new ReadRepairBudget(config.readRepairsPerSecond(), clock);
    this.numbers = new OperationNumbers(index, firstNumber);
  }

  public int index() {
    return index;
  }


  /**
   * The replicas of {@code key} on the current ring (looked up once per request, then handed to
   * {@link #put}, {@link #remove} or {@link #get}), or null if this node alone holds it: the
   * request then runs locally, without replication.
   */
  public Ring.Owner[] replicasElsewhere(byte[] key) {
    Ring r = ring.get();
    if (r.selfAlone()) {
      return null; // the same answer as below, without a list per request (young collections)
    }
    Ring.Owner[] replicas = r.replicasOf(key, config.n());
    return replicas.length == 0 || (replicas.length == 1 && r.isSelf(replicas[0])) ? null : replicas;
  }

  /**
   * Replicates a PUT, or resumes the unfinished attempt of it that a retry names; false if this
   * node coordinates too much already (the caller answers 0x03).
   */
  public boolean put(byte[] key, byte[] value, Ring.Owner[] replicas, WriteAttempt resume,
      Completion completion) {
    return write(key, replicas, resume != null ? resume : new WriteAttempt(number(), 0,
        VersionedRecord.live(hlc.now(), value)), false, completion);
  }

  /** Replicates a REMOVE as a tombstone (or resumes it). */
  public boolean remove(byte[] key, Ring.Owner[] replicas, WriteAttempt resume,
      Completion completion) {
    return write(key, replicas, resume != null ? resume : new WriteAttempt(number(), 0,
        VersionedRecord.tombstone(hlc.now())), true, completion);
  }

  /** Reads {@code key} from a quorum of {@code replicas}. */
  public boolean get(byte[] key, Ring.Owner[] replicas, Completion completion) {
    if (!admit()) {
      return false;
    }
    Ring r = ring.get();
    QuorumRead op =
        new QuorumRead(number(), key, replicas, Math.min(config.r(), replicas.length), deadline(),
            completion);
    stats.reads.increment();
    track(op);
    for (int i = 0; i < replicas.length; i++) {
      Ring.Owner replica = replicas[i];
      if (r.isSelf(replica)) {
        onReadReply(op, i, local.read(op.number, 0, key));
      } else if (!replica.down()) {
        network.send(replica.address(), ReplicaFrames.read(op.number, 0, key));
      }
    }
    if (!op.completed && op.hopeless()) {
      finishRead(op);
    }
    return true;
  }

  private boolean write(byte[] key, Ring.Owner[] replicas, WriteAttempt write, boolean remove,
      Completion completion) {
    if (!admit() || operations.containsKey(write.number())) {
      return false;
    }
    QuorumWrite op =
        new QuorumWrite(write.number(), key, write.record(), remove, replicas,
            Math.min(config.w(), replicas.length), deadline(), completion);
    op.attempt = write.attempt();
    stats.writes.increment();
    track(op);
    sendWrite(op);
    return true;
  }

  /** Sends the current attempt to the remote replicas, then applies it to the local one. */
  private void sendWrite(QuorumWrite op) {
    Ring r = ring.get();
    byte[] frame = ReplicaFrames.write(op.number, op.attempt, op.key, op.record, false);
    int self = -1;
    for (int i = 0; i < op.replicas.length; i++) {
      Ring.Owner replica = op.replicas[i];
      if (r.isSelf(replica)) {
        self = i;
      } else if (!replica.down()) {
        network.send(replica.address(), frame);
      }
    }
    if (self >= 0) {
      onAck(op, self, local.apply(op.number, op.attempt, op.key, op.record));
    } else if (op.allAnswered()) {
      failOrRetry(op); // no replica is up
    }
  }

  /** A WRITE_ACK or READ_REPLY for one of this coordinator's operations, on its thread. */
  @Override
  public void onAnswer(InetSocketAddress from, byte[] frame, int type) {
    try {
      Operation op = operations.get(ReplicaFrames.operation(frame));
      if (op == null) {
        stats.lateAnswers.increment();
        return;
      }
      int replica = op.replicaAt(from);
      if (replica < 0) {
        stats.malformed.increment(); // an answer from a node that is not a replica of the key
        return;
      }
      if (type == ReplicaFrames.WRITE_ACK && op instanceof QuorumWrite w) {
        Ack ack = ReplicaFrames.decodeAck(frame);
        if (ack.attempt() != w.attempt || w.answered[replica]) {
          stats.lateAnswers.increment();
          return;
        }
        onAck(w, replica, ack);
      } else if (type == ReplicaFrames.READ_REPLY && op instanceof QuorumRead r) {
        ReadReply reply = ReplicaFrames.decodeReadReply(frame);
        if (r.answered[replica]) {
          stats.lateAnswers.increment();
          return;
        }
        onReadReply(r, replica, reply);
      } else {
        stats.malformed.increment();
      }
    } catch (MalformedFrameException e) {
      stats.malformed.increment();
    }
  }

  private void onAck(QuorumWrite op, int replica, Ack ack) {
    switch (op.onAck(replica, ack)) {
      case SUCCEEDED -> succeed(op);
      case RETRY, FAILED -> failOrRetry(op);
      case WAIT -> { }
    }
    if (op.completed && op.allAnswered()) {
      finish(op);
    }
  }

  private void succeed(QuorumWrite op) {
    op.complete(op.success(), null);
    waitingForClient--;
    if (op.allAnswered()) {
      finish(op);
    }
  }

  private void failOrRetry(QuorumWrite op) {
    if (op.staleCount > 0 && op.attempt + 1 < QuorumWrite.MAX_ATTEMPTS) {
      stats.staleRetries.increment();
      op.restamp(hlc.observe(op.newestStale));
      sendWrite(op);
      return;
    }
    op.complete(op.failure(), null);
    stats.writeTimeouts.increment();
    waitingForClient--;
    finish(op);
  }

  private void onReadReply(QuorumRead op, int replica, ReadReply reply) {
    if (op.onReply(replica, reply)) {
      VersionedRecord newest = op.newest;
      op.complete(
          newest == null || newest.tombstone() ? ResponseCode.NOT_FOUND : ResponseCode.SUCCESS,
          newest == null || newest.tombstone() ? null : newest.value());
      waitingForClient--;
    }
    if (op.completed) {
      repair(op);
      if (op.allAnswered()) {
        finish(op);
      }
    } else if (op.hopeless()) {
      finishRead(op);
    }
  }

  private void finishRead(QuorumRead op) {
    op.complete(ResponseCode.REPLICAS_UNAVAILABLE, null);
    stats.readTimeouts.increment();
    waitingForClient--;
    finish(op);
  }

  /** Read repair: every replica that answered an older version gets the newest. */
  private void repair(QuorumRead op) {
    Ring r = ring.get();
    for (int i = 0; i < op.replicas.length; i++) {
      if (!op.needsRepair(i)) {
        continue;
      }
      op.repaired[i] = true;
      if (!repairBudget.tryAcquire()) {
        stats.repairsSkipped.increment();
        continue;
      }
      stats.repairsSent.increment();
      if (r.isSelf(op.replicas[i])) {
        local.apply(0, 0, op.key, op.newest);
      } else {
        // Operation 0: the ack names no operation and is dropped as late.
        network.send(op.replicas[i].address(), ReplicaFrames.write(0, 0, op.key, op.newest, true));
      }
    }
  }

  /** The operation is over: hint the replicas of a write that did not apply it. */
  private void finish(Operation op) {
    if (operations.remove(op.number) == null) {
      return;
    }
    if (op instanceof QuorumWrite w) {
      for (int i = 0; i < w.replicas.length; i++) {
        if (!w.applied[i] && !w.holdsNewer[i]) {
          hints.store(w.replicas[i], w.key, w.record);
        }
      }
    }
  }

  private boolean isFinished(Operation op) {
    return !operations.containsKey(op.number);
  }

  private boolean admit() {
    if (waitingForClient >= config.maxOutstanding()) {
      stats.refused.increment();
      return false;
    }
    return true;
  }

  private long number() {
    return numbers.next();
  }

  private long deadline() {
    return clock.nanoTime() + config.timeoutMillis() * 1_000_000L;
  }

  private void track(Operation op) {
    operations.put(op.number, op);
    waitingForClient++;
    if (!sweepScheduled) {
      sweepScheduled = true;
      timers.schedule(SWEEP_MILLIS, this::sweep);
    }
  }

  /** Ends operations past their deadline (oldest first), and the oldest lingering beyond the bound. */
  private void sweep() {
    sweepScheduled = false;
    long now = clock.nanoTime();
    int excess = operations.size() - config.maxOutstanding() * LINGERING_FACTOR;
    List<Operation> expired = new ArrayList<>();
    for (Operation op : operations.values()) {
      if (op.deadlineNanos - now > 0 && excess <= 0) {
        break; // in start order: the rest are younger
      }
      expired.add(op);
      excess--;
    }
    for (Operation op : expired) {
      if (!op.completed) {
        op.complete(
            op instanceof QuorumWrite w ? w.failure() : ResponseCode.REPLICAS_UNAVAILABLE, null);
        (op instanceof QuorumWrite ? stats.writeTimeouts : stats.readTimeouts).increment();
        waitingForClient--;
      }
      finish(op);
    }
    if (!operations.isEmpty()) {
      sweepScheduled = true;
      timers.schedule(SWEEP_MILLIS, this::sweep);
    }
  }

  /** Operations in flight or waiting for late replicas. */
  public int outstanding() {
    return operations.size();
  }
}
