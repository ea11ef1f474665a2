package io.kvstore.node;

import io.kvstore.node.storage.StorageEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica that was down longer than the tombstone grace period must not come back with its data:
 * the other replicas may have collected the tombstones of keys deleted meanwhile, and its old
 * values would bring those keys back through read repair and anti-entropy. The node notes in
 * {@code DATA_DIR/last-running} when it was last running (every minute and at a clean stop); a
 * start that finds that note older than the grace period wipes the local data first, loudly, and
 * lets the cluster fill it again (docs/REPLICATION.md, "Deletes").
 */
final class DownTimeGuard {
  private static final Logger log = LoggerFactory.getLogger(DownTimeGuard.class);
  static final String FILE = "last-running";

  private final Path file;

  DownTimeGuard(Path dataDir) {
    this.file = dataDir.resolve(FILE);
  }

  /**
   * Wipes {@code stores} if the node was last running more than {@code graceMillis} before
   * {@code nowMillis}; returns whether it did.
   */
  boolean wipeIfDownTooLong(long nowMillis, long graceMillis, StorageEngine... stores) {
    long last;
    try {
      last = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return false; // a new data directory (or one from before this rule): nothing to judge by
    }
    long down = nowMillis - last;
    if (down <= graceMillis) {
      return false;
    }
    log.warn("this node was last running {} ago, longer than the tombstone grace period ({}):"
            + " its data could bring deleted keys back. Starting with an empty store; the other"
            + " replicas fill it again.",
        Duration.ofMillis(down), Duration.ofMillis(graceMillis));
    for (StorageEngine store : stores) {
      store.wipeout();
    }
    return true;
  }

  /** Notes that the node is running now. Failures are logged, not thrown: this is advisory. */
  void noteRunning(long nowMillis) {
    try {
      Path tmp = file.resolveSibling(FILE + ".tmp");
      Files.writeString(tmp, Long.toString(nowMillis), StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot note the running time in {}: {}", file, e.toString());
    }
  }
}
