package io.kvstore.node.ops.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Writes a file from its verified chunks: to a temporary file in {@code ops/assembly} (beside
 * {@code ops/files}, so the same file system, and never a name that a pushed file could have),
 * hashing as it copies (64 KiB at a time, whatever the file size), fsynced, checked against the manifest's
 * whole-file SHA-256, renamed over {@code ops/files/NAME} atomically, then the directory fsynced.
 * A reader sees the old file or the whole new one, never a part; a mismatch leaves the old file.
 */
public final class FileAssembly {
  private static final int COPY_BUFFER = 64 * 1024;

  /** The assembled file does not hash to the manifest's SHA-256: nothing was replaced. */
  public static final class HashMismatchException extends IOException {
    HashMismatchException(String message) {
      super(message);
    }
  }

  private FileAssembly() {}

  /** Where files are assembled before the rename: beside {@code filesDir}. */
  static Path assemblyDir(Path filesDir) {
    return filesDir.resolveSibling("assembly");
  }

  /**
   * At start: deletes what a crash left in {@code ops/assembly} (nothing is assembled before the
   * node runs, and a file still wanted is fetched and assembled again). Returns how many.
   */
  public static int deleteLeftovers(Path filesDir) throws IOException {
    Path dir = assemblyDir(filesDir);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int deleted = 0;
    try (var left = Files.list(dir)) {
      for (Path p : left.toList()) {
        Files.deleteIfExists(p);
        deleted++;
      }
    }
    return deleted;
  }

  /** Assembles {@code op}'s chunks into {@code filesDir/manifest.name()} and returns the path. */
  public static Path assemble(ChunkStore store, FileOpId op, FileManifest manifest, Path filesDir)
      throws IOException {
    Files.createDirectories(filesDir);
    Path target = filesDir.resolve(manifest.name());
    if (!target.getParent().equals(filesDir)) {
      throw new IOException("destination " + manifest.name() + " leaves " + filesDir);
    }
    Path temp = Files.createDirectories(assemblyDir(filesDir)).resolve(manifest.name() + "." + op.shortHex() + ".part");
    MessageDigest digest = FileChunking.sha256();
    ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        for (int i = 0; i < manifest.chunkCount(); i++) {
          try (FileChannel in = FileChannel.open(store.chunkPath(op, i), StandardOpenOption.READ)) {
            if (in.size() != manifest.chunkLength(i)) {
              throw new HashMismatchException("chunk " + i + " has " + in.size() + " bytes");
            }
            while (in.read(buffer.clear()) > 0) {
              buffer.flip();
              digest.update(buffer.duplicate());
              while (buffer.hasRemaining()) {
                out.write(buffer);
              }
            }
          }
        }
        out.force(true);
      }
      if (!Arrays.equals(digest.digest(), manifest.fileHash())) {
        throw new HashMismatchException(
            "assembled " + manifest.name() + " does not match the manifest's SHA-256");
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    try (FileChannel dir = FileChannel.open(filesDir, StandardOpenOption.READ)) {
      dir.force(true);
    }
    return target;
  }
}
