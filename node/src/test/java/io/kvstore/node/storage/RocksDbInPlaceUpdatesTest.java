package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.rocksDbAt;
import static io.kvstore.node.storage.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The records family overwrites values in place (RocksDbOptions): what that must not change. */
class RocksDbInPlaceUpdatesTest {
  @TempDir Path tempDir;


  @Test
  void overwritesOfEqualOrSmallerSizeAddNoMemtableVersionAndSurviveReopen() {
    Path dir = tempDir.resolve("db");
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      for (int i = 1; i <= 1_000; i++) {
        engine.put(key(1), value(100, i), i);
      }
      assertThat(engine.activeMemtableEntries()).as("one entry, updated in place").isEqualTo(1);
      engine.put(key(1), value(60, 7), 1_001); // smaller: in place too
      engine.put(key(1), value(200, 8), 1_002); // larger: a new version
      assertThat(engine.activeMemtableEntries()).isEqualTo(2);
      assertThat(engine.put(key(1), value(100, 9), 5)).as("an older version still loses")
          .isEqualTo(StorageEngine.WriteResult.STALE);
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(1_002, value(200, 8)));
      engine.remove(key(1), 1_003);
      assertThat(engine.keyCount()).isZero();
      engine.put(key(1), value(100, 10), 1_004);
      engine.flushWal();
    }
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(1_004, value(100, 10)));
      assertThat(engine.keyCount()).isEqualTo(1);
    }
  }

  /**
   * Overwrites in place never fill the memtable, so nothing but the WAL limit (64 MB,
   * RocksDbOptions) makes RocksDB flush it and start a new WAL: the WAL must stay bounded.
   */
  @Test
  @Timeout(120)
  void theWalStaysBoundedUnderOverwritesThatNeverFillTheMemtable() throws Exception {
    Path dir = tempDir.resolve("db");
    long largest = 0;
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      for (int i = 1; i <= 300_000; i++) { // about 165 MB of WAL records
        engine.put(key(i % 1_000), value(500, i), i);
        if (i % 64 == 0) {
          engine.flushWal();
        }
        if (i % 10_000 == 0) {
          largest = Math.max(largest, walBytes(dir));
        }
      }
      assertThat(engine.get(key(5))).isEqualTo(VersionedRecord.live(299_005, value(500, 299_005)));
    }
    // The limit's flush runs in the background: under load 6-10 the WAL reached 85 MB before it
    // caught up (80 MB was the bound then); unbounded, it would reach ~165 MB.
    assertThat(largest).as("bytes of WAL files at any check").isLessThan(100L << 20);
  }

  private static long walBytes(Path dir) throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log"))
          .mapToLong(f -> f.toFile().length()).sum();
    }
  }

  /** A scan copies each value under its key's lock, so an overwrite in place never tears it. */
  @Test
  @Timeout(60)
  void scansDuringOverwritesInPlaceSeeWholeRecords() throws Exception {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("db"))) {
      int keys = 8;
      for (int k = 0; k < keys; k++) {
        engine.put(key(k), uniform(0), 1);
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<String> torn = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        for (int i = 2; !stop.get(); i++) {
          engine.put(key(i % keys), uniform(i), i);
        }
      });
      writer.start();
      long end = System.nanoTime() + 1_000_000_000L;
      try {
        while (System.nanoTime() < end && torn.get() == null) {
          engine.scan(null, keys, (k, record) -> {
            byte[] v = record.value();
            byte expected = (byte) record.timestamp();
            if (record.timestamp() > 1 && !Arrays.equals(v, uniform(record.timestamp()))) {
              torn.compareAndSet(null, "timestamp " + record.timestamp() + " with value byte "
                  + v[0] + ", expected " + expected);
            }
          });
        }
      } finally {
        stop.set(true);
        writer.join();
      }
      assertThat(torn.get()).as("a record mixing two writes").isNull();
    }
  }

  /** 200 bytes all equal to the timestamp's low byte: a torn copy mixes two of them. */
  private static byte[] uniform(long timestamp) {
    byte[] v = new byte[200];
    Arrays.fill(v, (byte) timestamp);
    return v;
  }
}
