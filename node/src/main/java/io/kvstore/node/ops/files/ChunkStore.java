package io.kvstore.node.ops.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Verified chunks on disk, under {@code ops/chunks/<op id>/<index>} (and the chunk-hash list as
 * {@code list}, so a finished transfer serves it without holding it in memory): the only file I/O of the
 * transfer besides assembly. A chunk is written only after its SHA-256 was checked (by the caller),
 * to a temporary name then renamed, so a chunk file is always whole. Bytes held are bounded
 * ({@code maxBytes}); a chunk beyond it is refused and counted. A download reserves the bytes it
 * still needs before it starts ({@link #reserve}); its chunks then take their room from its
 * reservation, and nobody else's chunk may take reserved room, so two downloads can never each
 * hold part of the store the other needs to finish. Chunks stay until the operation
 * expires (peers that were down fetch them from here) or is dropped. Leftovers of a previous life
 * are deleted at start: a restarted node fetches again (chunks are not fsynced, so a crash could
 * have cut one). Thread-safe: uploads arrive on event loops, the transfer runs on its own thread.
 */
public final class ChunkStore {
  private final Path root;
  private final long maxBytes;
  private final AtomicLong bytesHeld = new AtomicLong();
  private final AtomicLong refusedFull = new AtomicLong();
  private final Map<FileOpId, BitSet> held = new HashMap<>();
  private final Map<FileOpId, Long> bytesPerOp = new HashMap<>();
  /** Room promised to downloads in progress and not yet taken by their chunks. */
  private final Map<FileOpId, Long> reserved = new HashMap<>();
  private long reservedTotal;

  /** @param root the chunks directory (DATA_DIR/ops/chunks); emptied now */
  public ChunkStore(Path root, long maxBytes) {
    this.root = root;
    this.maxBytes = maxBytes;
    try {
      deleteTree(root);
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + root, e);
    }
  }

  public long bytesHeld() {
    return bytesHeld.get();
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** Room reserved by downloads in progress and not yet taken by their chunks. */
  public synchronized long bytesReserved() {
    return reservedTotal;
  }

  /**
   * Reserves room for {@code bytes} more of {@code op}'s chunks (what its download still needs),
   * replacing any reservation it had; false, nothing reserved, if held and reserved bytes leave too
   * little room.
   */
  public synchronized boolean reserve(FileOpId op, long bytes) {
    long had = reserved.getOrDefault(op, 0L);
    if (bytesHeld.get() + reservedTotal - had + bytes > maxBytes) {
      return false;
    }
    reservedTotal += bytes - had;
    if (bytes > 0) {
      reserved.put(op, bytes);
    } else {
      reserved.remove(op);
    }
    return true;
  }

  /** Gives back what {@code op}'s reservation still holds (its download ended). */
  public synchronized void release(FileOpId op) {
    Long left = reserved.remove(op);
    if (left != null) {
      reservedTotal -= left;
    }
  }

  /** Chunks refused because the store was full. */
  public long refusedFull() {
    return refusedFull.get();
  }

  /** Bytes of {@code op}'s chunks (and list) held or being written now. */
  public synchronized long bytesOf(FileOpId op) {
    return bytesPerOp.getOrDefault(op, 0L);
  }

  /** Whether chunk {@code index} (or the chunk-hash list, {@link FileFrames#LIST}) is held. */
  public synchronized boolean has(FileOpId op, int index) {
    BitSet bits = held.get(op);
    return bits != null && bits.get(bit(index));
  }

  /** Chunks held (the list not counted). */
  public synchronized int heldCount(FileOpId op) {
    BitSet bits = held.get(op);
    return bits == null ? 0 : bits.cardinality() - (bits.get(0) ? 1 : 0);
  }

  /** Bit 0 is the list, bit i + 1 chunk i. */
  private static int bit(int index) {
    return index + 1;
  }

  /**
   * Stores a verified chunk ({@code length} bytes of {@code data}); false if the store is full
   * (nothing written). Storing a chunk already held is a no-op that returns true.
   */
  public boolean put(FileOpId op, int index, byte[] data, int length) throws IOException {
    long fromReservation;
    synchronized (this) {
      if (has(op, index)) {
        return true;
      }
      long mine = reserved.getOrDefault(op, 0L);
      fromReservation = Math.min(mine, length);
      if (bytesHeld.get() + reservedTotal - fromReservation + length > maxBytes) {
        refusedFull.incrementAndGet();
        return false;
      }
      takeReservation(op, mine, fromReservation);
      bytesHeld.addAndGet(length); // counted before the write, given back if it fails
      bytesPerOp.merge(op, (long) length, Long::sum);
    }
    try {
      Path dir = Files.createDirectories(root.resolve(op.hex()));
      Path temp = dir.resolve((index == FileFrames.LIST ? "list" : Integer.toString(index)) + ".part");
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      Files.move(temp, chunkPath(op, index), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        bytesHeld.addAndGet(-length);
        bytesPerOp.merge(op, (long) -length, Long::sum);
        takeReservation(op, reserved.getOrDefault(op, 0L), -fromReservation);
      }
      throw e;
    }
    synchronized (this) {
      held.computeIfAbsent(op, k -> new BitSet()).set(bit(index));
    }
    return true;
  }

  private void takeReservation(FileOpId op, long had, long taken) {
    if (taken == 0) {
      return;
    }
    reservedTotal -= taken;
    if (had - taken > 0) {
      reserved.put(op, had - taken);
    } else {
      reserved.remove(op);
    }
  }

  /** Reads {@code length} bytes of a held chunk from {@code offset} into {@code into}. */
  public void read(FileOpId op, int index, int offset, byte[] into, int length) throws IOException {
    try (FileChannel channel = FileChannel.open(chunkPath(op, index), StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
      long position = offset;
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position);
        if (n < 0) {
          throw new IOException("chunk " + index + " of " + op + " is shorter than expected");
        }
        position += n;
      }
    }
  }

  Path chunkPath(FileOpId op, int index) {
    return root.resolve(op.hex()).resolve(index == FileFrames.LIST ? "list" : Integer.toString(index));
  }

  /** Deletes every chunk of {@code op} (expired, dropped or failed) and releases their bytes. */
  public void remove(FileOpId op) {
    synchronized (this) {
      release(op);
      held.remove(op);
      Long bytes = bytesPerOp.remove(op);
      if (bytes != null) {
        bytesHeld.addAndGet(-bytes);
      }
    }
    try {
      deleteTree(root.resolve(op.hex()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the chunks of " + op, e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
