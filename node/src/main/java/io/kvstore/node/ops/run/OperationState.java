package io.kvstore.node.ops.run;

/** Where an operation stands on one node, as its result reports it. */
public enum OperationState {
  /** Accepted by the runner, waiting for a free slot ({@code max-concurrent} are busy). */
  QUEUED,
  /** The script is running. */
  RUNNING,
  /** The script ended by itself; the exit code says how. */
  DONE,
  /** The timeout ended it: its whole process group was killed. */
  TIMED_OUT,
  /** Not run here: the runner was full ({@code busy}) or the operation was refused. */
  REFUSED,
  /** bash could not be started (the exit code is -1, the tail says why). */
  FAILED_TO_START;

  /** True once nothing more will happen to the operation on this node. */
  public boolean isFinal() {
    return this != QUEUED && this != RUNNING;
  }
}
