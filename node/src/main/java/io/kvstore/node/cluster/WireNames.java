package io.kvstore.node.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Where the node ids and addresses decoded from membership datagrams come from, given their
 * bytes in the datagram. A node builds a new instance per datagram ({@link #AS_DECODED}). The
 * simulator runs thousands of memberships in one JVM: it shares one instance per id and per
 * address among all of them, found from the bytes without building a copy first, so that their
 * member tables do not hold N² copies and table lookups compare references.
 */
public interface WireNames {
  /**
   * An id equal to {@link NodeId#fromUtf8 NodeId.fromUtf8(bytes, offset, length)}.
   *
   * @throws IllegalArgumentException as {@code fromUtf8}
   */
  NodeId id(byte[] bytes, int offset, int length);

  /**
   * The address {@code ip[offset, offset + length)} (4 or 16 bytes), {@code port}.
   *
   * @throws IllegalArgumentException if {@code length} is neither 4 nor 16
   */
  InetSocketAddress address(byte[] ip, int offset, int length, int port);

  /**
   * The instance to keep of a decoded update: {@code decoded} or an equal one. Broadcast queues
   * keep updates; while a simulated cluster of N forms, each of N queues holds a member's own
   * alive update, so sharing equal ones saves N² of them. A node keeps what it decoded.
   */
  default SwimMessage.Update update(SwimMessage.Update decoded) {
    return decoded;
  }

  /** A new instance for every id and address decoded. */
  WireNames AS_DECODED = new WireNames() {
    @Override
    public NodeId id(byte[] bytes, int offset, int length) {
      return NodeId.fromUtf8(bytes, offset, length);
    }

    @Override
    public InetSocketAddress address(byte[] ip, int offset, int length, int port) {
      return decodeAddress(ip, offset, length, port);
    }
  };

  /** A new address from its bytes: what {@link #AS_DECODED} gives. */
  static InetSocketAddress decodeAddress(byte[] ip, int offset, int length, int port) {
    if (length != 4 && length != 16) {
      throw new IllegalArgumentException("address of " + length + " bytes");
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(ip, offset, offset + length)), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad address", e); // not reached: the length is checked
    }
  }
}
