package io.kvstore.node.storage;

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

class RocksDbStorageEngineTest extends StorageEngineContractTest {
  private static final int KEY_BYTES = 32;

  @TempDir Path tempDir;
  private int engines;

  @Override
  protected StorageEngine newEngine(StorageLimits limits) {
    return RocksDbStorageEngine.open(tempDir.resolve("engine-" + engines++), limits, WalMode.BUFFERED);
  }


  @Test
  void recordsTombstonesAndCountersSurviveCleanReopen() {
    Path dir = tempDir.resolve("db");
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      assertThat(engine.countersRecounted()).as("a new store has nothing to recount").isFalse();
      for (int i = 0; i < 100; i++) {
        engine.put(key(i), value(50, i), 1);
      }
      engine.remove(key(0), 2);
    }

    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, new StorageLimits(99, 0), WalMode.BUFFERED)) {
      assertThat(engine.countersRecounted()).isFalse();
      assertUsage(engine, 99, 99 * (KEY_BYTES + 50));
      assertThat(engine.get(key(7))).isEqualTo(VersionedRecord.live(1, value(50, 7)));
      assertThat(engine.getRecord(key(0))).isEqualTo(VersionedRecord.tombstone(2));
      assertThat(engine.put(key(100), value(1, 1), 3))
          .as("the loaded counters enforce the quota")
          .isEqualTo(WriteResult.OUT_OF_SPACE);
    }
  }

  @Test
  @Timeout(60)
  void afterKillMinusNineFlushedWritesSurviveAndCountersAreRecounted() throws Exception {
    assertEveryWriteSurvivesKill("BUFFERED", "flush");
  }

  @Test
  @Timeout(60)
  void afterKillMinusNineFlushedWritesOfPutAllSurvive() throws Exception {
    assertEveryWriteSurvivesKill("BUFFERED", RocksDbCrashChild.BATCHED_FLUSH);
  }

  @Test
  void putAllIsOneRocksDbWriteAndAGetSeesItWithoutAFlush() {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("db"))) {
      byte[][] keys = {key(1), key(2), key(1), key(3)};
      byte[][] values = {value(10, 1), value(10, 2), value(12, 3), value(10, 4)};
      WriteResult[] results = new WriteResult[4];
      RuntimeException[] failures = new RuntimeException[4];
      long before = engine.storeWrites();

      engine.putAll(keys, values, new long[] {5, 5, 6, 5}, 4, results, failures);

      assertThat(engine.storeWrites() - before).as("RocksDB writes for four puts").isEqualTo(1);
      assertThat(results).containsOnly(WriteResult.APPLIED);
      assertThat(engine.mayHaveBufferedWrites()).isTrue();
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(6, value(12, 3)));
      assertUsage(engine, 3, 3 * KEY_BYTES + 32);
      engine.putAll(keys, values, new long[] {5, 5, 6, 5}, 4, results, failures);
      assertThat(results).as("the same again").containsOnly(WriteResult.STALE);
      assertThat(engine.storeWrites() - before).as("nothing new to write").isEqualTo(1);
    }
  }

  @Test
  void putAllAfterCloseFailsEveryPut() {
    RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("db"));
    engine.close();
    WriteResult[] results = new WriteResult[2];
    RuntimeException[] failures = new RuntimeException[2];
    engine.putAll(new byte[][] {key(1), key(2)}, new byte[][] {value(1, 1), value(1, 2)},
        new long[] {1, 1}, 2, results, failures);
    assertThat(results).containsOnlyNulls();
    assertThat(failures).doesNotContainNull();
  }

  @Test
  @Timeout(60)
  void afterKillMinusNineWritesHandedOverOneByOneSurviveWithoutAFlush() throws Exception {
    assertEveryWriteSurvivesKill("EVERY_WRITE", "no-flush");
  }

  @Test
  void aFlushWithNothingWrittenSinceTheLastIsFreeAndEveryWriteKindCountsAsBuffered() {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("db"))) {
      assertThat(engine.mayHaveBufferedWrites()).as("new").isFalse();
      engine.put(key(1), value(10, 1), 1);
      assertThat(engine.mayHaveBufferedWrites()).as("after a put").isTrue();
      engine.flushWal();
      assertThat(engine.mayHaveBufferedWrites()).as("after the flush").isFalse();
      engine.get(key(1));
      engine.scan(null, 10, (k, r) -> { });
      assertThat(engine.mayHaveBufferedWrites()).as("reads write nothing").isFalse();
      engine.remove(key(1), 2);
      assertThat(engine.mayHaveBufferedWrites()).as("after a remove").isTrue();
      engine.sync();
      assertThat(engine.mayHaveBufferedWrites()).as("after a sync").isFalse();
      engine.apply(key(2), VersionedRecord.live(3, value(10, 2)));
      assertThat(engine.mayHaveBufferedWrites()).as("after a replica write").isTrue();
      engine.flushWal();
      engine.collectTombstones(Long.MAX_VALUE);
      assertThat(engine.mayHaveBufferedWrites()).as("after collecting a tombstone").isTrue();
      engine.flushWal();
      assertThat(engine.mayHaveBufferedWrites()).isFalse();
    }
  }

  /** What makes the flush before replies necessary: buffered records die with the process. */
  @Test
  @Timeout(60)
  void afterKillMinusNineBufferedWritesWithoutAFlushAreLost() throws Exception {
    Path dir = tempDir.resolve("killed");
    killCrashChild(dir, "BUFFERED", "no-flush");
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      int found = 0;
      for (int i = 0; i < RocksDbCrashChild.KEYS; i++) {
        found += engine.getRecord(key(i)) == null ? 0 : 1;
      }
      assertThat(found).as("records that reached the OS without a flush").isLessThan(RocksDbCrashChild.KEYS);
    }
  }

  private void killCrashChild(Path dir, String walMode, String flush) throws Exception {
    Process child = startCrashChild(dir, walMode, flush);
    try {
      awaitReady(child);
      assertThatThrownBy(() -> rocksDbAt(dir))
          .as("a second node on the same data directory")
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("locked by another process");
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void assertEveryWriteSurvivesKill(String walMode, String flush) throws Exception {
    Path dir = tempDir.resolve("killed");
    killCrashChild(dir, walMode, flush);
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      assertThat(engine.countersRecounted()).isTrue();
      long live = 0;
      for (int i = 0; i < RocksDbCrashChild.KEYS; i++) {
        if (RocksDbCrashChild.removed(i)) {
          assertThat(engine.getRecord(key(i)))
              .isEqualTo(VersionedRecord.tombstone(RocksDbCrashChild.REMOVE_TIMESTAMP));
        } else {
          live++;
          assertThat(engine.get(key(i)))
              .isEqualTo(
                  VersionedRecord.live(
                      RocksDbCrashChild.PUT_TIMESTAMP, value(RocksDbCrashChild.VALUE_BYTES, i)));
        }
      }
      assertUsage(engine, live, live * (KEY_BYTES + RocksDbCrashChild.VALUE_BYTES));
    }
  }

  @Test
  void secondOpenInTheSameProcessFailsWithClearMessage() {
    Path dir = tempDir.resolve("db");
    try (RocksDbStorageEngine first = rocksDbAt(dir)) {
      assertThatThrownBy(() -> rocksDbAt(dir))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("locked by another process")
          .hasMessageContaining("own data directory");

      assertThat(first.put(key(1), value(10, 1), 1)).isEqualTo(WriteResult.APPLIED);
    }
    try (RocksDbStorageEngine reopened = rocksDbAt(dir)) {
      assertThat(reopened.keyCount()).isEqualTo(1);
    }
  }

  @Test
  void openFailsClearlyWhenTheDirectoryIsAFile() throws IOException {
    Path file = Files.createFile(tempDir.resolve("regular-file"));

    assertThatThrownBy(() -> rocksDbAt(file))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not a directory");
    assertThatThrownBy(() -> rocksDbAt(file.resolve("data")))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("cannot create data directory");
  }

  @Test
  void wipeoutIsDurable() {
    Path dir = tempDir.resolve("db");
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      for (int i = 0; i < 100; i++) {
        engine.put(key(i), value(50, i), 1);
      }
      engine.wipeout();
      engine.put(key(1), value(10, 1), 1);
    }

    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      assertUsage(engine, 1, KEY_BYTES + 10);
      assertThat(engine.get(key(2))).isNull();
    }
  }

  @Test
  void diskBytesCountsTheDataAndCompactionReclaimsOverwrites() {
    try (RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("db"))) {
      long emptyBytes = engine.diskBytes();
      int keys = 2_000;
      for (int round = 1; round <= 5; round++) {
        for (int i = 0; i < keys; i++) {
          engine.put(key(i), value(100, i + round), round);
        }
      }
      engine.flushWal(); // the WAL counts once it is in the OS, as after any batch of the node
      long beforeCompaction = engine.diskBytes();

      engine.compact();

      long afterCompaction = engine.diskBytes();
      assertThat(beforeCompaction).isGreaterThan(emptyBytes + 5L * keys * (KEY_BYTES + 100));
      assertThat(afterCompaction).isLessThan(beforeCompaction);
      assertThat(engine.get(key(5))).isEqualTo(VersionedRecord.live(5, value(100, 10)));
    }
  }

  @Test
  void syncEveryWriteModeStoresDurably() {
    Path dir = tempDir.resolve("db");
    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, StorageLimits.UNLIMITED, WalMode.FSYNC_EVERY_WRITE)) {
      engine.put(key(1), value(10, 1), 1);
      engine.remove(key(2), 1);
      engine.sync();
    }
    try (RocksDbStorageEngine engine = rocksDbAt(dir)) {
      assertThat(engine.get(key(1))).isEqualTo(VersionedRecord.live(1, value(10, 1)));
      assertThat(engine.getRecord(key(2))).isEqualTo(VersionedRecord.tombstone(1));
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailClearly() {
    RocksDbStorageEngine engine = rocksDbAt(tempDir.resolve("db"));
    engine.close();
    engine.close();

    assertThatThrownBy(() -> engine.get(key(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> engine.put(key(1), value(1, 1), 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(engine::wipeout).isInstanceOf(IllegalStateException.class);
  }

  private static Process startCrashChild(Path dir, String walMode, String flush)
      throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            java.toString(),
            "-Xmx64m",
            "-cp",
            System.getProperty("java.class.path"),
            RocksDbCrashChild.class.getName(),
            dir.toString(),
            walMode,
            flush)
        .redirectErrorStream(true)
        .start();
  }

  private static void awaitReady(Process child) throws IOException {
    BufferedReader output =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line = output.readLine(); line != null; line = output.readLine()) {
      if (line.equals(RocksDbCrashChild.READY)) {
        return;
      }
      seen.append(line).append('\n');
    }
    fail("the child JVM exited before it was ready; its output:\n" + seen);
  }
}
