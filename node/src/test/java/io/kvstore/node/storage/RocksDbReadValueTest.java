package io.kvstore.node.storage;

import static io.kvstore.node.storage.StorageEngineContractTest.valueRead;
import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.rocksDbAt;
import static io.kvstore.node.storage.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocksDB's {@code readValue}: the value handed to the sink is the stored record itself, held or
 * read from RocksDB, and no write or eviction of the key's slot can change it before the sink
 * returns (the key's stripe lock is held throughout).
 */
class RocksDbReadValueTest {
  /** RecentRecords' sets in KeyedRecords: 16,384 of 4 ways. */
  private static final int SETS = 1 << 14;
  private static final int WAYS = 4;

  @TempDir Path tempDir;


  @Test
  void aValueNotHeldIsReadFromRocksDbAndThenHeld() {
    Path dir = tempDir.resolve("reopen");
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      engine.put(key(1), value(100, 1), 5);
    }
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      assertThat(valueRead(engine, key(1))).isEqualTo(value(100, 1));
      assertThat(engine.recordCacheStats().misses()).isEqualTo(1);
      assertThat(valueRead(engine, key(1))).isEqualTo(value(100, 1));
      assertThat(engine.recordCacheStats().hits()).as("held by the first read").isEqualTo(1);
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(5, value(100, 1)));
      assertThat(engine.recordCacheStats().hits()).isEqualTo(2);
    }
  }

  @Test
  @Timeout(60)
  void aWriteOfTheKeyWaitsUntilTheSinkHasCopiedTheValue() throws Exception {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("replaced"))) {
      engine.put(key(1), value(100, 1), 5);
      AtomicBoolean written = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        engine.put(key(1), value(100, 2), 6);
        written.set(true);
      });

      byte[] copied = copiedWhile(engine, key(1), writer, written);

      assertThat(copied).as("the version found by the lookup").isEqualTo(value(100, 1));
      assertThat(written).isTrue();
      assertThat(valueRead(engine, key(1))).isEqualTo(value(100, 2));
    }
  }

  @Test
  @Timeout(60)
  void anEvictionOfTheKeysSlotWaitsUntilTheSinkHasCopiedTheValue() throws Exception {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("evicted"))) {
      byte[] held = key(1);
      List<byte[]> sameSet = keysInTheSetOf(held, WAYS);
      engine.put(held, value(100, 1), 5);
      AtomicBoolean written = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        for (byte[] other : sameSet) { // the fourth takes the slot filled longest ago: held's
          engine.put(other, value(100, 7), 6);
        }
        written.set(true);
      });

      byte[] copied = copiedWhile(engine, held, writer, written);

      assertThat(copied).isEqualTo(value(100, 1));
      assertThat(written).isTrue();
      long misses = engine.recordCacheStats().misses();
      assertThat(valueRead(engine, held)).as("evicted: read from RocksDB").isEqualTo(value(100, 1));
      assertThat(engine.recordCacheStats().misses()).isEqualTo(misses + 1);
    }
  }

  /**
   * Reads {@code key}'s value; inside the sink, starts {@code writer}, waits until it is parked on
   * a lock (the key's stripe), checks it has not written, and only then copies the bytes.
   */
  private static byte[] copiedWhile(RocksDbStorageEngine engine, byte[] key, Thread writer,
      AtomicBoolean written) throws InterruptedException {
    byte[][] copied = new byte[1][];
    boolean found = engine.readValue(key, (bytes, offset, length) -> {
      writer.start();
      awaitParked(writer);
      assertThat(written).as("the writer waits for the sink").isFalse();
      copied[0] = Arrays.copyOfRange(bytes, offset, offset + length);
    });
    writer.join();
    assertThat(found).isTrue();
    return copied[0];
  }

  private static void awaitParked(Thread thread) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (thread.getState() != Thread.State.WAITING) {
      if (!thread.isAlive() && thread.getState() == Thread.State.TERMINATED) {
        fail("the writer finished while the sink held the value");
      }
      if (System.nanoTime() > deadline) {
        fail("the writer never waited: " + thread.getState());
      }
      Thread.onSpinWait();
    }
  }

  /** {@code count} keys other than {@code key} whose RecentRecords set is key's. */
  private static List<byte[]> keysInTheSetOf(byte[] key, int count) {
    int set = StorageKey.hash(key) & (SETS - 1);
    List<byte[]> found = new ArrayList<>();
    for (int n = 2; found.size() < count; n++) {
      byte[] candidate = key(n);
      if ((StorageKey.hash(candidate) & (SETS - 1)) == set) {
        found.add(candidate);
      }
    }
    return found;
  }
}
