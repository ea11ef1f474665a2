package io.kvstore.protocol;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Socket addresses inside internal messages: length (1: 4 or 16), address bytes, port (2,
 * big-endian).
 */
public final class AddressCodec {
  private AddressCodec() {}

  /** Without {@code getAddress()}, which copies the bytes: sizes are taken per update per message. */
  public static int size(InetSocketAddress address) {
    return 1 + (address.getAddress() instanceof Inet4Address ? 4 : 16) + 2;
  }

  public static void put(ByteBuffer out, InetSocketAddress address) {
    byte[] ip = address.getAddress().getAddress();
    out.put((byte) ip.length).put(ip).putShort((short) address.getPort());
  }

  /**
   * Reads an address.
   *
   * @throws IllegalArgumentException if the length byte is neither 4 nor 16
   * @throws java.nio.BufferUnderflowException if the buffer ends early
   */
  public static InetSocketAddress get(ByteBuffer in) {
    int len = in.get() & 0xFF;
    if (len != 4 && len != 16) {
      throw new IllegalArgumentException("address of " + len + " bytes");
    }
    byte[] ip = new byte[len];
    in.get(ip);
    int port = in.getShort() & 0xFFFF;
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad address", e);
    }
  }
}
