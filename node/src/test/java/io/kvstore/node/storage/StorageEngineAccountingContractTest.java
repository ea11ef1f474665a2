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
 * The {@link StorageEngine} contract on what it counts and bounds: key count and live bytes,
 * the key and byte quotas, batched writes against writes one by one, and the counters under
 * concurrent writers; run against every engine by a subclass.
 */
abstract class StorageEngineAccountingContractTest extends StorageEngineFixture {
  /**
   * putAll gives each write the outcome put one after the other gives it, and leaves the same
   * store: random batches over 12 keys with repeated keys, ties of timestamp and length (settled by
   * the value's bytes), older versions behind newer ones in one batch, a key quota and a byte
   * quota that some writes pass.
   */
  @Test
  void putAllIsPutOneAfterTheOther() {
    Random random = new Random(42);
    for (int round = 0; round < 8; round++) {
      StorageLimits limits = round % 2 == 0 ? new StorageLimits(8, 0) : new StorageLimits(0, 600);
      StorageEngine batched = open(limits);
      StorageEngine oneByOne = open(limits);
      for (int b = 0; b < 10; b++) {
        int n = 1 + random.nextInt(40);
        byte[][] keys = new byte[n][];
        byte[][] values = new byte[n][];
        long[] timestamps = new long[n];
        for (int i = 0; i < n; i++) {
          keys[i] = key(random.nextInt(12));
          values[i] = value(random.nextInt(3) * 20, random.nextInt(3));
          timestamps[i] = 1 + random.nextInt(30);
        }
        WriteResult[] results = new WriteResult[n];
        RuntimeException[] failures = new RuntimeException[n];
        Arrays.fill(failures, new IllegalStateException("left from before"));
        batched.putAll(keys, values, timestamps, n, results, failures);
        for (int i = 0; i < n; i++) {
          assertThat(failures[i]).isNull();
          assertThat(results[i]).as("round %d batch %d write %d", round, b, i)
              .isEqualTo(oneByOne.put(keys[i], values[i], timestamps[i]));
        }
        assertThat(batched.keyCount()).isEqualTo(oneByOne.keyCount());
        assertThat(batched.liveBytes()).isEqualTo(oneByOne.liveBytes());
        for (int k = 0; k < 12; k++) {
          assertThat(batched.getRecord(key(k))).as("key %d", k).isEqualTo(oneByOne.getRecord(key(k)));
        }
      }
    }
  }

  @Test
  void putAllOfAKeyOfWrongLengthFailsThatWriteOnlyAndStoresTheOthers() {
    StorageEngine engine = open();
    byte[][] keys = {key(1), new byte[31], key(2)};
    byte[][] values = {value(10, 1), value(10, 2), value(10, 3)};
    WriteResult[] results = new WriteResult[3];
    RuntimeException[] failures = new RuntimeException[3];

    engine.putAll(keys, values, new long[] {5, 5, 5}, 3, results, failures);

    assertThat(results).containsExactly(WriteResult.APPLIED, null, WriteResult.APPLIED);
    assertThat(failures[0]).isNull();
    assertThat(failures[1]).isInstanceOf(IllegalArgumentException.class);
    assertThat(failures[2]).isNull();
    assertThat(engine.get(key(2))).isEqualTo(VersionedRecord.live(5, value(10, 3)));
  }

  @Test
  void keyCountAndLiveBytesAreExactThroughOverwritesAndRemoves() {
    StorageEngine engine = open();

    engine.put(key(1), value(100, 1), 1);
    engine.put(key(2), value(10, 2), 2);
    assertUsage(engine, 2, 2 * KEY_BYTES + 110);

    engine.put(key(1), value(300, 3), 3); // grow
    assertUsage(engine, 2, 2 * KEY_BYTES + 310);

    engine.put(key(1), value(1, 4), 4); // shrink
    assertUsage(engine, 2, 2 * KEY_BYTES + 11);

    engine.remove(key(2), 5);
    assertUsage(engine, 1, KEY_BYTES + 1);

    engine.remove(key(2), 6); // already a tombstone
    engine.remove(key(3), 7); // never existed
    assertUsage(engine, 1, KEY_BYTES + 1);

    engine.put(key(2), value(20, 5), 8); // revive
    assertUsage(engine, 2, 2 * KEY_BYTES + 21);
  }

  @Test
  void staleWritesDoNotChangeCounters() {
    StorageEngine engine = open();
    engine.put(key(1), value(100, 1), 10);

    engine.put(key(1), value(500, 2), 5);
    engine.remove(key(1), 5);
    engine.apply(key(1), VersionedRecord.tombstone(9));
    engine.put(key(1), value(100, 0), 10); // equal time and length, smaller bytes

    assertUsage(engine, 1, KEY_BYTES + 100);
  }

  @Test
  void putBeyondKeyQuotaIsOutOfSpaceAndChangesNothing() {
    StorageEngine engine = open(new StorageLimits(3, 0));
    for (int i = 0; i < 3; i++) {
      assertThat(engine.put(key(i), value(10, i), 1)).isEqualTo(WriteResult.APPLIED);
    }

    assertThat(engine.put(key(3), value(10, 3), 1)).isEqualTo(WriteResult.OUT_OF_SPACE);

    assertThat(engine.getRecord(key(3))).isNull();
    assertUsage(engine, 3, 3 * (KEY_BYTES + 10));
  }

  @Test
  void atKeyQuotaOverwritesAndRemovesStillWork() {
    StorageEngine engine = open(new StorageLimits(2, 0));
    engine.put(key(1), value(10, 1), 1);
    engine.put(key(2), value(10, 2), 1);

    assertThat(engine.put(key(1), value(500, 3), 2)).isEqualTo(WriteResult.APPLIED);
    assertThat(engine.remove(key(2), 2)).isTrue();
    assertThat(engine.put(key(3), value(10, 4), 3))
        .as("the remove freed room for a new key")
        .isEqualTo(WriteResult.APPLIED);
    assertThat(engine.put(key(2), value(10, 5), 3))
        .as("reviving a removed key counts as a new key")
        .isEqualTo(WriteResult.OUT_OF_SPACE);
    assertThat(engine.getRecord(key(2))).isEqualTo(VersionedRecord.tombstone(2));
    assertUsage(engine, 2, 2 * KEY_BYTES + 510);
  }

  @Test
  void putBeyondByteQuotaIsOutOfSpaceAndChangesNothing() {
    long quota = 2 * (KEY_BYTES + 100);
    StorageEngine engine = open(new StorageLimits(0, quota));
    engine.put(key(1), value(100, 1), 1);

    assertThat(engine.put(key(2), value(101, 2), 1)).isEqualTo(WriteResult.OUT_OF_SPACE);
    assertThat(engine.getRecord(key(2))).isNull();
    assertThat(engine.put(key(2), value(100, 2), 1))
        .as("exactly at the quota is allowed")
        .isEqualTo(WriteResult.APPLIED);

    assertThat(engine.put(key(1), value(101, 3), 2)).isEqualTo(WriteResult.OUT_OF_SPACE);
    assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(1, value(100, 1)));
    assertUsage(engine, 2, quota);
  }

  @Test
  void atByteQuotaOverwritesNoLargerAndRemovesStillWork() {
    long quota = 2 * (KEY_BYTES + 100);
    StorageEngine engine = open(new StorageLimits(0, quota));
    engine.put(key(1), value(100, 1), 1);
    engine.put(key(2), value(100, 2), 1);

    assertThat(engine.put(key(1), value(100, 3), 2)).isEqualTo(WriteResult.APPLIED);
    assertThat(engine.put(key(2), value(40, 4), 2)).isEqualTo(WriteResult.APPLIED);
    assertThat(engine.put(key(2), value(100, 5), 3)).isEqualTo(WriteResult.APPLIED);
    assertThat(engine.remove(key(1), 3)).isTrue();

    assertUsage(engine, 1, KEY_BYTES + 100);
  }

  @Test
  void applyOfLiveRecordHonoursQuotaButTombstonesAlwaysApply() {
    StorageEngine engine = open(new StorageLimits(1, 0));
    engine.put(key(1), value(10, 1), 1);

    assertThat(engine.apply(key(2), VersionedRecord.live(5, value(10, 2))))
        .isEqualTo(WriteResult.OUT_OF_SPACE);
    assertThat(engine.apply(key(2), VersionedRecord.tombstone(5))).isEqualTo(WriteResult.APPLIED);
    assertThat(engine.apply(key(1), VersionedRecord.tombstone(5))).isEqualTo(WriteResult.APPLIED);
    assertUsage(engine, 0, 0);
  }

  @Test
  void concurrentWritesFromFourThreadsKeepCountersExact() throws Exception {
    StorageEngine engine = open();
    int keySpace = 300;
    AtomicLong clock = new AtomicLong();

    runConcurrently(
        4,
        thread -> {
          Random random = new Random(thread);
          for (int i = 0; i < 3_000; i++) {
            byte[] key = key(random.nextInt(keySpace));
            long timestamp = clock.incrementAndGet();
            if (random.nextInt(4) == 0) {
              engine.remove(key, timestamp);
            } else {
              engine.put(key, value(random.nextInt(200), i), timestamp);
            }
          }
          return null;
        });

    long liveKeys = 0;
    long liveBytes = 0;
    for (int i = 0; i < keySpace; i++) {
      VersionedRecord record = engine.get(key(i));
      if (record != null) {
        liveKeys++;
        liveBytes += KEY_BYTES + record.value().length;
      }
    }
    assertUsage(engine, liveKeys, liveBytes);
  }

  @Test
  void concurrentNewKeysNeverExceedKeyQuota() throws Exception {
    StorageEngine engine = open(new StorageLimits(100, 0));

    List<Long> appliedPerThread =
        runConcurrently(
            4,
            thread -> {
              long applied = 0;
              for (int i = 0; i < 100; i++) {
                if (engine.put(key(thread * 1000 + i), value(10, i), 1) == WriteResult.APPLIED) {
                  applied++;
                }
              }
              return applied;
            });

    assertThat(appliedPerThread.stream().mapToLong(Long::longValue).sum()).isEqualTo(100);
    assertUsage(engine, 100, 100 * (KEY_BYTES + 10));
  }
}
