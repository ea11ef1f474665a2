package io.kvstore.node.replication;

import io.kvstore.node.replication.ReplicaFrames.MalformedFrameException;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.Wire;
import java.nio.ByteBuffer;

/**
 * The framing every replication codec shares (replica, anti-entropy and range-stream frames): an
 * id of 8 + 4 bytes naming the operation or session and its attempt or sequence (4 zero bytes
 * after), the type and version, then the body.
 */
final class FrameLayout {
  private FrameLayout() {}

  /** A buffer for a frame of {@code bodyLength} bytes of body, positioned after its header. */
  static ByteBuffer header(long first, int second, int type, int bodyLength) {
    byte[] id = new byte[Wire.REQUEST_ID_LENGTH];
    ByteBuffer.wrap(id).putLong(first).putInt(second);
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + bodyLength);
    InternalFrame.writeHeader(out, id, type);
    return out;
  }

  /** The body of {@code frame} positioned after the header (absolute 0-15 is the id). */
  static ByteBuffer body(byte[] frame, int type) {
    if (frame.length < InternalFrame.HEADER || (frame[InternalFrame.TYPE_OFFSET] & 0xFF) != type) {
      throw new MalformedFrameException("not a frame of type 0x" + Integer.toHexString(type));
    }
    return ByteBuffer.wrap(frame).position(InternalFrame.HEADER);
  }
}
