package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicaFrames.ReadReply;
import io.kvstore.node.replication.ReplicaFrames.ReadStatus;
import io.kvstore.node.storage.VersionedRecord;

/**
 * A read being answered by a quorum: done when R replicas gave a complete answer (one still
 * receiving the key's range is used for its value but not counted); the newest version among all
 * answers wins. Replicas that answered an older version (or none) are repaired afterwards.
 */
final class QuorumRead extends Operation {
  final int r;
  /** Per replica: the version it answered (null: absent, or no answer yet). */
  final VersionedRecord[] versions;
  int complete;
  int failed;
  VersionedRecord newest;
  /** Per replica: already sent the newest version. */
  final boolean[] repaired;

  QuorumRead(long number, byte[] key, Ring.Owner[] replicas, int r, long deadlineNanos,
      Coordinator.Completion completion) {
    super(number, key, replicas, deadlineNanos, completion);
    this.r = r;
    this.versions = new VersionedRecord[replicas.length];
    this.repaired = new boolean[replicas.length];
  }

  /** Records an answer; true when the read has just become answerable. */
  boolean onReply(int replica, ReadReply reply) {
    answered[replica] = true;
    answers++;
    if (reply.status() == ReadStatus.FAILED) {
      failed++;
    } else {
      versions[replica] = reply.record();
      if (reply.record() != null && reply.record().newerThan(newest)) {
        newest = reply.record();
      }
      if (!reply.incomplete()) {
        complete++;
      }
    }
    return !completed && complete >= r;
  }

  /** Whether R complete answers can no longer come. */
  boolean hopeless() {
    int possible = complete;
    for (int i = 0; i < replicas.length; i++) {
      if (!answered[i] && !replicas[i].down()) {
        possible++;
      }
    }
    return possible < r;
  }

  /** Whether replica {@code i} answered something older than the newest version. */
  boolean needsRepair(int i) {
    if (!answered[i] || repaired[i] || newest == null) {
      return false;
    }
    VersionedRecord had = versions[i];
    if (had == null) {
      return !newest.tombstone(); // absent is as good as a tombstone
    }
    return newest.newerThan(had);
  }
}
