package io.kvstore.protocol.testing;

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
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only node on a real UDP socket: answers with the protocol module's codecs from a map, and
 * can drop, duplicate, corrupt, hold back or override replies to exercise clients and load
 * generators. Shared by the client's and the command line's tests (protocol's test-jar).
 */
public final class FakeNode implements AutoCloseable {
  public static final int PID = 4242;

  private final DatagramSocket socket;
  private final Thread thread;
  private final Map<String, byte[]> store = new ConcurrentHashMap<>();
  private final List<byte[]> received = new CopyOnWriteArrayList<>();
  private final List<DatagramPacket> heldReplies = new ArrayList<>();

  private final AtomicInteger dropNext = new AtomicInteger();
  private volatile boolean dropAll;
  private volatile boolean duplicateReplies;
  private volatile boolean malformedBeforeReply;
  private volatile int holdUntilReceived;
  private volatile int dropEvery;
  private volatile ResponseCode forcedCode;
  private volatile SocketAddress lastClient;

  public FakeNode() throws IOException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "fake-node");
    thread.setDaemon(true);
    thread.start();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Every datagram received, in order, as sent. */
  public List<byte[]> received() {
    return received;
  }

  public void dropNext(int count) {
    dropNext.set(count);
  }

  public void dropAll() {
    dropAll = true;
  }

  public void duplicateReplies() {
    duplicateReplies = true;
  }

  /** Before each reply, sends a too-short datagram and the reply cut short by one byte. */
  public void malformedBeforeReply() {
    malformedBeforeReply = true;
  }

  /** Holds every reply back until this many requests have arrived, then sends them all. */
  public void holdRepliesUntilReceived(int count) {
    holdUntilReceived = count;
  }

  /** Leaves every n-th request unanswered. */
  public void dropEvery(int n) {
    dropEvery = n;
  }

  /** Answers every key command with this code instead of executing it. */
  public void answerKeyCommandsWith(ResponseCode code) {
    forcedCode = code;
  }

  public boolean hasKey(byte[] key) {
    return store.containsKey(HexFormat.of().formatHex(key));
  }

  /** Sends a raw datagram to the client that spoke last. */
  public void sendToLastClient(byte[] datagram) throws IOException {
    socket.send(new DatagramPacket(datagram, datagram.length, lastClient));
  }

  private void serve() {
    byte[] buffer = new byte[Wire.MAX_DATAGRAM];
    DecodedRequest decoded = new DecodedRequest();
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        lastClient = packet.getSocketAddress();
        received.add(Arrays.copyOf(buffer, packet.getLength()));
        int every = dropEvery;
        if (dropAll
            || dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0
            || (every > 0 && received.size() % every == 0)) {
          continue;
        }
        ByteBuffer request = ByteBuffer.wrap(buffer, 0, packet.getLength());
        byte[] reply = answer(RequestDecoder.decode(request, decoded), request);
        if (reply != null) {
          send(reply, packet.getSocketAddress());
        }
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void send(byte[] reply, SocketAddress client) throws IOException {
    if (malformedBeforeReply) {
      socket.send(new DatagramPacket(reply, 5, client));
      socket.send(new DatagramPacket(reply, reply.length - 1, client));
    }
    heldReplies.add(new DatagramPacket(reply, reply.length, client));
    if (received.size() < holdUntilReceived) {
      return;
    }
    for (DatagramPacket held : heldReplies) {
      socket.send(held);
      if (duplicateReplies) {
        socket.send(held);
      }
    }
    heldReplies.clear();
  }

  private byte[] answer(DecodedRequest request, ByteBuffer datagram) {
    switch (request.outcome()) {
      case DROP, INTERNAL:
        return null;
      case REJECT:
        return codeReply(datagram, request.errorCode());
      default:
        break;
    }
    if (forcedCode != null && request.command().hasKey) {
      return codeReply(datagram, forcedCode);
    }
    String key = request.keyOffset() >= 0 ? HexFormat.of().formatHex(request.key()) : null;
    ByteBuffer out = ByteBuffer.allocate(Wire.MAX_REPLY);
    switch (request.command()) {
      case PUT:
        store.put(key, request.value());
        return codeReply(datagram, ResponseCode.SUCCESS);
      case GET:
        byte[] value = store.get(key);
        if (value == null) {
          return codeReply(datagram, ResponseCode.NOT_FOUND);
        }
        ReplyEncoder.valueHeader(out, datagram, 0, value.length);
        out.put(value);
        return toArray(out);
      case REMOVE:
        return codeReply(
            datagram, store.remove(key) != null ? ResponseCode.SUCCESS : ResponseCode.NOT_FOUND);
      case WIPEOUT:
        store.clear();
        return codeReply(datagram, ResponseCode.SUCCESS);
      case GET_PID:
        ReplyEncoder.withInt(out, datagram, 0, PID);
        return toArray(out);
      case GET_MEMBERSHIP_COUNT:
        ReplyEncoder.withInt(out, datagram, 0, 1);
        return toArray(out);
      default:
        return codeReply(datagram, ResponseCode.SUCCESS);
    }
  }

  private static byte[] codeReply(ByteBuffer request, ResponseCode code) {
    ByteBuffer out = ByteBuffer.allocate(ReplyEncoder.CODE_ONLY);
    ReplyEncoder.code(out, request, 0, code);
    return out.array();
  }

  public int storedKeys() {
    return store.size();
  }

  private static byte[] toArray(ByteBuffer out) {
    return Arrays.copyOf(out.array(), out.position());
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
