package io.kvstore.node.ops.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Which operation last wrote each file of {@code ops/files}: {@code ops/written/NAME} holds that
 * operation's id and issue time (24 bytes, one record per file: bounded like {@code ops/files}).
 * Written after the file's rename and before its then-script starts, so a record naming an
 * operation means its file was written and its then-script may have run. Why a record and not the
 * file's SHA-256: a digest says what the file holds, not which push wrote it (an older push still
 * held would match nothing and be fetched again over a newer one), and it costs a read of the
 * whole file (up to 16 GiB) per held operation at every start.
 */
final class WrittenFiles {
  static final int RECORD_LENGTH = FileOpId.LENGTH + 8;

  /** The operation that wrote a file, and when it was issued. */
  record Writer(FileOpId op, long issuedAtMillis) {
    /**
     * Whether this write makes {@code other} (issued at {@code otherIssuedAt}) stale: the same
     * operation, or one issued later (ties by id, so every node decides alike).
     */
    boolean supersedes(FileOpId other, long otherIssuedAt) {
      if (op.equals(other)) {
        return true;
      }
      if (issuedAtMillis != otherIssuedAt) {
        return issuedAtMillis > otherIssuedAt;
      }
      int byHigh = Long.compareUnsigned(op.high(), other.high());
      return byHigh != 0 ? byHigh > 0 : Long.compareUnsigned(op.low(), other.low()) > 0;
    }
  }

  private final Path filesDir;
  private final Path dir;
  private final Path tempDir;

  /** @param filesDir {@code ops/files}; records go to {@code ops/written}, temporaries to {@code ops/assembly} */
  WrittenFiles(Path filesDir) {
    this.filesDir = filesDir;
    this.dir = filesDir.resolveSibling("written");
    this.tempDir = FileAssembly.assemblyDir(filesDir);
  }

  /**
   * Whether a write of {@code name} by {@code op} (issued at {@code issuedAtMillis}) is done or
   * stale here: the record names this operation or one issued later.
   */
  boolean writtenOrSuperseded(String name, FileOpId op, long issuedAtMillis) {
    Writer writer = read(name);
    return writer != null && writer.supersedes(op, issuedAtMillis);
  }

  /** The operation issued later than {@code op} that wrote its file here already, or null. */
  FileOpId newerWriter(FileOp op) {
    Writer writer = read(op.manifest.name());
    return writer != null && !writer.op().equals(op.id) && writer.supersedes(op.id, op.issuedAtMillis)
        ? writer.op() : null;
  }

  /**
   * Assembles {@code op}'s file from {@code store} into {@code ops/files} and records it: after
   * the rename, before the then-script, so a crash between them fetches and writes again.
   */
  Path write(ChunkStore store, FileOp op) throws IOException {
    Path file = FileAssembly.assemble(store, op.id, op.manifest, filesDir);
    record(op.manifest.name(), op.id, op.issuedAtMillis);
    return file;
  }

  /**
   * The operation that last wrote {@code name}, or null: none recorded (never written here, or
   * written by a node version that kept no record), or a record that is cut or unreadable.
   */
  Writer read(String name) {
    try {
      byte[] bytes = Files.readAllBytes(dir.resolve(name));
      if (bytes.length != RECORD_LENGTH) {
        return null;
      }
      ByteBuffer in = ByteBuffer.wrap(bytes);
      return new Writer(FileOpId.read(in), in.getLong());
    } catch (IOException e) {
      return null; // none (NoSuchFileException) or unreadable: as if unrecorded, so the file is fetched again
    }
  }

  /** Records {@code op} as the writer of {@code name}: temporary, fsynced, renamed, directory fsynced. */
  void record(String name, FileOpId op, long issuedAtMillis) throws IOException {
    Files.createDirectories(dir);
    Path temp = Files.createDirectories(tempDir).resolve(name + "." + op.shortHex() + ".written");
    ByteBuffer record = ByteBuffer.allocate(RECORD_LENGTH);
    op.write(record);
    record.putLong(issuedAtMillis).flip();
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        while (record.hasRemaining()) {
          out.write(record);
        }
        out.force(true);
      }
      Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
