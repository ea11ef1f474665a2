package io.kvstore.cli.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hand-built datagrams over a plain socket: tests the node byte for byte, independently of the
 * project's client library.
 */
final class RawUdp implements AutoCloseable {
  final DatagramSocket socket;
  private final InetAddress host = InetAddress.getLoopbackAddress();
  private final int port;

  RawUdp(int port, int timeoutMillis) throws IOException {
    this(port, timeoutMillis, InetAddress.getLoopbackAddress());
  }

  /** A socket bound to {@code local}, e.g. 127.0.0.2: another source address on loopback. */
  RawUdp(int port, int timeoutMillis, InetAddress local) throws IOException {
    this.port = port;
    this.socket = new DatagramSocket(0, local);
    socket.setSoTimeout(timeoutMillis);
  }

  static byte[] newId() {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    return id;
  }

  static byte[] key(String name) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** id | command | key? | len? | value? */
  static byte[] request(byte[] id, int command, byte[] key, byte[] value) {
    ByteBuffer b = ByteBuffer.allocate(16 + 1 + 32 + 2 + (value == null ? 0 : value.length));
    b.order(ByteOrder.LITTLE_ENDIAN).put(id).put((byte) command);
    if (key != null) {
      b.put(key);
    }
    if (value != null) {
      b.putShort((short) value.length).put(value);
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  static byte[] put(String key, String value) {
    return request(newId(), 0x01, key(key), value.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] get(String key) {
    return request(newId(), 0x02, key(key), null);
  }

  static byte[] remove(String key) {
    return request(newId(), 0x03, key(key), null);
  }

  void send(byte[] datagram) throws IOException {
    socket.send(new DatagramPacket(datagram, datagram.length, host, port));
  }

  /** Receives one datagram, or null on timeout. */
  byte[] receiveOrNull() throws IOException {
    byte[] buf = new byte[65_536];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
      return Arrays.copyOf(buf, p.getLength());
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  /** Sends and waits for the reply carrying the same id, retrying like a real client. */
  byte[] requestOrNull(byte[] datagram) throws IOException {
    for (int attempt = 0; attempt < 4; attempt++) {
      send(datagram);
      byte[] reply;
      while ((reply = receiveOrNull()) != null) {
        if (reply.length >= 16 && Arrays.equals(reply, 0, 16, datagram, 0, 16)) {
          return reply;
        }
      }
    }
    return null;
  }

  byte[] request(byte[] datagram) throws IOException {
    byte[] reply = requestOrNull(datagram);
    if (reply == null) {
      throw new AssertionError("no reply from node on port " + port);
    }
    return reply;
  }

  /** The response code of the reply to {@code datagram}. */
  int code(byte[] datagram) throws IOException {
    return request(datagram)[16] & 0xFF;
  }

  /** The value of a successful GET, or null when the key is missing. */
  String value(String key) throws IOException {
    byte[] reply = request(get(key));
    if (reply[16] == 0x01) {
      return null;
    }
    if (reply[16] != 0) {
      throw new AssertionError("GET " + key + " answered " + reply[16]);
    }
    int len = (reply[17] & 0xFF) | (reply[18] & 0xFF) << 8;
    return new String(reply, 19, len, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    socket.close();
  }
}
