package io.kvstore.node.replication;

import io.kvstore.node.replication.ReplicaFrames.Ack;
import io.kvstore.node.replication.ReplicaFrames.AckResult;
import io.kvstore.node.replication.ReplicaFrames.ReadReply;
import io.kvstore.node.replication.ReplicaFrames.ReadStatus;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.storage.DiskFullException;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageException;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica side: applies versioned writes to local storage and answers reads, for remote
 * coordinators (frames) and for this node's own coordinator (calls) alike, so the local copy of a
 * key follows exactly the rules a remote one does. Thread-safe (storage is): every event loop
 * answers the replica frames it receives.
 */
public final class Replica {
  private static final Logger log = LoggerFactory.getLogger(Replica.class);
  /**
   * A version stamped further ahead of this node's wall clock than this is refused: observing it
   * would drag every clock of the cluster that far into the future for good (one node with a wrong
   * clock would poison the versions of all). Skews of seconds are tolerated by design.
   */
  public static final long MAX_AHEAD_MILLIS = 5 * 60_000;

  private final StorageEngine storage;
  private final HybridLogicalClock hlc;
  private final io.kvstore.node.runtime.Clock clock;
  private final DiskSpaceGuard disk;
  private final ReplicationStats stats;
  private volatile RangeReadiness readiness = RangeReadiness.COMPLETE;

  /** Whether this node holds every write of a key's range (false while a range streams in). */
  @FunctionalInterface
  public interface RangeReadiness {
    boolean isComplete(byte[] key);

    RangeReadiness COMPLETE = key -> true;
  }

  public Replica(StorageEngine storage, HybridLogicalClock hlc, io.kvstore.node.runtime.Clock clock,
      DiskSpaceGuard disk, ReplicationStats stats) {
    this.storage = storage;
    this.hlc = hlc;
    this.clock = clock;
    this.disk = disk;
    this.stats = stats;
  }

  /** Set by rebalancing while ranges stream in. */
  public void setReadiness(RangeReadiness readiness) {
    this.readiness = readiness;
  }

  /**
   * Applies {@code record} if it is newer than what is stored. The node's clock observes its
   * timestamp, so writes this node coordinates later are stamped above it.
   *
   * @return APPLIED (stored, or exactly this version was already held), STALE with the stored
   *     newer timestamp, FULL or REFUSED
   */
  public Ack apply(long operation, int attempt, byte[] key, VersionedRecord record) {
    if (HybridLogicalClock.physicalMillis(record.timestamp())
        > clock.currentTimeMillis() + MAX_AHEAD_MILLIS) {
      stats.replicaFromTheFuture.increment();
      return new Ack(operation, attempt, AckResult.REFUSED, 0, false);
    }
    hlc.observe(record.timestamp());
    if (!record.tombstone() && disk.isLow()) {
      return new Ack(operation, attempt, AckResult.FULL, 0, false);
    }
    try {
      StorageEngine.WriteResult result;
      boolean replacedLive = false;
      try {
        if (record.tombstone()) {
          replacedLive = storage.remove(key, record.timestamp());
          result = replacedLive ? StorageEngine.WriteResult.APPLIED : StorageEngine.WriteResult.STALE;
        } else {
          result = storage.apply(key, record);
        }
      } catch (DiskFullException e) {
        disk.diskFull(); // frees the reserve: a tombstone must still fit
        if (!record.tombstone()) {
          return new Ack(operation, attempt, AckResult.FULL, 0, false);
        }
        replacedLive = storage.remove(key, record.timestamp());
        result = replacedLive ? StorageEngine.WriteResult.APPLIED : StorageEngine.WriteResult.STALE;
      }
      return switch (result) {
        case APPLIED -> {
          stats.replicaWrites.increment();
          yield new Ack(operation, attempt, AckResult.APPLIED, record.timestamp(), replacedLive);
        }
        case OUT_OF_SPACE -> new Ack(operation, attempt, AckResult.FULL, 0, false);
        case STALE -> {
          // Also where a tombstone landed on an absent key: then it is the stored version.
          VersionedRecord stored = storage.getRecord(key);
          if (stored != null && stored.equals(record)) {
            yield new Ack(operation, attempt, AckResult.APPLIED, record.timestamp(), false);
          }
          stats.replicaStale.increment();
          yield new Ack(operation, attempt, AckResult.STALE,
              stored == null ? 0 : stored.timestamp(), false);
        }
      };
    } catch (StorageException e) {
      stats.replicaFailures.increment();
      log.warn("replica write failed: {}", e.getMessage());
      return new Ack(operation, attempt, AckResult.REFUSED, 0, false);
    }
  }

  /** The stored version of {@code key} (tombstones included) as a read answer. */
  public ReadReply read(long operation, int attempt, byte[] key) {
    boolean incomplete = !readiness.isComplete(key);
    try {
      VersionedRecord record = storage.getRecord(key);
      stats.replicaReads.increment();
      ReadStatus status =
          record == null ? ReadStatus.ABSENT : record.tombstone() ? ReadStatus.TOMBSTONE : ReadStatus.FOUND;
      return new ReadReply(operation, attempt, status, record, incomplete);
    } catch (StorageException e) {
      stats.replicaFailures.increment();
      log.warn("replica read failed: {}", e.getMessage());
      return new ReadReply(operation, attempt, ReadStatus.FAILED, null, incomplete);
    }
  }

  /** A WRITE frame from a coordinator: the ack frame to send back. */
  public byte[] onWriteFrame(byte[] frame) {
    ReplicaFrames.Write w = ReplicaFrames.decodeWrite(frame);
    if (w.repair()) {
      stats.repairsReceived.increment();
    }
    return ReplicaFrames.ack(apply(w.operation(), w.attempt(), w.key(), w.record()));
  }

  /** A READ frame from a coordinator: the reply frame to send back. */
  public byte[] onReadFrame(byte[] frame) {
    ReplicaFrames.Read r = ReplicaFrames.decodeRead(frame);
    return ReplicaFrames.readReply(read(r.operation(), r.attempt(), r.key()));
  }

  public StorageEngine storage() {
    return storage;
  }
}
