package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.storage.StorageEngine.WriteResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link StorageEngine} contract, run against every engine by a subclass: reads, writes,
 * versions and tombstones, scans, replica records, wipeout, keys.
 */
abstract class StorageEngineContractTest extends StorageEngineFixture {
  @Test
  void putThenGetReturnsValueAndTimestamp() {
    StorageEngine engine = open();

    assertThat(engine.put(key(1), value(100, 1), 10)).isEqualTo(WriteResult.APPLIED);

    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(10, value(100, 1)));
    assertThat(engine.getRecord(key(1))).isEqualTo(VersionedRecord.live(10, value(100, 1)));
  }

  @Test
  void readValueHandsTheLiveValueToTheSinkAndNothingForAbsentOrDeletedKeys() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 10);
    engine.put(key(2), value(2000, 2), 10); // larger than a held record
    engine.put(key(3), value(0, 3), 10);
    engine.put(key(4), value(5, 4), 10);
    engine.remove(key(4), 11);

    assertThat(valueRead(engine, key(1))).isEqualTo(value(100, 1));
    assertThat(valueRead(engine, key(1))).as("again, now held").isEqualTo(value(100, 1));
    assertThat(valueRead(engine, key(2))).isEqualTo(value(2000, 2));
    assertThat(valueRead(engine, key(3))).as("an empty value is present").isEqualTo(new byte[0]);
    assertThat(valueRead(engine, key(4))).as("deleted").isNull();
    assertThat(valueRead(engine, key(5))).as("absent").isNull();
    assertThat(valueRead(engine, key(5))).as("absent, again").isNull();
    engine.put(key(1), value(30, 9), 12);
    assertThat(valueRead(engine, key(1))).isEqualTo(value(30, 9));
  }

  /** The value readValue handed over (copied in the sink), null if it returned false. */
  static byte[] valueRead(StorageEngine engine, byte[] key) {
    byte[][] copied = new byte[1][];
    boolean found = engine.readValue(key, (bytes, offset, length) -> {
      assertThat(copied[0]).as("one call").isNull();
      copied[0] = Arrays.copyOfRange(bytes, offset, offset + length);
    });
    assertThat(found).isEqualTo(copied[0] != null);
    return copied[0];
  }

  @Test
  void absentKeyReadsAsNull() {
    StorageEngine engine = open();

    assertThat(engine.get(key(1))).isNull();
    assertThat(engine.getRecord(key(1))).isNull();
  }

  @Test
  void newerPutOverwrites() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 10);

    assertThat(engine.put(key(1), value(50, 2), 11)).isEqualTo(WriteResult.APPLIED);

    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(11, value(50, 2)));
  }

  @Test
  void putNotNewerThanStoredIsStale() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 10);

    assertThat(engine.put(key(1), value(100, 2), 9)).isEqualTo(WriteResult.STALE);
    assertThat(engine.put(key(1), value(100, 1), 10)).as("the same version").isEqualTo(WriteResult.STALE);
    assertThat(engine.put(key(1), value(99, 9), 10)).as("equal time, shorter value")
        .isEqualTo(WriteResult.STALE);

    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(10, value(100, 1)));
  }

  @Test
  void removeReplacesLiveValueWithTombstone() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 10);

    assertThat(engine.remove(key(1), 11)).isTrue();

    assertThat(engine.get(key(1))).isNull();
    assertThat(engine.getRecord(key(1))).isEqualTo(VersionedRecord.tombstone(11));
    assertThat(engine.remove(key(1), 12)).as("second remove finds nothing live").isFalse();
  }

  @Test
  void removeOfAbsentKeyReturnsFalseButKeepsTombstoneForLaterStaleWrites() {
    StorageEngine engine = open();

    assertThat(engine.remove(key(1), 10)).isFalse();

    assertThat(engine.getRecord(key(1))).isEqualTo(VersionedRecord.tombstone(10));
    assertThat(engine.put(key(1), value(10, 1), 9)).isEqualTo(WriteResult.STALE);
    assertThat(engine.keyCount()).isZero();
  }

  /**
   * Two coordinators can stamp the same time: every replica must keep the same one of the two
   * writes whichever it saw first, or they never converge (RecordOrder).
   */
  @Test
  void writesWithEqualTimestampsAreOrderedTheSameWayWhateverTheOrderTheyArrive() {
    VersionedRecord small = VersionedRecord.live(10, value(100, 1));
    VersionedRecord large = VersionedRecord.live(10, value(100, 2));
    VersionedRecord longer = VersionedRecord.live(10, value(101, 0));
    VersionedRecord tombstone = VersionedRecord.tombstone(10);
    List<VersionedRecord> increasing = List.of(small, large, longer, tombstone);
    for (int first = 0; first < increasing.size(); first++) {
      for (int second = 0; second < increasing.size(); second++) {
        StorageEngine engine = open();
        engine.apply(key(1), increasing.get(first));
        engine.apply(key(1), increasing.get(second));
        assertThat(engine.getRecord(key(1)))
            .as("%s then %s", increasing.get(first), increasing.get(second))
            .isEqualTo(increasing.get(Math.max(first, second)));

      }
    }
  }

  @Test
  void scanVisitsEveryRecordInKeyOrderABatchAtATime() {
    StorageEngine engine = open();
    for (int i = 0; i < 10; i++) {
      engine.put(key(9 - i), value(10, i), 10 + i);
    }
    engine.remove(key(3), 100);
    List<byte[]> seen = new java.util.ArrayList<>();
    byte[] after = null;
    int batches = 0;
    do {
      after = engine.scan(after, 4, (k, record) -> seen.add(k));
      batches++;
    } while (after != null);
    assertThat(batches).isEqualTo(3);
    assertThat(seen).hasSize(10);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(java.util.Arrays.compareUnsigned(seen.get(i - 1), seen.get(i))).isNegative();
    }
    List<VersionedRecord> tombstones = new java.util.ArrayList<>();
    engine.scan(null, 100, (k, record) -> {
      if (record.tombstone()) {
        tombstones.add(record);
      }
    });
    assertThat(tombstones).containsExactly(VersionedRecord.tombstone(100));
  }

  @Test
  void removeOlderThanStoredValueIsIgnored() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 10);

    assertThat(engine.remove(key(1), 9)).isFalse();

    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(10, value(100, 1)));
    assertThat(engine.keyCount()).isEqualTo(1);
  }

  @Test
  void tombstoneHidesOlderPutsAndNewerPutRevivesKey() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 10);
    engine.remove(key(1), 20);

    assertThat(engine.put(key(1), value(100, 2), 15)).isEqualTo(WriteResult.STALE);
    assertThat(engine.put(key(1), value(100, 2), 20)).isEqualTo(WriteResult.STALE);
    assertThat(engine.get(key(1))).isNull();

    assertThat(engine.put(key(1), value(100, 3), 21)).isEqualTo(WriteResult.APPLIED);
    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(21, value(100, 3)));
    assertThat(engine.keyCount()).isEqualTo(1);
  }

  @Test
  void applyStoresOnlyNewerRecords() {
    StorageEngine engine = open();

    assertThat(engine.apply(key(1), VersionedRecord.live(10, value(100, 1))))
        .isEqualTo(WriteResult.APPLIED);
    assertThat(engine.apply(key(1), VersionedRecord.live(9, value(100, 2))))
        .isEqualTo(WriteResult.STALE);
    assertThat(engine.apply(key(1), VersionedRecord.tombstone(9))).isEqualTo(WriteResult.STALE);
    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(10, value(100, 1)));

    assertThat(engine.apply(key(1), VersionedRecord.tombstone(11))).isEqualTo(WriteResult.APPLIED);
    assertThat(engine.get(key(1))).isNull();
    assertThat(engine.getRecord(key(1))).isEqualTo(VersionedRecord.tombstone(11));
    assertThat(engine.keyCount()).isZero();
    assertThat(engine.liveBytes()).isZero();
  }

  @Test
  void applyOfTombstoneWithValueIsRejected() {
    StorageEngine engine = open();

    assertThatThrownBy(() -> engine.apply(key(1), new VersionedRecord(10, true, value(5, 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tombstone");
    assertThat(engine.getRecord(key(1))).isNull();
  }

  @Test
  void emptyValueIsLiveNotDeleted() {
    StorageEngine engine = open();

    engine.put(key(1), new byte[0], 10);

    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(10, new byte[0]));
    assertThat(engine.keyCount()).isEqualTo(1);
    assertThat(engine.liveBytes()).isEqualTo(KEY_BYTES);
  }

  @Test
  void storedDataIsIndependentOfCallerArrays() {
    StorageEngine engine = open();
    byte[] key = key(1);
    byte[] value = value(10, 1);
    engine.put(key, value, 10);

    value[0]++;
    engine.get(key).value()[1]++;
    key[0]++;

    assertThat(engine.get(key(1)).value()).isEqualTo(value(10, 1));
  }

  @Test
  void wipeoutDeletesEverythingIncludingTombstones() {
    StorageEngine engine = open(new StorageLimits(10, 0));
    for (int i = 0; i < 10; i++) {
      engine.put(key(i), value(100, i), 100);
    }
    engine.remove(key(0), 200);

    engine.wipeout();

    assertUsage(engine, 0, 0);
    for (int i = 0; i < 10; i++) {
      assertThat(engine.getRecord(key(i))).isNull();
    }
    assertThat(engine.put(key(0), value(10, 0), 1))
        .as("no tombstone is left to make an old write stale")
        .isEqualTo(WriteResult.APPLIED);
    assertUsage(engine, 1, KEY_BYTES + 10);
  }

  @Test
  void collectTombstonesRemovesOnlyTombstonesOlderThanTheGivenTimestamp() {
    StorageEngine engine = open();
    engine.put(key(1), value(10, 1), 1);
    engine.put(key(2), value(10, 2), 1);
    engine.remove(key(2), 5);
    engine.remove(key(3), 9);
    engine.remove(key(4), 10);

    assertThat(engine.collectTombstones(10)).isEqualTo(2);

    assertThat(engine.getRecord(key(2))).isNull();
    assertThat(engine.getRecord(key(3))).isNull();
    assertThat(engine.getRecord(key(4))).isEqualTo(VersionedRecord.tombstone(10));
    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(1, value(10, 1)));
    assertUsage(engine, 1, KEY_BYTES + 10);
    assertThat(engine.collectTombstones(10)).isZero();
  }

  @Test
  void keysDifferingInOneByteAreDistinct() {
    StorageEngine engine = open();
    byte[] base = new byte[KEY_BYTES];
    new Random(42).nextBytes(base);
    engine.put(base, value(10, -1), 1);

    for (int position = 0; position < KEY_BYTES; position++) {
      byte[] neighbour = base.clone();
      neighbour[position] ^= 1;
      engine.put(neighbour, value(10, position), 1);
    }

    assertThat(engine.keyCount()).isEqualTo(KEY_BYTES + 1);
    assertThat(engine.get(base).value()).isEqualTo(value(10, -1));
    for (int position = 0; position < KEY_BYTES; position++) {
      byte[] neighbour = base.clone();
      neighbour[position] ^= 1;
      assertThat(engine.get(neighbour).value()).isEqualTo(value(10, position));
    }
  }

  @Test
  void allZeroAllOnesAndSharedPrefixKeysWork() {
    StorageEngine engine = open();
    byte[] zeros = new byte[KEY_BYTES];
    byte[] ones = new byte[KEY_BYTES];
    Arrays.fill(ones, (byte) 0xFF);
    byte[] zerosButLast = zeros.clone();
    zerosButLast[KEY_BYTES - 1] = 1;
    byte[] onesButFirst = ones.clone();
    onesButFirst[0] = 0;
    List<byte[]> keys = List.of(zeros, ones, zerosButLast, onesButFirst);

    for (int i = 0; i < keys.size(); i++) {
      engine.put(keys.get(i), value(10, i), 1);
    }

    for (int i = 0; i < keys.size(); i++) {
      assertThat(engine.get(keys.get(i)).value()).isEqualTo(value(10, i));
    }
    assertThat(engine.remove(zeros, 2)).isTrue();
    assertThat(engine.get(zerosButLast)).isNotNull();
    assertThat(engine.keyCount()).isEqualTo(3);
  }

  @Test
  void sequentialKeysAreAllStoredSeparately() {
    StorageEngine engine = open();
    int count = 5_000;
    for (int i = 0; i < count; i++) {
      engine.put(key(i), key(i), 1); // the key as value shows which write each read returns
    }

    for (int i = 0; i < count; i++) {
      assertThat(engine.get(key(i)).value()).isEqualTo(key(i));
    }
    assertUsage(engine, count, count * 2L * KEY_BYTES);
  }

  @Test
  void keysOfWrongLengthAreRejected() {
    StorageEngine engine = open();

    for (byte[] bad : List.of(new byte[31], new byte[33], new byte[0])) {
      assertThatThrownBy(() -> engine.put(bad, value(10, 1), 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("32 bytes");
      assertThatThrownBy(() -> engine.get(bad)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> engine.readValue(bad, (bytes, offset, length) -> { }))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> engine.remove(bad, 1)).isInstanceOf(IllegalArgumentException.class);
    }
    assertUsage(engine, 0, 0);
  }

  @Test
  void syncIsHarmlessAtAnyTime() {
    StorageEngine engine = open();
    engine.sync();
    engine.put(key(1), value(10, 1), 1);
    engine.sync();
    engine.sync();

    assertThat(engine.get(key(1))).isNotNull();
  }
}
