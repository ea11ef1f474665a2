package io.kvstore.cli.bench;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.DecodedRequest;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.RequestDecoder;
import io.kvstore.protocol.ResponseCode;
import io.kvstore.protocol.Wire;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A test-only KVStore node on a real UDP socket, built on the protocol module's codecs. */
final class FakeKvStoreServer implements AutoCloseable {
  private final DatagramSocket socket;
  private final Thread thread;
  private final Map<String, byte[]> store = new ConcurrentHashMap<>();
  private volatile int dropEvery;
  private volatile ResponseCode forcedCode;
  private long requests;

  FakeKvStoreServer() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "fake-kvstore");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Leaves every n-th request unanswered. */
  void dropEvery(int n) {
    dropEvery = n;
  }

  /** Answers every key command with this code instead of executing it. */
  void answerKeyCommandsWith(ResponseCode code) {
    forcedCode = code;
  }

  boolean hasKey(byte[] key) {
    return store.containsKey(HexFormat.of().formatHex(key));
  }

  int keyCount() {
    return store.size();
  }

  private void serve() {
    byte[] buffer = new byte[Wire.MAX_DATAGRAM];
    DecodedRequest request = new DecodedRequest();
    ByteBuffer out = ByteBuffer.allocate(Wire.MAX_REPLY);
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        ByteBuffer datagram = ByteBuffer.wrap(buffer, 0, packet.getLength());
        RequestDecoder.decode(datagram, request);
        requests++;
        if (request.outcome() != DecodedRequest.Outcome.CLIENT_REQUEST
            || (dropEvery > 0 && requests % dropEvery == 0)) {
          continue;
        }
        out.clear();
        answer(request, datagram, out);
        socket.send(new DatagramPacket(out.array(), out.position(), packet.getSocketAddress()));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void answer(DecodedRequest request, ByteBuffer datagram, ByteBuffer out) {
    if (request.command() == Command.IS_ALIVE) {
      ReplyEncoder.code(out, datagram, 0, ResponseCode.SUCCESS);
      return;
    }
    if (forcedCode != null) {
      ReplyEncoder.code(out, datagram, 0, forcedCode);
      return;
    }
    String key = HexFormat.of().formatHex(request.key());
    if (request.command() == Command.PUT) {
      store.put(key, request.value());
      ReplyEncoder.code(out, datagram, 0, ResponseCode.SUCCESS);
      return;
    }
    byte[] value = store.get(key);
    if (value == null) {
      ReplyEncoder.code(out, datagram, 0, ResponseCode.NOT_FOUND);
      return;
    }
    ReplyEncoder.valueHeader(out, datagram, 0, value.length);
    out.put(value);
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
