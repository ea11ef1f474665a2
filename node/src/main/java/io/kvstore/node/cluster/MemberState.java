package io.kvstore.node.cluster;

/** A member's state in one node's view (SWIM). */
public enum MemberState {
  /** Answering probes. */
  ALIVE,
  /** Missed a probe; declared dead unless it refutes before the suspicion times out. */
  SUSPECT,
  /** Failed to refute a suspicion (crashed, partitioned, or SHUTDOWN). */
  DEAD,
  /** Left gracefully (SIGTERM). */
  LEFT;

  /** Alive and suspect members still own their keys; dead and left ones do not. */
  public boolean isLive() {
    return this == ALIVE || this == SUSPECT;
  }
}
