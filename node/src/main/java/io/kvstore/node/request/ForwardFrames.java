package io.kvstore.node.request;

import io.kvstore.protocol.AddressCodec;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Request forwarding between nodes (internal types 0x30 and 0x31). A node that does not own a
 * key sends the client's request to the owner with the client's address; the owner executes it
 * (deduplicating by that client address, so at-most-once holds end to end) and returns the reply,
 * which the first node relays to the client under the client's request id.
 *
 * <pre>
 * FORWARD       id(16: forward number, 8 bytes, then zeros) | 0x30 | version |
 *               client address (AddressCodec: length 4 or 16, address, port) | client datagram
 * FORWARD_REPLY id (same) | 0x31 | version | reply datagram
 * </pre>
 */
final class ForwardFrames {
  static final int FORWARD = 0x30;
  static final int FORWARD_REPLY = 0x31;

  private ForwardFrames() {}

  /** A FORWARD frame carrying {@code length} request bytes at absolute {@code offset} of {@code request}. */
  static byte[] forward(long number, InetSocketAddress client, ByteBuffer request, int offset, int length) {
    ByteBuffer out =
        ByteBuffer.allocate(InternalFrame.HEADER + AddressCodec.size(client) + length);
    InternalFrame.writeHeader(out, id(number), FORWARD);
    AddressCodec.put(out, client);
    out.put(out.position(), request, offset, length);
    return out.array();
  }

  /** The FORWARD_REPLY to {@code forwardFrame} carrying the reply between position and limit. */
  static byte[] reply(byte[] forwardFrame, ByteBuffer reply) {
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + reply.remaining());
    byte[] id = new byte[16];
    System.arraycopy(forwardFrame, 0, id, 0, 16);
    InternalFrame.writeHeader(out, id, FORWARD_REPLY);
    out.put(reply);
    return out.array();
  }

  static long number(byte[] frame) {
    return ByteBuffer.wrap(frame).getLong(0);
  }

  /**
   * The client address inside a FORWARD frame; {@code body} is left positioned at the client's
   * datagram. Null if malformed.
   */
  static InetSocketAddress client(ByteBuffer body) {
    try {
      return AddressCodec.get(body);
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      return null;
    }
  }

  private static byte[] id(long number) {
    byte[] id = new byte[16];
    ByteBuffer.wrap(id).putLong(number);
    return id;
  }
}
