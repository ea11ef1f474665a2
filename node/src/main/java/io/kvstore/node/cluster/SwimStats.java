package io.kvstore.node.cluster;

/** Counters of one node's membership protocol (read by monitoring and the simulator). */
public final class SwimStats {
  long probes;
  long failedProbes;
  long suspicionsRaised;
  long refutations;
  long declaredDead;
  long malformed;
  long rejectedUpdates;

  public long probes() {
    return probes;
  }

  public long failedProbes() {
    return failedProbes;
  }

  public long suspicionsRaised() {
    return suspicionsRaised;
  }

  /** Times this node raised its incarnation to refute a suspicion about itself. */
  public long refutations() {
    return refutations;
  }

  /** Members this node itself declared dead when their suspicion timed out. */
  public long declaredDead() {
    return declaredDead;
  }

  public long malformed() {
    return malformed;
  }

  /** Updates that failed a sanity check (forged or implausible). */
  public long rejectedUpdates() {
    return rejectedUpdates;
  }
}
