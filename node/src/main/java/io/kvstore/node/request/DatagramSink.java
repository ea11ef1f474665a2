package io.kvstore.node.request;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The output port of a {@link RequestPipeline}: where its replies and node-to-node frames go. A
 * Netty channel in a real node, the simulated network in the simulator. Called only on the
 * pipeline's thread.
 */
public interface DatagramSink {
  /**
   * Sends the bytes between {@code datagram}'s position and limit to {@code to}. The buffer is the
   * pipeline's and is reused after the call: copy what must outlive it. May consume the buffer.
   */
  void send(InetSocketAddress to, ByteBuffer datagram);

  /** Like {@link #send} and flush, then runs {@code afterSent} once the datagram has left. */
  void sendThen(InetSocketAddress to, ByteBuffer datagram, Runnable afterSent);

  /** End of a batch: hand everything sent since the last flush to the network. */
  void flush();
}
