package io.kvstore.node.replication;

import java.util.concurrent.atomic.LongAdder;

/** Counters and gauges of rebalancing (range streaming), exported as stats (docs/MONITORING.md). */
public final class RebalanceStats {
  /** Sender: records and bytes acknowledged by their new replicas; batches sent again after loss. */
  public final LongAdder recordsStreamed = new LongAdder();
  public final LongAdder bytesStreamed = new LongAdder();
  public final LongAdder batchesRetransmitted = new LongAdder();
  /** Passes finished, and passes abandoned because the ring changed again mid-pass. */
  public final LongAdder passesCompleted = new LongAdder();
  public final LongAdder passesRestarted = new LongAdder();
  /** Batches given up after too many tries (the member stays behind and asks again later). */
  public final LongAdder batchesAbandoned = new LongAdder();
  /** Receiver: streamed records stored, already held (or newer held), refused (full, failed). */
  public final LongAdder recordsReceived = new LongAdder();
  public final LongAdder recordsStale = new LongAdder();
  public final LongAdder recordsRefused = new LongAdder();
  /** Stream requests this node sent (it is missing ranges) and answered (it streamed for a member). */
  public final LongAdder requestsSent = new LongAdder();
  public final LongAdder requestsServed = new LongAdder();
  /** Stream frames that did not decode, or came from a node that is not a member. */
  public final LongAdder malformed = new LongAdder();
  public final LongAdder strangers = new LongAdder();

  /** Gauges, written by the membership thread. */
  volatile int batchesPending;
  volatile long recordsScanned;
  volatile boolean passActive;
  volatile boolean complete = true;
  volatile int membersAwaited;

  /** Batches queued or unacknowledged in the current pass. */
  public int batchesPending() {
    return batchesPending;
  }

  /** Records the current pass has scanned so far (of the node's whole store). */
  public long recordsScanned() {
    return recordsScanned;
  }

  public boolean passActive() {
    return passActive;
  }

  /** False while this node still waits for ranges it gained (it answers reads for them as incomplete). */
  public boolean complete() {
    return complete;
  }

  /** Members whose DONE this node still waits for (0 when complete). */
  public int membersAwaited() {
    return membersAwaited;
  }
}
