package io.kvstore.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * The 16-byte id that starts every datagram. Clients build it from their IPv4 address, port, two
 * random bytes and the time in milliseconds; servers treat it as opaque.
 */
public final class RequestId {
  private final byte[] bytes;

  private RequestId(byte[] bytes) {
    this.bytes = bytes;
  }

  public static RequestId of(byte[] bytes) {
    if (bytes.length != Wire.REQUEST_ID_LENGTH) {
      throw new IllegalArgumentException("a request id is 16 bytes, got " + bytes.length);
    }
    return new RequestId(bytes.clone());
  }

  /** A fresh id in the layout of DESIGN.md §2. */
  public static RequestId generate(
      byte[] clientIpv4, int clientPort, RandomGenerator random, long millis) {
    ByteBuffer b = ByteBuffer.allocate(Wire.REQUEST_ID_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    b.put(clientIpv4, 0, 4);
    b.putShort((short) clientPort);
    b.putShort((short) random.nextInt(1 << 16));
    b.putLong(millis);
    return new RequestId(b.array());
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /** Writes the id into a buffer at its position. */
  public void writeTo(ByteBuffer out) {
    out.put(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequestId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
