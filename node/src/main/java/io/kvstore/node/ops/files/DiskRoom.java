package io.kvstore.node.ops.files;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The data disk as file push sees it: bytes usable now, and the floor a push must leave free (the
 * node's {@code min-free-disk}, below which its DiskSpaceGuard refuses PUT). A port, so the
 * transfer stays sans-IO and tests give it any disk they like.
 *
 * @param usableBytes bytes the node may still write on the disk of its data directory
 * @param minFreeBytes bytes a push must leave free
 */
public record DiskRoom(LongSupplier usableBytes, long minFreeBytes) {
  public DiskRoom {
    if (usableBytes == null || minFreeBytes < 0) {
      throw new IllegalArgumentException("disk room needs a free-space source and a floor >= 0");
    }
  }

  /** A disk that never runs out (the simulator, tests of other things). */
  public static DiskRoom unlimited() {
    return new DiskRoom(() -> Long.MAX_VALUE, 0);
  }

  /** The file system holding {@code dataDir}; a disk whose free space cannot be read is not limited. */
  public static DiskRoom of(Path dataDir, long minFreeBytes) throws IOException {
    FileStore store = Files.getFileStore(dataDir);
    return new DiskRoom(() -> {
      try {
        return store.getUsableSpace();
      } catch (IOException e) {
        return Long.MAX_VALUE; // as DiskSpaceGuard: no refusal on a monitoring failure
      }
    }, minFreeBytes);
  }
}
