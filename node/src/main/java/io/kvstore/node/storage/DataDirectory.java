package io.kvstore.node.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** The data directory on disk: created and checked before RocksDB opens it, and measured. */
final class DataDirectory {
  private DataDirectory() {}

  /** Creates the data directory if needed and checks that this user can write to it. */
  static void prepare(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      throw new StorageException(
          "data directory "
              + dir
              + " exists but is not a directory:"
              + " move that file away or choose another data directory",
          e);
    } catch (IOException e) {
      throw new StorageException(
          "cannot create data directory "
              + dir
              + " ("
              + e
              + "): check the path and the permissions of its parent",
          e);
    }
    if (!Files.isWritable(dir)) {
      throw new StorageException(
          "data directory "
              + dir
              + " is not writable by this user:"
              + " fix its permissions or choose another data directory");
    }
  }

  /** The size of a regular file; 0 for one deleted meanwhile (compactions delete files). */
  static long fileSize(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return attributes.isRegularFile() ? attributes.size() : 0;
    } catch (NoSuchFileException e) {
      return 0; // deleted by a compaction since the listing: no longer on disk
    } catch (IOException e) {
      throw new StorageException(
          "cannot read the size of " + file + ": " + e + "; check the data directory", e);
    }
  }
}
