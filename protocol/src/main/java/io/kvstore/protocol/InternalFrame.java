package io.kvstore.protocol;

import java.nio.ByteBuffer;
import java.util.random.RandomGenerator;

/**
 * Framing of node-to-node datagrams on the client port (DESIGN.md §2): the 16-byte id every
 * datagram starts with, a message type at or above 0x20 where client commands have theirs, then a
 * protocol version byte and the binary body. With a cluster secret, a 32-byte HMAC-SHA256 tag over
 * everything before it ends the datagram (added and checked by the node's transport).
 */
public final class InternalFrame {
  public static final int VERSION = 1;
  public static final int TYPE_OFFSET = Wire.REQUEST_ID_LENGTH;
  public static final int VERSION_OFFSET = TYPE_OFFSET + 1;
  /** Bytes before the body. */
  public static final int HEADER = VERSION_OFFSET + 1;
  public static final int TAG_LENGTH = 32;

  private InternalFrame() {}

  /** A fresh frame id from the sender's (seeded, in simulations) random stream. */
  public static byte[] randomId(RandomGenerator random) {
    byte[] id = new byte[Wire.REQUEST_ID_LENGTH];
    random.nextBytes(id);
    return id;
  }

  public static void writeHeader(ByteBuffer out, byte[] id, int type) {
    if (id.length != Wire.REQUEST_ID_LENGTH || type < Command.INTERNAL_BASE || type > 0xFF) {
      throw new IllegalArgumentException("bad internal frame header");
    }
    out.put(id).put((byte) type).put((byte) VERSION);
  }

  /** The message type of a frame, or -1 if the datagram is too short to be one. */
  public static int type(ByteBuffer datagram) {
    return datagram.remaining() < HEADER ? -1 : datagram.get(datagram.position() + TYPE_OFFSET) & 0xFF;
  }

  /** The version byte of a frame, or -1 if the datagram is too short. */
  public static int version(ByteBuffer datagram) {
    return datagram.remaining() < HEADER ? -1 : datagram.get(datagram.position() + VERSION_OFFSET) & 0xFF;
  }
}
