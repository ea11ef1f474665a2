package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicaFrames.Ack;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.ResponseCode;

/**
 * A write (PUT or REMOVE) being replicated: done when W replicas applied this version. A replica
 * that holds a newer version answers STALE with its timestamp; when too many do for W to be
 * reached, the write is stamped again above the newest one seen and sent again (at most
 * {@value #MAX_ATTEMPTS} attempts). Only versions that W replicas applied are acknowledged, and
 * any two sets of W replicas share one, so a write acknowledged after another carries the later
 * timestamp whatever the coordinators' clocks say (docs/REPLICATION.md).
 */
final class QuorumWrite extends Operation {
  static final int MAX_ATTEMPTS = 4;

  final int w;
  final boolean remove;
  VersionedRecord record;
  /** Per replica: applied the current attempt's version (no hint needed). */
  final boolean[] applied;
  /** Per replica: answered that it holds a newer version (no hint needed either). */
  final boolean[] holdsNewer;
  int appliedCount;
  int staleCount;
  int fullCount;
  long newestStale;
  boolean replacedLive;

  QuorumWrite(long number, byte[] key, VersionedRecord record, boolean remove, Ring.Owner[] replicas,
      int w, long deadlineNanos, Coordinator.Completion completion) {
    super(number, key, replicas, deadlineNanos, completion);
    this.record = record;
    this.remove = remove;
    this.w = w;
    this.applied = new boolean[replicas.length];
    this.holdsNewer = new boolean[replicas.length];
  }

  /** What the coordinator does after an answer. */
  enum Next {
    WAIT, SUCCEEDED, RETRY, FAILED
  }

  Next onAck(int replica, Ack ack) {
    answered[replica] = true;
    answers++;
    switch (ack.result()) {
      case APPLIED -> {
        applied[replica] = true;
        appliedCount++;
        replacedLive |= ack.replacedLive();
      }
      case STALE -> {
        staleCount++;
        holdsNewer[replica] = true;
        newestStale = Math.max(newestStale, ack.storedTimestamp());
      }
      case FULL -> fullCount++;
      case REFUSED -> { }
    }
    if (completed) {
      return Next.WAIT;
    }
    if (appliedCount >= w) {
      return Next.SUCCEEDED;
    }
    if (appliedCount + stillPossible() < w) {
      return staleCount > 0 && attempt + 1 < MAX_ATTEMPTS ? Next.RETRY : Next.FAILED;
    }
    return Next.WAIT;
  }

  /** Replicas that may still apply this attempt: not answered and not known to be down. */
  private int stillPossible() {
    int possible = 0;
    for (int i = 0; i < replicas.length; i++) {
      if (!answered[i] && !replicas[i].down()) {
        possible++;
      }
    }
    return possible;
  }

  /** Starts the next attempt with {@code timestamp} (above every stale answer). */
  void restamp(long timestamp) {
    attempt++;
    record = new VersionedRecord(timestamp, record.tombstone(), record.value());
    java.util.Arrays.fill(answered, false);
    java.util.Arrays.fill(applied, false);
    java.util.Arrays.fill(holdsNewer, false);
    answers = appliedCount = staleCount = fullCount = 0;
    newestStale = 0;
  }

  @Override
  Coordinator.WriteAttempt unfinished(ResponseCode code) {
    return code == ResponseCode.REPLICAS_UNAVAILABLE
        ? new Coordinator.WriteAttempt(number, attempt, record)
        : null;
  }

  /** The reply once W replicas applied: REMOVE of a key no replica held live is "not found". */
  ResponseCode success() {
    return remove && !replacedLive ? ResponseCode.NOT_FOUND : ResponseCode.SUCCESS;
  }

  /** The reply when W cannot be reached. */
  ResponseCode failure() {
    return fullCount > 0 && appliedCount + fullCount >= w
        ? ResponseCode.OUT_OF_SPACE
        : ResponseCode.REPLICAS_UNAVAILABLE;
  }
}
