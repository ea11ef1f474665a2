package io.kvstore.node.ops.files;

import io.kvstore.node.runtime.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The origin's side of a push: OPS_CHUNK pieces from the CLI, for an operation this node accepted
 * (one it holds; anything else is refused). Pieces are {@link FileFrames#MAX_PIECE}-aligned; a
 * completed chunk is checked against the manifest (the list against its hash, a chunk against its
 * entry in the verified list) before it is stored; a failed one is discarded and the client told.
 * At most {@link #MAX_OPEN} chunks are being uploaded at once (one buffer each), at most
 * {@link #MAX_OPEN_PER_SOURCE} of them by one source address, and a chunk idle for
 * {@link #IDLE_MILLIS} is dropped. A chunk being uploaded belongs to the address that began it:
 * pieces of it from any other address are refused busy (counted), so nobody who merely learnt the
 * operation id can spoil another's upload by writing over its pieces. Idempotent: a piece of a
 * chunk already stored is accepted again, so a client may resend. Thread-safe (event loops).
 */
public final class UploadIntake {
  public static final int MAX_OPEN = 4;
  public static final int MAX_OPEN_PER_SOURCE = 2;
  public static final long IDLE_MILLIS = 30_000;

  /** What became of one piece. */
  public enum Result {
    ACCEPTED,
    /** This node holds no such FILE operation (not submitted here, refused, or expired). */
    UNKNOWN_OPERATION,
    /** Chunk index, offset or length do not fit the manifest, or the list is not uploaded yet. */
    BAD_PIECE,
    /** The completed chunk does not match its SHA-256: discarded. */
    CHUNK_REJECTED,
    /** Too many chunks being uploaded at once: retry later. */
    BUSY,
    /** The chunk store is full. */
    STORE_FULL,
    /** The disk refused the chunk. */
    FAILED
  }

  /** Where a piece goes: the key field of OPS_CHUNK. */
  public record PieceKey(FileOpId op, int chunk, int offset) {
    public static final int LENGTH = 32;

    /** op id (16) | chunk (4, big-endian; -1 = the chunk-hash list) | offset (4) | zero (8). */
    public byte[] encode() {
      ByteBuffer out = ByteBuffer.allocate(LENGTH);
      op.write(out);
      return out.putInt(chunk).putInt(offset).array();
    }

    public static PieceKey decode(byte[] key) {
      ByteBuffer in = ByteBuffer.wrap(key);
      return new PieceKey(FileOpId.read(in), in.getInt(), in.getInt());
    }
  }

  private static final class Open {
    final InetAddress source;
    final byte[] buffer;
    final BitSet received = new BitSet();
    final int pieces;
    long touchedNanos;

    Open(InetAddress source, int length, long now) {
      this.source = source;
      buffer = new byte[length];
      pieces = Math.max(1, (length + FileFrames.MAX_PIECE - 1) / FileFrames.MAX_PIECE);
      touchedNanos = now;
    }
  }

  private record Slot(FileOpId op, int chunk) {}

  private final Function<FileOpId, FileOp> ops;
  private final ChunkStore store;
  private final Clock clock;
  private final FileTransferStats stats;
  private final Consumer<FileOpId> uploaded;
  private final Map<Slot, Open> open = new HashMap<>();

  /** @param uploaded told (on any thread) that a chunk of an operation was stored */
  public UploadIntake(FileTransfer transfer, ChunkStore store, Clock clock, Consumer<FileOpId> uploaded) {
    this(transfer::op, store, clock, transfer.counters(), uploaded);
  }

  UploadIntake(Function<FileOpId, FileOp> ops, ChunkStore store, Clock clock, FileTransferStats stats,
      Consumer<FileOpId> uploaded) {
    this.ops = ops;
    this.store = store;
    this.clock = clock;
    this.stats = stats;
    this.uploaded = uploaded;
  }

  /** One OPS_CHUNK piece from {@code source} (the datagram's source address). */
  public Result onPiece(InetAddress source, PieceKey key, byte[] data) {
    FileOp op = ops.apply(key.op());
    if (op == null) {
      return Result.UNKNOWN_OPERATION;
    }
    int chunk = key.chunk();
    if (chunk < FileFrames.LIST || chunk >= op.manifest.chunkCount()
        || (chunk != FileFrames.LIST && op.chunkHashes() == null && !store.has(op.id, chunk))) {
      return Result.BAD_PIECE;
    }
    int length = op.lengthOf(chunk);
    int offset = key.offset();
    if (offset < 0 || offset % FileFrames.MAX_PIECE != 0 || offset >= Math.max(1, length)
        || data.length != Math.min(FileFrames.MAX_PIECE, length - offset)) {
      return Result.BAD_PIECE;
    }
    if (store.has(op.id, chunk)) {
      return Result.ACCEPTED;
    }
    Open chunkUpload;
    long now = clock.nanoTime();
    synchronized (this) {
      Slot slot = new Slot(op.id, chunk);
      dropIdle(now); // at most MAX_OPEN entries; an idle chunk is anyone's again
      chunkUpload = open.get(slot);
      if (chunkUpload == null) {
        if (open.size() >= MAX_OPEN || openBy(source) >= MAX_OPEN_PER_SOURCE) {
          return Result.BUSY;
        }
        chunkUpload = new Open(source, length, now);
        open.put(slot, chunkUpload);
      } else if (!chunkUpload.source.equals(source)) {
        stats.piecesFromAnotherSource.increment();
        return Result.BUSY; // begun by another address: its pieces are not ours to overwrite
      }
      chunkUpload.touchedNanos = now;
      System.arraycopy(data, 0, chunkUpload.buffer, offset, data.length);
      chunkUpload.received.set(offset / FileFrames.MAX_PIECE);
      stats.bytesUploaded.add(data.length);
      if (chunkUpload.received.cardinality() < chunkUpload.pieces) {
        return Result.ACCEPTED;
      }
      open.remove(slot);
    }
    return complete(op, chunk, chunkUpload.buffer);
  }

  private Result complete(FileOp op, int chunk, byte[] data) {
    if (!op.verifies(chunk, data, data.length)) {
      stats.chunksRejected.increment();
      return Result.CHUNK_REJECTED;
    }
    try {
      if (!store.put(op.id, chunk, data, data.length)) {
        stats.storeFull.increment();
        return Result.STORE_FULL;
      }
    } catch (IOException e) {
      return Result.FAILED;
    }
    // Only a verified upload makes this node the origin (which stops fetching from peers): a piece
    // anyone may send, of bytes nobody signed, would otherwise stop a target's fetch for good.
    op.markOrigin();
    if (chunk == FileFrames.LIST) {
      op.chunkHashes(data);
    } else {
      stats.chunksVerified.increment();
    }
    uploaded.accept(op.id);
    return Result.ACCEPTED;
  }

  private int openBy(InetAddress source) {
    int count = 0;
    for (Open o : open.values()) {
      count += o.source.equals(source) ? 1 : 0;
    }
    return count;
  }

  private void dropIdle(long now) {
    for (Iterator<Open> it = open.values().iterator(); it.hasNext(); ) {
      if (now - it.next().touchedNanos > IDLE_MILLIS * 1_000_000) {
        it.remove();
      }
    }
  }
}
