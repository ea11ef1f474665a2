package io.kvstore.node.transport;

import io.kvstore.protocol.InternalFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Request forwarding between nodes (internal types 0x30 and 0x31). A node that does not own a
 * key sends the client's request to the owner with the client's address; the owner executes it
 * (deduplicating by that client address, so at-most-once holds end to end) and returns the reply,
 * which the first node relays to the client under the client's request id.
 *
 * <pre>
 * FORWARD       id(16: forward number, 8 bytes, then zeros) | 0x30 | version |
 *               client address length (4 or 16) | address | client port (2) | client datagram
 * FORWARD_REPLY id (same) | 0x31 | version | reply datagram
 * </pre>
 */
final class ForwardFrames {
  static final int FORWARD = 0x30;
  static final int FORWARD_REPLY = 0x31;

  private ForwardFrames() {}

  static byte[] forward(long number, InetSocketAddress client, byte[] request, int offset, int length) {
    byte[] ip = client.getAddress().getAddress();
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + 1 + ip.length + 2 + length);
    InternalFrame.writeHeader(out, id(number), FORWARD);
    out.put((byte) ip.length).put(ip).putShort((short) client.getPort());
    out.put(request, offset, length);
    return out.array();
  }

  static byte[] reply(byte[] forwardFrame, byte[] reply) {
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + reply.length);
    byte[] id = new byte[16];
    System.arraycopy(forwardFrame, 0, id, 0, 16);
    InternalFrame.writeHeader(out, id, FORWARD_REPLY);
    out.put(reply);
    return out.array();
  }

  static long number(byte[] frame) {
    return ByteBuffer.wrap(frame).getLong(0);
  }

  /** The client address inside a FORWARD frame, or null if malformed. */
  static InetSocketAddress client(byte[] frame) {
    int p = InternalFrame.HEADER;
    if (frame.length < p + 1) {
      return null;
    }
    int len = frame[p];
    if ((len != 4 && len != 16) || frame.length < p + 1 + len + 2) {
      return null;
    }
    byte[] ip = new byte[len];
    System.arraycopy(frame, p + 1, ip, 0, len);
    int port = ((frame[p + 1 + len] & 0xFF) << 8) | (frame[p + 2 + len] & 0xFF);
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Offset of the client datagram inside a well-formed FORWARD frame. */
  static int requestOffset(byte[] frame) {
    return InternalFrame.HEADER + 1 + frame[InternalFrame.HEADER] + 2;
  }

  private static byte[] id(long number) {
    byte[] id = new byte[16];
    ByteBuffer.wrap(id).putLong(number);
    return id;
  }
}
