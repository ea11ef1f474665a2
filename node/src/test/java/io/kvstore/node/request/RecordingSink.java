package io.kvstore.node.request;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A {@link DatagramSink} that keeps a copy of every datagram a pipeline sent, and where to. */
class RecordingSink implements DatagramSink {
  final List<InetSocketAddress> sentTo = new ArrayList<>();
  final List<byte[]> sent = new ArrayList<>();
  int flushes;

  @Override
  public void send(InetSocketAddress to, ByteBuffer datagram) {
    byte[] bytes = new byte[datagram.remaining()];
    datagram.get(bytes);
    sentTo.add(to);
    sent.add(bytes);
  }

  @Override
  public void sendThen(InetSocketAddress to, ByteBuffer datagram, Runnable afterSent) {
    send(to, datagram);
    flush();
    afterSent.run();
  }

  @Override
  public void flush() {
    flushes++;
  }

  /** What was sent since the last call, oldest first; forgotten here. */
  List<byte[]> takeSent() {
    List<byte[]> out = new ArrayList<>(sent);
    sent.clear();
    sentTo.clear();
    return out;
  }
}
