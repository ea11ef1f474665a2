package io.kvstore.node.service;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when PUT must answer "out of space" while GET and REMOVE keep working.
 *
 * <p>Two states. <b>Normal</b>: PUT is allowed while the disk has at least {@code minFreeBytes}
 * free, and a {@link SpaceReserve} file is held. <b>Low</b>: entered when free space drops below
 * the threshold or the storage reports a full disk; the reserve is deleted at once, which gives
 * tombstones and flushes room, and PUT is refused until the disk has room for the threshold plus
 * the reserve again (hysteresis: the node does not flap at the edge). Then the reserve is
 * re-created and PUT allowed. Free space is read by a background task every {@link
 * #REFRESH_MILLIS}, never on the request path, which only reads a volatile flag.
 */
public final class DiskSpaceGuard implements AutoCloseable {
  static final long REFRESH_MILLIS = 500;
  /** Larger than the records write buffer (16 MB), which RocksDB needs free to resume writes. */
  static final long DEFAULT_RESERVE_BYTES = 20L << 20;

  private static final Logger log = LoggerFactory.getLogger(DiskSpaceGuard.class);

  private final LongSupplier freeBytes;
  private final long minFreeBytes;
  private final SpaceReserve reserve;
  private final ScheduledExecutorService refresher;
  private volatile boolean low;

  DiskSpaceGuard(LongSupplier freeBytes, long minFreeBytes, SpaceReserve reserve, boolean background) {
    this.freeBytes = freeBytes;
    this.minFreeBytes = minFreeBytes;
    this.reserve = reserve;
    if (reserve != null && !reserve.create()) {
      low = true; // no room even for the reserve: start refusing PUT
    }
    refresh();
    if (background) {
      refresher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "disk-space-guard");
                t.setDaemon(true);
                return t;
              });
      refresher.scheduleWithFixedDelay(this::refreshSafely, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      refresher = null;
    }
  }

  /**
   * Guards the file system holding {@code dataDir}, keeping a reserve of at most a quarter of the
   * disk (a 48 MB disk gets 12 MB) inside it.
   */
  public static DiskSpaceGuard forDirectory(Path dataDir, long minFreeBytes) throws IOException {
    FileStore store = Files.getFileStore(dataDir);
    long reserveBytes = Math.min(DEFAULT_RESERVE_BYTES, store.getTotalSpace() / 4);
    return new DiskSpaceGuard(
        () -> {
          try {
            return store.getUsableSpace();
          } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: do not refuse writes on a monitoring failure
          }
        },
        minFreeBytes,
        new SpaceReserve(dataDir, reserveBytes),
        true);
  }

  /** For in-memory storage: never low. */
  public static DiskSpaceGuard none() {
    return new DiskSpaceGuard(() -> Long.MAX_VALUE, 0, null, false);
  }

  /** True while PUT must answer "out of space". */
  public boolean isLow() {
    return low;
  }

  /** The storage found the disk full: free the reserve now and refuse PUT until space returns. */
  public synchronized void diskFull() {
    enterLow("the storage engine reported a full disk");
  }

  /** Re-reads the free space and moves between the states; run by the background task. */
  synchronized void refresh() {
    long free = freeBytes.getAsLong();
    if (!low) {
      if (free < minFreeBytes) {
        enterLow(free + " bytes free, below min-free-disk " + minFreeBytes);
      }
      return;
    }
    long reserveBytes = reserve == null || reserve.held() ? 0 : reserve.size();
    if (free >= minFreeBytes + reserveBytes + (reserveBytes > 0 ? minFreeBytes / 4 : 0)
        && (reserve == null || reserve.create())) {
      low = false;
      log.info("disk space is back ({} bytes free): PUT accepted again", free);
    }
  }

  private void enterLow(String why) {
    boolean released = reserve != null && reserve.release();
    if (!low) {
      log.warn(
          "data disk low ({}): PUT answers 'out of space' until it has room again; GET and REMOVE"
              + " keep working{}", why, released ? " (space reserve of " + reserve.size() + " bytes released)" : "");
    }
    low = true;
  }

  private void refreshSafely() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("checking free disk space failed: {}", e.toString());
    }
  }

  /** Keeps the reserve on disk: it is part of the data directory, like the data. */
  @Override
  public void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }
}
