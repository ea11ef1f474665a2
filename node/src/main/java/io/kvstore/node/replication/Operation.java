package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import java.net.InetSocketAddress;

/**
 * One operation a coordinator runs: its number (named in every frame), the attempt (a write is
 * stamped again when a replica holds a newer version), the key's replicas and which of them have
 * answered this attempt. Lives on its coordinator's thread only.
 */
abstract class Operation {
  final long number;
  final byte[] key;
  final Ring.Owner[] replicas;
  final long deadlineNanos;
  final Coordinator.Completion completion;
  /** Per replica: has it answered the current attempt? */
  final boolean[] answered;
  int attempt;
  int answers;
  /** The client has its answer; the operation waits only to hint or repair late replicas. */
  boolean completed;

  Operation(long number, byte[] key, Ring.Owner[] replicas, long deadlineNanos,
      Coordinator.Completion completion) {
    this.number = number;
    this.key = key;
    this.replicas = replicas;
    this.deadlineNanos = deadlineNanos;
    this.completion = completion;
    this.answered = new boolean[replicas.length];
  }

  /** Which replica sent an answer from {@code from}, or -1 (not a replica of this key). */
  final int replicaAt(InetSocketAddress from) {
    for (int i = 0; i < replicas.length; i++) {
      if (replicas[i].address().equals(from)) {
        return i;
      }
    }
    return -1;
  }

  /** Every replica that is not down has answered: nothing more to wait for. */
  final boolean allAnswered() {
    for (int i = 0; i < replicas.length; i++) {
      if (!answered[i] && !replicas[i].down()) {
        return false;
      }
    }
    return true;
  }

  final void complete(io.kvstore.protocol.ResponseCode code, byte[] value) {
    if (!completed) {
      completed = true;
      completion.complete(code, value, unfinished(code));
    }
  }

  /** What a retry resumes: a write that ended without its quorum; nothing otherwise. */
  Coordinator.WriteAttempt unfinished(io.kvstore.protocol.ResponseCode code) {
    return null;
  }
}
