package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.value;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link RocksDbStorageEngineTest}: writes {@link #KEYS} keys, removes every
 * third, flushes the WAL if told to, says {@link #READY} and waits to be killed without closing the
 * engine. Arguments: the data directory, a {@link WalMode}, {@code flush}, {@code no-flush} or
 * {@link #BATCHED_FLUSH}. The
 * background sync is off (an hour), so only the writes themselves and the flush move the WAL out.
 */
public final class RocksDbCrashChild {
  static final String READY = "READY";
  static final int KEYS = 3_000;
  static final int VALUE_BYTES = 50;
  static final long PUT_TIMESTAMP = 1;
  static final long REMOVE_TIMESTAMP = 2;
  private static final long NO_BACKGROUND_SYNC_MILLIS = 3_600_000;

  /** Puts through putAll, 32 at a time, then flushes. */
  static final String BATCHED_FLUSH = "batched-flush";

  private RocksDbCrashChild() {}

  private static void putInBatches(StorageEngine engine) {
    int batch = 32;
    byte[][] keys = new byte[batch][];
    byte[][] values = new byte[batch][];
    long[] timestamps = new long[batch];
    StorageEngine.WriteResult[] results = new StorageEngine.WriteResult[batch];
    RuntimeException[] failures = new RuntimeException[batch];
    for (int start = 0; start < KEYS; start += batch) {
      int n = Math.min(batch, KEYS - start);
      for (int i = 0; i < n; i++) {
        keys[i] = key(start + i);
        values[i] = value(VALUE_BYTES, start + i);
        timestamps[i] = PUT_TIMESTAMP;
      }
      engine.putAll(keys, values, timestamps, n, results, failures);
      for (int i = 0; i < n; i++) {
        if (failures[i] != null) {
          throw failures[i];
        }
      }
    }
  }

  static boolean removed(int i) {
    return i % 3 == 0;
  }

  public static void main(String[] args) throws InterruptedException {
    StorageEngine engine =
        RocksDbStorageEngine.open(Path.of(args[0]), StorageLimits.UNLIMITED,
            WalMode.valueOf(args[1]), NO_BACKGROUND_SYNC_MILLIS);
    if (args[2].equals(BATCHED_FLUSH)) { // as the request pipeline stores a batch's PUTs
      putInBatches(engine);
    } else {
      for (int i = 0; i < KEYS; i++) {
        engine.put(key(i), value(VALUE_BYTES, i), PUT_TIMESTAMP);
      }
    }
    for (int i = 0; i < KEYS; i++) {
      if (removed(i)) {
        engine.remove(key(i), REMOVE_TIMESTAMP);
      }
    }
    if (args[2].equals("flush") || args[2].equals(BATCHED_FLUSH)) {
      engine.flushWal();
    }
    System.out.println(READY);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
