package io.kvstore.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.replication.ReplicaFrames.AckResult;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import org.junit.jupiter.api.Test;

class ReplicaTest {
  private final ManualClock clock = new ManualClock();
  private final HybridLogicalClock hlc = new HybridLogicalClock(clock);
  private final ReplicationStats stats = new ReplicationStats();
  private final MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
  private final Replica replica = new Replica(storage, hlc, clock, DiskSpaceGuard.none(), stats);
  private final byte[] key = new byte[32];

  private long at(long offsetMillis) {
    return HybridLogicalClock.timestamp(clock.currentTimeMillis() + offsetMillis, 0);
  }

  @Test
  void newerAppliesOlderIsStaleWithTheHeldVersionAndTheSameVersionAgainIsApplied() {
    VersionedRecord v = VersionedRecord.live(at(0), new byte[] {1});
    assertThat(replica.apply(1, 0, key, v).result()).isEqualTo(AckResult.APPLIED);
    ReplicaFrames.Ack stale = replica.apply(2, 0, key, VersionedRecord.live(at(-10_000), new byte[] {2}));
    assertThat(stale.result()).isEqualTo(AckResult.STALE);
    assertThat(stale.storedTimestamp()).isEqualTo(v.timestamp());
    assertThat(replica.apply(1, 0, key, v).result()).as("a duplicate").isEqualTo(AckResult.APPLIED);
    ReplicaFrames.Ack removed = replica.apply(3, 0, key, VersionedRecord.tombstone(at(1)));
    assertThat(removed.replacedLive()).isTrue();
    assertThat(replica.read(4, 0, key).status()).isEqualTo(ReplicaFrames.ReadStatus.TOMBSTONE);
  }

  @Test
  void aVersionFromFarAheadIsRefusedAndDoesNotMoveTheClock() {
    long before = hlc.now();
    ReplicaFrames.Ack ack =
        replica.apply(1, 0, key, VersionedRecord.live(at(Replica.MAX_AHEAD_MILLIS + 60_000), new byte[] {1}));
    assertThat(ack.result()).isEqualTo(AckResult.REFUSED);
    assertThat(storage.getRecord(key)).isNull();
    assertThat(stats.replicaFromTheFuture.sum()).isEqualTo(1);
    assertThat(HybridLogicalClock.physicalMillis(hlc.now()))
        .isLessThan(HybridLogicalClock.physicalMillis(before) + 1_000);
    assertThat(replica.apply(2, 0, key, VersionedRecord.live(at(10_000), new byte[] {1})).result())
        .as("10 s ahead is within what the protocol handles").isEqualTo(AckResult.APPLIED);
  }
}
