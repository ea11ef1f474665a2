package io.kvstore.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.InternalFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RangeStreamFramesTest {
  private final ManualClock clock = new ManualClock();
  private final long now = HybridLogicalClock.timestamp(clock.currentTimeMillis(), 0);

  private static byte[] key(int i) {
    byte[] k = new byte[32];
    k[0] = (byte) i;
    return k;
  }

  @Test
  void aBatchRoundTripsLiveValuesAndTombstones() {
    List<RangeStreamFrames.Entry> entries = List.of(
        new RangeStreamFrames.Entry(key(1), VersionedRecord.live(now, new byte[] {7, 8})),
        new RangeStreamFrames.Entry(key(2), VersionedRecord.tombstone(now + 1)));
    RangeStreamFrames.Batch b =
        RangeStreamFrames.decodeBatch(RangeStreamFrames.batch(42, 3, 0xABCDL, entries));
    assertThat(b.pass()).isEqualTo(42);
    assertThat(b.number()).isEqualTo(3);
    assertThat(b.ring()).isEqualTo(0xABCDL);
    assertThat(b.entries()).hasSize(2);
    assertThat(b.entries().get(0).key()).isEqualTo(key(1));
    assertThat(b.entries().get(0).record()).isEqualTo(VersionedRecord.live(now, new byte[] {7, 8}));
    assertThat(b.entries().get(1).record()).isEqualTo(VersionedRecord.tombstone(now + 1));
  }

  @Test
  void acksAndNoticesRoundTrip() {
    RangeStreamFrames.Ack ack = new RangeStreamFrames.Ack(9, 4, 100, 2, 1);
    assertThat(RangeStreamFrames.decodeAck(RangeStreamFrames.ack(ack))).isEqualTo(ack);
    assertThat(RangeStreamFrames.decodeNotice(RangeStreamFrames.done(9, 5, 77), RangeStreamFrames.DONE))
        .isEqualTo(new RangeStreamFrames.RingNotice(9, 5, 77));
    assertThat(RangeStreamFrames.decodeNotice(RangeStreamFrames.request(0, 78), RangeStreamFrames.REQUEST))
        .isEqualTo(new RangeStreamFrames.RingNotice(0, 0, 78));
  }

  @Test
  void aBatchNeverExceedsItsBoundEncodedOrDecoded() {
    List<RangeStreamFrames.Entry> many = new ArrayList<>();
    int body = 10;
    for (int i = 0; RangeStreamFrames.fits(body - 10, 15_000 + RangeStreamFrames.RECORD_OVERHEAD); i++) {
      many.add(new RangeStreamFrames.Entry(key(i), VersionedRecord.live(now, new byte[15_000])));
      body += 15_000 + RangeStreamFrames.RECORD_OVERHEAD;
    }
    byte[] frame = RangeStreamFrames.batch(1, 1, 1, many);
    assertThat(frame.length).isLessThanOrEqualTo(InternalFrame.HEADER + RangeStreamFrames.MAX_BATCH_BODY);
    assertThat(frame.length + InternalFrame.TAG_LENGTH)
        .as("sealed, it fits what a node reads of a datagram")
        .isLessThanOrEqualTo(io.kvstore.node.request.OversizedDatagrams.LIMIT);
    List<RangeStreamFrames.Entry> tooMany = new ArrayList<>(many);
    tooMany.add(new RangeStreamFrames.Entry(key(99), VersionedRecord.live(now, new byte[15_000])));
    assertThatThrownBy(() -> RangeStreamFrames.batch(1, 1, 1, tooMany))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedFramesAreRefusedWithAClearError() {
    byte[] good = RangeStreamFrames.batch(1, 1, 1,
        List.of(new RangeStreamFrames.Entry(key(1), VersionedRecord.live(now, new byte[] {1}))));
    assertThatThrownBy(() -> RangeStreamFrames.decodeBatch(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class).hasMessageContaining("bad record");
    assertThatThrownBy(() -> RangeStreamFrames.decodeBatch(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class).hasMessageContaining("trailing");
    byte[] hugeCount = good.clone();
    ByteBuffer.wrap(hugeCount).putShort(InternalFrame.HEADER + 8, (short) 0xFFFF);
    assertThatThrownBy(() -> RangeStreamFrames.decodeBatch(hugeCount))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class).hasMessageContaining("exceeds the frame");
    byte[] badFlags = good.clone();
    badFlags[InternalFrame.HEADER + 10 + 32] = 0x04;
    assertThatThrownBy(() -> RangeStreamFrames.decodeBatch(badFlags))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class);
    byte[] tombstoneWithValue = good.clone();
    tombstoneWithValue[InternalFrame.HEADER + 10 + 32] = 0x01;
    assertThatThrownBy(() -> RangeStreamFrames.decodeBatch(tombstoneWithValue))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class);
    assertThatThrownBy(() -> RangeStreamFrames.decodeBatch(RangeStreamFrames.done(1, 1, 1)))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class).hasMessageContaining("not a frame");
    byte[] longAck = Arrays.copyOf(RangeStreamFrames.ack(new RangeStreamFrames.Ack(1, 1, 0, 0, 0)), 30);
    assertThatThrownBy(() -> RangeStreamFrames.decodeAck(longAck))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class);
  }

  @Test
  void theReceiverMakesTheBatchDurableBeforeItReturnsTheAck() {
    MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
    Replica replica = new Replica(storage, new HybridLogicalClock(clock), clock, DiskSpaceGuard.none(),
        new ReplicationStats());
    List<Long> keysWhenDurable = new java.util.ArrayList<>();
    StreamReceiver receiver =
        new StreamReceiver(replica, new RebalanceStats(), () -> keysWhenDurable.add(storage.keyCount()));
    receiver.onBatch(RangeStreamFrames.batch(5, 0, 1, List.of(
        new RangeStreamFrames.Entry(key(1), VersionedRecord.live(now, new byte[] {1})),
        new RangeStreamFrames.Entry(key(2), VersionedRecord.live(now, new byte[] {2})))));
    assertThat(keysWhenDurable).as("once per batch, after every record of it was applied").containsExactly(2L);

    StreamReceiver failing = new StreamReceiver(replica, new RebalanceStats(), () -> {
      throw new io.kvstore.node.storage.StorageException("WAL write failed");
    });
    assertThatThrownBy(() -> failing.onBatch(RangeStreamFrames.batch(6, 0, 1, List.of(
        new RangeStreamFrames.Entry(key(3), VersionedRecord.live(now, new byte[] {3}))))))
        .as("no ACK for a batch that may not be durable").isInstanceOf(io.kvstore.node.storage.StorageException.class);
  }

  @Test
  void theReceiverAppliesOnlyNewerVersionsAndNothingOfAMalformedBatch() {
    MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
    Replica replica = new Replica(storage, new HybridLogicalClock(clock), clock, DiskSpaceGuard.none(),
        new ReplicationStats());
    RebalanceStats stats = new RebalanceStats();
    StreamReceiver receiver = new StreamReceiver(replica, stats, () -> { });
    storage.apply(key(1), VersionedRecord.live(now + 10, new byte[] {9}));
    byte[] frame = RangeStreamFrames.batch(5, 0, 1, List.of(
        new RangeStreamFrames.Entry(key(1), VersionedRecord.live(now, new byte[] {1})),
        new RangeStreamFrames.Entry(key(2), VersionedRecord.live(now, new byte[] {2}))));
    RangeStreamFrames.Ack ack = RangeStreamFrames.decodeAck(receiver.onBatch(frame));
    assertThat(ack).isEqualTo(new RangeStreamFrames.Ack(5, 0, 1, 1, 0));
    assertThat(storage.get(key(1)).value()).as("the newer version held stays").containsExactly(9);
    assertThat(storage.get(key(2)).value()).containsExactly(2);
    assertThat(RangeStreamFrames.decodeAck(receiver.onBatch(frame)))
        .as("a resent batch changes nothing").isEqualTo(new RangeStreamFrames.Ack(5, 0, 1, 1, 0));

    byte[] broken = RangeStreamFrames.batch(6, 0, 1, List.of(
        new RangeStreamFrames.Entry(key(3), VersionedRecord.live(now, new byte[] {3})),
        new RangeStreamFrames.Entry(key(4), VersionedRecord.live(now, new byte[] {4}))));
    assertThatThrownBy(() -> receiver.onBatch(Arrays.copyOf(broken, broken.length - 1)))
        .isInstanceOf(ReplicaFrames.MalformedFrameException.class);
    assertThat(storage.getRecord(key(3))).as("nothing of a malformed batch is applied").isNull();
    assertThat(storage.keyCount()).isEqualTo(2);
  }
}
