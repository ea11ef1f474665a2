package io.kvstore.node.storage;

import static io.kvstore.node.storage.StorageEngineFixture.assertUsage;
import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.rocksDbAt;
import static io.kvstore.node.storage.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.kvstore.node.storage.StorageEngine.WriteResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocksDB's held recent records (RecentRecords): reads of recent keys answered without RocksDB and
 * never older than what a reader saw, writes on them skipping the read, counters exact.
 */
class RocksDbRecentRecordsTest {
  private static final int KEY_BYTES = 32;

  @TempDir Path tempDir;


  @Test
  void readsOfRecentKeysAreAnsweredFromHeldRecordsAndSeeEveryLaterChange() {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("held"))) {
      engine.put(key(1), value(100, 1), 5);
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(5, value(100, 1)));
      assertThat(engine.get(key(2))).as("absent, read from RocksDB").isNull();
      assertThat(engine.get(key(2))).as("absent, known").isNull();
      assertThat(engine.recordCacheStats().hits()).isEqualTo(2);
      assertThat(engine.recordCacheStats().misses()).isEqualTo(1);

      VersionedRecord read = engine.get(key(1));
      read.value()[0] ^= 1;
      assertThat(engine.get(key(1)).value()).as("readers get a copy").isEqualTo(value(100, 1));

      engine.put(key(1), value(100, 2), 6);
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(6, value(100, 2)));
      engine.remove(key(1), 7);
      assertThat(engine.get(key(1))).isNull();
      assertThat(engine.getRecord(key(1))).as("replicas compare tombstones by version")
          .isEqualTo(VersionedRecord.tombstone(7));
      assertThat(engine.collectTombstones(8)).isEqualTo(1);
      assertThat(engine.getRecord(key(1))).isNull();

      engine.put(key(3), value(2000, 3), 1);
      assertThat(engine.get(key(3))).as("too large to hold: from RocksDB")
          .isEqualTo(VersionedRecord.live(1, value(2000, 3)));
      engine.put(key(4), value(10, 4), 1);
      engine.wipeout();
      assertThat(engine.get(key(4))).as("nothing held survives a wipeout").isNull();
      assertThat(engine.recordCacheStats().heldBytes()).isZero();
    }
  }

  @Test
  void concurrentReadersNeverSeeAVersionOlderThanOneTheyHaveSeen() throws Exception {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("race"))) {
      int keys = 8;
      int writes = 20_000;
      java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<String> violation =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread writer = new Thread(() -> {
        for (int i = 1; i <= writes; i++) {
          engine.put(key(i % keys), value(20, i), i);
          if (i % 1000 == 0) {
            engine.remove(key(i % keys), i); // a tie: either way versions only grow
          }
        }
        done.set(true);
      });
      Runnable reader = () -> {
        long[] seen = new long[keys];
        while (!done.get() && violation.get() == null) {
          for (int k = 0; k < keys; k++) {
            VersionedRecord r = engine.getRecord(key(k));
            long ts = r == null ? 0 : r.timestamp();
            if (ts < seen[k]) {
              violation.set("key " + k + ": read " + ts + " after " + seen[k]);
            }
            if (r != null && !r.tombstone() && !java.util.Arrays.equals(r.value(), value(20, (int) ts))) {
              violation.set("key " + k + ": value of another version at " + ts);
            }
            seen[k] = Math.max(seen[k], ts);
          }
        }
      };
      Thread r1 = new Thread(reader);
      Thread r2 = new Thread(reader);
      writer.start();
      r1.start();
      r2.start();
      writer.join();
      r1.join();
      r2.join();
      assertThat(violation.get()).isNull();
      assertThat(engine.recordCacheStats().hits()).isPositive();
    }
  }

  @Test
  void writesOnRecentKeysSkipTheReadAndKeepLastWriterWinsAndCounters() {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("recent"))) {
      assertThat(engine.put(key(1), value(10, 1), 5)).isEqualTo(WriteResult.APPLIED);
      long missesAfterFirst = engine.recentHeaderMisses();
      assertThat(engine.put(key(1), value(20, 2), 3))
          .as("an older timestamp loses against the remembered version")
          .isEqualTo(WriteResult.STALE);
      assertThat(engine.put(key(1), value(30, 3), 6)).isEqualTo(WriteResult.APPLIED);
      assertThat(engine.recentHeaderHits()).isEqualTo(2);
      assertThat(engine.recentHeaderMisses()).isEqualTo(missesAfterFirst);
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(6, value(30, 3)));
      assertUsage(engine, 1, KEY_BYTES + 30);

      // A tie of timestamp and length is decided by the stored bytes, still read from RocksDB.
      assertThat(engine.put(key(1), value(30, 2), 6)).isEqualTo(WriteResult.STALE);
      assertThat(engine.put(key(1), value(30, 4), 6)).isEqualTo(WriteResult.APPLIED);
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(6, value(30, 4)));

      assertThat(engine.remove(key(1), 7)).isTrue();
      assertUsage(engine, 0, 0);
      assertThat(engine.collectTombstones(8)).isEqualTo(1);
      assertThat(engine.put(key(1), value(5, 5), 1))
          .as("a collected tombstone leaves the key absent, so any version is new")
          .isEqualTo(WriteResult.APPLIED);

      engine.put(key(2), value(5, 5), 9);
      engine.wipeout();
      assertThat(engine.put(key(2), value(5, 6), 1))
          .as("after a wipeout no remembered version survives")
          .isEqualTo(WriteResult.APPLIED);
      assertUsage(engine, 1, KEY_BYTES + 5);
    }
  }
}
