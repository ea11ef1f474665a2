package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.value;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link RocksDbStorageEngineTest}: writes {@link #KEYS} keys, removes every
 * third, flushes the WAL if told to, says {@link #READY} and waits to be killed without closing the
 * engine. Arguments: the data directory, a {@link WalMode}, {@code flush} or {@code no-flush}. The
 * background sync is off (an hour), so only the writes themselves and the flush move the WAL out.
 */
public final class RocksDbCrashChild {
  static final String READY = "READY";
  static final int KEYS = 3_000;
  static final int VALUE_BYTES = 50;
  static final long PUT_TIMESTAMP = 1;
  static final long REMOVE_TIMESTAMP = 2;
  private static final long NO_BACKGROUND_SYNC_MILLIS = 3_600_000;

  private RocksDbCrashChild() {}

  static boolean removed(int i) {
    return i % 3 == 0;
  }

  public static void main(String[] args) throws InterruptedException {
    StorageEngine engine =
        RocksDbStorageEngine.open(Path.of(args[0]), StorageLimits.UNLIMITED,
            WalMode.valueOf(args[1]), NO_BACKGROUND_SYNC_MILLIS);
    for (int i = 0; i < KEYS; i++) {
      engine.put(key(i), value(VALUE_BYTES, i), PUT_TIMESTAMP);
    }
    for (int i = 0; i < KEYS; i++) {
      if (removed(i)) {
        engine.remove(key(i), REMOVE_TIMESTAMP);
      }
    }
    if (args[2].equals("flush")) {
      engine.flushWal();
    }
    System.out.println(READY);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
