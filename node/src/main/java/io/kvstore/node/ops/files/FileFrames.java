package io.kvstore.node.ops.files;

import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.Wire;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Chunk transfer between nodes (internal types 0x64-0x65, authenticated like every internal frame;
 * docs/OPERATIONS.md "Files"). A chunk is fetched in pieces of at most {@link #MAX_PIECE} bytes;
 * chunk index {@link #LIST} names the chunk-hash list, fetched the same way. Big-endian.
 *
 * <pre>
 * CHUNK_WANT  id | 0x64 | version | op id(16) | chunk(4) | offset(4) | length(2) | flags(1)
 *             flags bit 0 LAST_RESORT: "the others lack it; serve me even if you would defer"
 * CHUNK_PIECE id | 0x65 | version | op id(16) | chunk(4) | offset(4) | status(1) | held(4)
 *             | length(2) | bytes     status 0 DATA (length bytes follow), 1 NOT_HAVE, 2 DEFER
 *             ("I have it, ask the others first"); held: chunks the sender holds verified
 * </pre>
 * The id is the want's, echoed by the piece. A piece answers a want of at most the same length,
 * so a want can never draw more than {@link #MAX_PIECE} bytes back.
 */
public final class FileFrames {
  public static final int CHUNK_WANT = 0x64;
  public static final int CHUNK_PIECE = 0x65;
  public static final int[] TYPES = {CHUNK_WANT, CHUNK_PIECE};
  /** 12 KiB: with header and tag the datagram stays under the 16 KiB a node reads. */
  public static final int MAX_PIECE = 12 * 1024;
  /** The chunk index that names the chunk-hash list. */
  public static final int LIST = -1;
  public static final int LAST_RESORT = 1;

  public static final int DATA = 0;
  public static final int NOT_HAVE = 1;
  public static final int DEFER = 2;

  private static final int WANT_BODY = FileOpId.LENGTH + 4 + 4 + 2 + 1;
  private static final int PIECE_HEAD = FileOpId.LENGTH + 4 + 4 + 1 + 4 + 2;

  /** A frame that does not decode: counted and dropped by the receiver. */
  public static final class MalformedFileFrameException extends RuntimeException {
    public MalformedFileFrameException(String message) {
      super(message);
    }
  }

  public record Want(byte[] id, FileOpId op, int chunk, int offset, int length, boolean lastResort) {}

  public record Piece(byte[] id, FileOpId op, int chunk, int offset, int status, int held, byte[] data) {}

  private FileFrames() {}

  public static byte[] want(byte[] id, FileOpId op, int chunk, int offset, int length, boolean lastResort) {
    if (length <= 0 || length > MAX_PIECE || offset < 0) {
      throw new IllegalArgumentException("piece " + offset + "+" + length);
    }
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + WANT_BODY);
    InternalFrame.writeHeader(out, id, CHUNK_WANT);
    op.write(out);
    out.putInt(chunk).putInt(offset).putShort((short) length).put((byte) (lastResort ? LAST_RESORT : 0));
    return out.array();
  }

  /** A DATA piece of {@code length} bytes of {@code data}, or a NOT_HAVE/DEFER answer (no bytes). */
  public static byte[] piece(byte[] id, FileOpId op, int chunk, int offset, int status, int held,
      byte[] data, int length) {
    if (length < 0 || length > MAX_PIECE || (status != DATA && length != 0)) {
      throw new IllegalArgumentException("piece of " + length + " bytes, status " + status);
    }
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + PIECE_HEAD + length);
    InternalFrame.writeHeader(out, id, CHUNK_PIECE);
    op.write(out);
    out.putInt(chunk).putInt(offset).put((byte) status).putInt(held).putShort((short) length);
    if (length > 0) {
      out.put(data, 0, length);
    }
    return out.array();
  }

  public static Want decodeWant(byte[] frame) {
    ByteBuffer in = body(frame, CHUNK_WANT);
    if (in.remaining() != WANT_BODY) {
      throw new MalformedFileFrameException("a chunk want has " + WANT_BODY + " bytes of body");
    }
    FileOpId op = FileOpId.read(in);
    int chunk = in.getInt();
    int offset = in.getInt();
    int length = in.getShort() & 0xFFFF;
    int flags = in.get() & 0xFF;
    if (length == 0 || length > MAX_PIECE || offset < 0 || chunk < LIST || (flags & ~LAST_RESORT) != 0) {
      throw new MalformedFileFrameException("bad want: chunk " + chunk + " " + offset + "+" + length);
    }
    return new Want(id(frame), op, chunk, offset, length, (flags & LAST_RESORT) != 0);
  }

  public static Piece decodePiece(byte[] frame) {
    ByteBuffer in = body(frame, CHUNK_PIECE);
    try {
      FileOpId op = FileOpId.read(in);
      int chunk = in.getInt();
      int offset = in.getInt();
      int status = in.get() & 0xFF;
      int held = in.getInt();
      int length = in.getShort() & 0xFFFF;
      if (status > DEFER || length > MAX_PIECE || (status != DATA && length != 0)
          || (status == DATA && length == 0) || length != in.remaining() || offset < 0
          || chunk < LIST || held < 0) {
        throw new MalformedFileFrameException("bad piece: chunk " + chunk + " status " + status
            + " " + offset + "+" + length);
      }
      byte[] data = new byte[length];
      in.get(data);
      return new Piece(id(frame), op, chunk, offset, status, held, data);
    } catch (BufferUnderflowException e) {
      throw new MalformedFileFrameException("truncated piece");
    }
  }

  private static ByteBuffer body(byte[] frame, int type) {
    if (frame.length < InternalFrame.HEADER || (frame[InternalFrame.TYPE_OFFSET] & 0xFF) != type) {
      throw new MalformedFileFrameException("not a frame of type 0x" + Integer.toHexString(type));
    }
    return ByteBuffer.wrap(frame).position(InternalFrame.HEADER);
  }

  private static byte[] id(byte[] frame) {
    byte[] id = new byte[Wire.REQUEST_ID_LENGTH];
    System.arraycopy(frame, 0, id, 0, id.length);
    return id;
  }
}
