package io.kvstore.node.ops;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of fleet operations on one node (thread-safe); monitor.OpsMetrics reports them. */
public final class OpsStats {
  private final Map<OpsRefusal, LongAdder> refused = new EnumMap<>(OpsRefusal.class);

  /** Operations accepted (stored and spread), whether or not they run here. */
  public final LongAdder accepted = new LongAdder();
  /** Accepted operations handed to the runner (targeted at this node). */
  public final LongAdder handedToRunner = new LongAdder();
  /** OP frames for an operation this node already holds: the epidemic's normal redundancy. */
  public final LongAdder duplicates = new LongAdder();
  public final LongAdder opFramesSent = new LongAdder();
  public final LongAdder opBytesSent = new LongAdder();
  public final LongAdder opFramesReceived = new LongAdder();
  public final LongAdder digestFramesSent = new LongAdder();
  public final LongAdder digestBytesSent = new LongAdder();
  public final LongAdder digestFramesReceived = new LongAdder();
  public final LongAdder wantFramesSent = new LongAdder();
  public final LongAdder wantBytesSent = new LongAdder();
  public final LongAdder wantFramesReceived = new LongAdder();
  /** Frames from a source that is no live member: ignored, nothing sent back. */
  public final LongAdder fromNonMembers = new LongAdder();
  /** Frames that do not parse. */
  public final LongAdder malformedFrames = new LongAdder();
  /** OP answers not sent because the per-round answer budget was spent. */
  public final LongAdder answersThrottled = new LongAdder();
  /** OP frames dropped unverified: the interval's signature checks were spent. */
  public final LongAdder verifiesThrottled = new LongAdder();
  /**
   * OPS_SUBMIT answered 0x03: more than OpsCore.SUBMITS_PER_SECOND signature checks in a second,
   * or more than its source's budget (also counted in {@link #submitsThrottledPerSource}).
   */
  public final LongAdder submitsThrottled = new LongAdder();
  /** OPS_SUBMIT answered 0x03 because its source had spent its own budget of signature checks. */
  public final LongAdder submitsThrottledPerSource = new LongAdder();
  /** Expired operations dropped from the table. */
  public final LongAdder expired = new LongAdder();

  public OpsStats() {
    for (OpsRefusal r : OpsRefusal.values()) {
      refused.put(r, new LongAdder());
    }
  }

  public void refused(OpsRefusal reason) {
    refused.get(reason).increment();
  }

  public long refusedCount(OpsRefusal reason) {
    return refused.get(reason).sum();
  }

  /** Bytes sent by dissemination (OP + DIGEST + WANT). */
  public long bytesSent() {
    return opBytesSent.sum() + digestBytesSent.sum() + wantBytesSent.sum();
  }

  /** Frames sent by dissemination (OP + DIGEST + WANT). */
  public long framesSent() {
    return opFramesSent.sum() + digestFramesSent.sum() + wantFramesSent.sum();
  }
}
