package io.kvstore.node.replication;

import io.kvstore.node.replication.ReplicaFrames.Ack;
import io.kvstore.node.replication.ReplicaFrames.AckResult;
import io.kvstore.node.storage.StorageException;
import io.kvstore.node.storage.VersionedRecord;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Sends the records a peer lacks or holds older, as REPLICA_WRITE frames with the repair flag
 * (the replica applies only a newer version). Keys wait in a queue of at most {@value #QUEUE};
 * at most {@value #IN_FLIGHT} writes are unanswered at once; each is read from storage when it is
 * sent (so the newest version goes) and charged to the budget. A write whose ack is lost is not
 * sent again: the next round finds the key still different. Membership thread only.
 */
final class RepairPusher implements AnswerHandler {
  static final int QUEUE = 4_096;
  static final int IN_FLIGHT = 256;

  private record Push(InetSocketAddress to, byte[] key) {}

  private final AntiEntropyContext ctx;
  private final int index;
  private final long timeoutNanos;
  private final ArrayDeque<Push> queue = new ArrayDeque<>();
  private final Map<Long, Long> inFlight = new HashMap<>();
  private final OperationNumbers numbers;

  RepairPusher(AntiEntropyContext ctx, int index, long timeoutMillis, long firstNumber) {
    this.ctx = ctx;
    this.index = index;
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    this.numbers = new OperationNumbers(index, firstNumber);
  }

  /** Keys that still fit in the queue. */
  int room() {
    return QUEUE - queue.size();
  }

  int queued() {
    return queue.size();
  }

  void enqueue(InetSocketAddress to, byte[] key) {
    if (queue.size() >= QUEUE) {
      ctx.stats().pushesDropped.increment();
      return;
    }
    queue.add(new Push(to, key));
  }

  /** Sends what the in-flight bound and the budget allow. */
  void drain() {
    long now = ctx.clock().nanoTime();
    for (Iterator<Long> it = inFlight.values().iterator(); it.hasNext(); ) {
      if (now - it.next() > timeoutNanos) {
        it.remove();
      }
    }
    while (!queue.isEmpty() && inFlight.size() < IN_FLIGHT && ctx.budget().available()) {
      Push p = queue.poll();
      VersionedRecord record;
      try {
        record = ctx.storage().getRecord(p.key());
      } catch (StorageException e) {
        continue; // the next round finds it again
      }
      if (record == null) {
        continue; // collected since it was compared
      }
      ctx.charge(record);
      long number = number();
      inFlight.put(number, now);
      ctx.stats().recordsPushed.increment();
      ctx.send(p.to(), ReplicaFrames.write(number, 0, p.key(), record, true));
    }
  }

  @Override
  public void onAnswer(InetSocketAddress from, byte[] frame, int type) {
    if (type != ReplicaFrames.WRITE_ACK) {
      ctx.stats().malformed.increment();
      return;
    }
    Ack ack;
    try {
      ack = ReplicaFrames.decodeAck(frame);
    } catch (ReplicaFrames.MalformedFrameException e) {
      ctx.stats().malformed.increment();
      return;
    }
    if (inFlight.remove(ack.operation()) == null) {
      ctx.stats().lateAnswers.increment();
    } else if (ack.result() == AckResult.APPLIED) {
      ctx.stats().recordsApplied.increment();
    }
  }

  int inFlight() {
    return inFlight.size();
  }

  private long number() {
    return numbers.next();
  }
}
