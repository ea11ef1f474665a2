package io.kvstore.node.replication;

import java.util.concurrent.atomic.LongAdder;

/** Counters of replication, shared by the node's event loops; exported as stats (docs/REPLICATION.md). */
public final class ReplicationStats {
  /** Writes and reads this node coordinated, by outcome. */
  public final LongAdder writes = new LongAdder();
  public final LongAdder reads = new LongAdder();
  /** Answered 0x22: fewer than W (R) replicas answered in time. */
  public final LongAdder writeTimeouts = new LongAdder();
  public final LongAdder readTimeouts = new LongAdder();
  /** A replica held a newer version, so the write was stamped again above it. */
  public final LongAdder staleRetries = new LongAdder();
  /** Refused with 0x03: the node already coordinates its maximum of operations. */
  public final LongAdder refused = new LongAdder();
  /** Answered 0x22: the node was started with seeds and has not joined its cluster yet. */
  public final LongAdder refusedWhileJoining = new LongAdder();
  /** Retransmissions of a request still being coordinated (absorbed, not run twice). */
  public final LongAdder inFlightRetransmissions = new LongAdder();
  /** Answers for an operation that is no longer waiting (late, duplicated, or another attempt). */
  public final LongAdder lateAnswers = new LongAdder();
  /** Replica side: writes applied, stale writes refused, reads answered, storage failures. */
  public final LongAdder replicaWrites = new LongAdder();
  public final LongAdder replicaStale = new LongAdder();
  public final LongAdder replicaReads = new LongAdder();
  public final LongAdder replicaFailures = new LongAdder();
  /** Replica side: versions stamped more than 5 minutes ahead of this node's clock, refused. */
  public final LongAdder replicaFromTheFuture = new LongAdder();
  /** Read repair: stale replicas sent the newest version; repairs skipped over budget; received. */
  public final LongAdder repairsSent = new LongAdder();
  public final LongAdder repairsSkipped = new LongAdder();
  public final LongAdder repairsReceived = new LongAdder();
  /** Hinted handoff: hints stored, delivered, dropped (full or expired). */
  public final LongAdder hintsStored = new LongAdder();
  public final LongAdder hintsDelivered = new LongAdder();
  public final LongAdder hintsDropped = new LongAdder();
  /** Duplicated replica writes answered with the first copy's ack (not applied again). */
  public final LongAdder duplicateWrites = new LongAdder();
  /** Replica frames that did not decode. */
  public final LongAdder malformed = new LongAdder();
}
