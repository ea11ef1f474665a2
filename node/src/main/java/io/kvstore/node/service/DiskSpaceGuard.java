package io.kvstore.node.service;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Answers "is the data disk nearly full?" cheaply on the hot path: the free space is read at most
 * once per refresh interval, not once per PUT.
 */
public final class DiskSpaceGuard {
  private static final long REFRESH_NANOS = 500_000_000L;

  private final LongSupplier freeBytes;
  private final long minFreeBytes;
  private volatile long checkedAt;
  private volatile boolean low;

  DiskSpaceGuard(LongSupplier freeBytes, long minFreeBytes) {
    this.freeBytes = freeBytes;
    this.minFreeBytes = minFreeBytes;
    this.checkedAt = System.nanoTime() - REFRESH_NANOS;
  }

  /** Guards the file system holding {@code dataDir}. */
  public static DiskSpaceGuard forDirectory(Path dataDir, long minFreeBytes) throws IOException {
    FileStore store = Files.getFileStore(dataDir);
    return new DiskSpaceGuard(
        () -> {
          try {
            return store.getUsableSpace();
          } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: do not refuse writes on a monitoring failure
          }
        },
        minFreeBytes);
  }

  /** For in-memory storage: never low. */
  public static DiskSpaceGuard none() {
    return new DiskSpaceGuard(() -> Long.MAX_VALUE, 0);
  }

  public boolean isLow() {
    long now = System.nanoTime();
    if (now - checkedAt >= REFRESH_NANOS) {
      checkedAt = now;
      low = freeBytes.getAsLong() < minFreeBytes;
    }
    return low;
  }
}
