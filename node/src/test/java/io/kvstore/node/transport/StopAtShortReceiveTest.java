package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvstore.node.Node;
import io.kvstore.node.config.NodeConfig;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import io.kvstore.protocol.Wire;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.util.UncheckedBooleanSupplier;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read batch ends at the first short recvmmsg, and every datagram is still read. */
class StopAtShortReceiveTest {
  private static final int SLOT = 100;
  private static final int SLOTS = 16;

  @TempDir Path dir;

  @Test
  void fullReceivesContinueAndAShortOneEndsTheBatch() {
    RecvByteBufAllocator.ExtendedHandle handle = handle(64);
    receive(handle, SLOTS);
    assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isTrue();
    receive(handle, SLOTS);
    assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isTrue();
    receive(handle, 3);
    assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();
  }

  @Test
  void theBatchLimitStillEndsABatchOfFullReceives() {
    RecvByteBufAllocator.ExtendedHandle handle = handle(2 * SLOTS);
    receive(handle, SLOTS);
    assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isTrue();
    receive(handle, SLOTS);
    assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();
  }

  @Test
  void aNodeAnswersEveryDatagramOfBurstsLongerAndShorterThanOneReceive() throws Exception {
    assumeTrue(Epoll.isAvailable(), "the allocator is for native epoll");
    NodeConfig config = new NodeConfig();
    config.memory = true;
    config.port = freeUdpPort();
    config.ioThreads = 1;
    config.dataDir = dir.toString();
    Node node = Node.start(config);
    try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port);
      client.setSoTimeout(5_000);
      int id = 0;
      // 3 (short receive), 16 (exactly one full receive, then an empty one), 50 (full ones, then short)
      for (int burst : new int[] {3, SLOTS, 50, 1, 2}) {
        Set<Integer> sent = new HashSet<>();
        for (int i = 0; i < burst; i++) {
          byte[] request = isAlive(++id);
          client.send(new DatagramPacket(request, request.length, to));
          sent.add(id);
        }
        Set<Integer> answered = new HashSet<>();
        DatagramPacket reply = new DatagramPacket(new byte[Wire.MAX_REPLY], Wire.MAX_REPLY);
        while (answered.size() < burst) {
          try {
            client.receive(reply);
          } catch (SocketTimeoutException e) {
            break;
          }
          answered.add(ByteBuffer.wrap(reply.getData()).getInt(Wire.REQUEST_ID_LENGTH - Integer.BYTES));
        }
        assertThat(answered).as("replies to a burst of %d", burst).isEqualTo(sent);
      }
    } finally {
      node.close();
    }
  }

  private static RecvByteBufAllocator.ExtendedHandle handle(int maxMessages) {
    RecvByteBufAllocator.ExtendedHandle handle = (RecvByteBufAllocator.ExtendedHandle)
        new StopAtShortReceive(SLOT * SLOTS, maxMessages).newHandle();
    handle.reset(new DefaultChannelConfig(new EmbeddedChannel()));
    return handle;
  }

  /** What Netty's epoll datagram channel reports for one recvmmsg of {@code datagrams}. */
  private static void receive(RecvByteBufAllocator.ExtendedHandle handle, int datagrams) {
    handle.attemptedBytesRead(SLOT * SLOTS);
    handle.lastBytesRead(SLOT * datagrams);
    handle.incMessagesRead(datagrams);
  }

  private static byte[] isAlive(int id) {
    byte[] requestId = ByteBuffer.allocate(Wire.REQUEST_ID_LENGTH)
        .putInt(Wire.REQUEST_ID_LENGTH - Integer.BYTES, id).array();
    return RequestEncoder.encode(requestId, Command.IS_ALIVE, null, null);
  }

  private static int freeUdpPort() throws java.net.SocketException {
    try (java.net.DatagramSocket probe =
        new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }
}
