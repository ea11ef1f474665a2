package io.kvstore.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class HintStoreTest {
  private final ManualClock clock = new ManualClock();
  private final ReplicationStats stats = new ReplicationStats();
  private static final Ring.Owner A = new Ring.Owner(new NodeId("node-a"), new InetSocketAddress("127.0.0.1", 1), true);
  private static final Ring.Owner B = new Ring.Owner(new NodeId("node-b"), new InetSocketAddress("127.0.0.1", 2), true);

  private static byte[] key(int i) {
    byte[] k = new byte[32];
    k[0] = (byte) i;
    return k;
  }

  @Test
  void hintsAreKeptPerReplicaNewestPerKeyAndSurviveAReopenOfTheirStorage() {
    MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
    HintStore hints = new HintStore(storage, stats, clock);
    hints.store(A, key(1), VersionedRecord.live(10, new byte[] {1}));
    hints.store(A, key(1), VersionedRecord.live(12, new byte[] {2}));
    hints.store(A, key(1), VersionedRecord.live(11, new byte[] {3})); // older: replaced nothing
    hints.store(A, key(2), VersionedRecord.tombstone(13));
    hints.store(B, key(1), VersionedRecord.live(14, new byte[] {4}));
    assertThat(hints.replicas()).containsExactlyInAnyOrder(A.id(), B.id());
    List<HintStore.Hint> forA = hints.hintsFor(A.id(), 10);
    assertThat(forA).extracting(HintStore.Hint::record)
        .containsExactlyInAnyOrder(VersionedRecord.live(12, new byte[] {2}), VersionedRecord.tombstone(13));
    assertThat(hints.hintsFor(B.id(), 10)).singleElement()
        .satisfies(h -> assertThat(h.key()).isEqualTo(key(1)));

    HintStore reopened = new HintStore(storage, stats, clock);
    assertThat(reopened.replicas()).containsExactlyInAnyOrder(A.id(), B.id());
    forA.forEach(reopened::remove);
    assertThat(reopened.hintsFor(A.id(), 10)).isEmpty();
    assertThat(reopened.replicas()).containsExactly(B.id());
    assertThat(reopened.count()).isEqualTo(1);
  }

  @Test
  void aFullHintStoreDropsAndCountsInsteadOfGrowing() {
    HintStore hints = new HintStore(new MemoryStorageEngine(new StorageLimits(0, 4_000)), stats, clock);
    for (int i = 0; i < 10; i++) {
      hints.store(A, key(i), VersionedRecord.live(10 + i, new byte[1_000]));
    }
    assertThat(hints.bytes()).isLessThanOrEqualTo(4_000);
    assertThat(stats.hintsDropped.sum()).isEqualTo(10 - hints.count());
    assertThat(hints.count()).isBetween(1L, 4L);
  }
}
