package io.kvstore.node.storage;

import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** RocksDB's failures as {@link StorageException}s that say where, what, and what to do. */
final class RocksDbFailures {
  private RocksDbFailures() {}

  /** A RocksDB failure as a message that says where, what, and what to do. */
  static StorageException failure(Path dir, String operation, RocksDBException e) {
    if (isNoSpace(e)) {
      return new DiskFullException(
          "RocksDB " + operation + " in " + dir + " failed: the disk is full (" + e.getMessage() + ")", e);
    }
    return new StorageException(
        "RocksDB "
            + operation
            + " in "
            + dir
            + " failed: "
            + e.getMessage()
            + "; check free disk space and the disk's health",
        e);
  }

  /**
   * RocksDB reports a full disk as IOError/NoSpace; while it waits for space to resume after such
   * an error, writes fail with the same status, or with its text only.
   */
  static boolean isNoSpace(RocksDBException e) {
    Status status = e.getStatus();
    if (status != null && status.getSubCode() == Status.SubCode.NoSpace) {
      return true;
    }
    String message = String.valueOf(e.getMessage());
    return message.contains("No space left on device") || message.contains("Max allowed space");
  }

  /** Why the store in {@code dir} did not open, and what to do about it. */
  static StorageException openFailure(Path dir, RocksDBException e) {
    String status = String.valueOf(e.getMessage());
    if (status.contains("lock file") || status.contains("lock hold")) {
      return new StorageException(
          "data directory "
              + dir
              + " is locked by another process or engine, probably a node"
              + " already running on it; stop that node or give this one its own data directory"
              + " ("
              + status
              + ")",
          e);
    }
    return new StorageException(
        "cannot open RocksDB in "
            + dir
            + ": "
            + status
            + "; check that the directory holds KVStore data, is readable and writable,"
            + " and that the disk has free space",
        e);
  }
}
