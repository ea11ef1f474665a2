package io.kvstore.node.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of zeros kept on the data disk, deleted when the disk runs out so that what must still
 * work (tombstones of REMOVE, the memtable flushes and RocksDB's own recovery, which waits for a
 * write buffer's worth of free space) finds room even if another process filled the disk.
 * Re-created once the space is back.
 */
final class SpaceReserve {
  /** Name inside the data directory; storage ignores it when it sums its files. */
  static final String FILE_NAME = "space-reserve";
  private static final int CHUNK = 1 << 20;

  private final Path file;
  private final long size;

  SpaceReserve(Path dataDir, long size) {
    this.file = dataDir.resolve(FILE_NAME);
    this.size = size;
  }

  long size() {
    return size;
  }

  boolean held() {
    try {
      return Files.size(file) >= size;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes the reserve (real blocks: zeros written and synced, not a sparse file). Returns false,
   * leaving no partial file, if the disk has no room for it.
   */
  boolean create() {
    if (size == 0 || held()) {
      return true;
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer zeros = ByteBuffer.allocate(CHUNK);
      for (long written = 0; written < size; ) {
        zeros.clear().limit((int) Math.min(CHUNK, size - written));
        written += ch.write(zeros);
      }
      ch.force(true);
      return true;
    } catch (IOException e) {
      release();
      return false;
    }
  }

  /** Deletes the reserve; true if there was one. */
  boolean release() {
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      return false;
    }
  }
}
