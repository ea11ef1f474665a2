package io.kvstore.node.replication;

import java.util.concurrent.atomic.LongAdder;

/** Counters of anti-entropy (docs/REPLICATION.md), exported with the node's stats as {@code repair.*} (RepairMetrics). */
public final class AntiEntropyStats {
  /** Rounds this node started (one peer each), by outcome. */
  public final LongAdder rounds = new LongAdder();
  public final LongAdder roundsEqual = new LongAdder();
  public final LongAdder roundsRepaired = new LongAdder();
  /** Gave up: the peer went silent, was busy, or forgot the session. */
  public final LongAdder roundsAborted = new LongAdder();
  /** Leaves found different (initiator side). */
  public final LongAdder leavesDiffering = new LongAdder();
  /** Repair writes sent to a peer; of them, applied there (it held an older version or none). */
  public final LongAdder recordsPushed = new LongAdder();
  public final LongAdder recordsApplied = new LongAdder();
  /** Keys this node asked its peer to push (it holds them newer or only there). */
  public final LongAdder recordsPulled = new LongAdder();
  /** Bytes of anti-entropy frames and repair writes sent; bytes of records read from storage. */
  public final LongAdder bytesSent = new LongAdder();
  public final LongAdder bytesScanned = new LongAdder();
  /** Frames sent, by kind: root queries, leaf queries, digests frames. */
  public final LongAdder rootQueries = new LongAdder();
  public final LongAdder leafQueries = new LongAdder();
  public final LongAdder digestFrames = new LongAdder();
  /** Responder side: sessions refused (too many at once), frames from non-members, malformed frames. */
  public final LongAdder busy = new LongAdder();
  public final LongAdder unknownPeers = new LongAdder();
  public final LongAdder malformed = new LongAdder();
  /** Answers for a session or request no longer waiting (late, duplicated). */
  public final LongAdder lateAnswers = new LongAdder();
  /** Repair writes not sent: the push queue was full. */
  public final LongAdder pushesDropped = new LongAdder();
}
