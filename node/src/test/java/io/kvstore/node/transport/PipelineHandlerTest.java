package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the socket end does when the kernel stops taking datagrams: a bounded queue, then drops. */
class PipelineHandlerTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5555);
  private final LongAdder unsent = new LongAdder();
  private final PipelineHandler handler =
      new PipelineHandler((loop, sink, local) -> null, CLIENT, false, unsent);
  private final EmbeddedChannel channel = new EmbeddedChannel(handler); // active: the handler has its context

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void aSocketWhoseSendsAreStuckQueuesAtMostItsLimitThenDropsAndCounts() {
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8_000, 16_000));
    // Written, never flushed: what stays in Netty's queue while the kernel answers EAGAIN.
    for (int i = 0; i < 100; i++) {
      handler.send(CLIENT, ByteBuffer.wrap(new byte[1_500]));
    }
    long queued = channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    assertThat(queued).isLessThanOrEqualTo(16_000 + 1_500 + 1_000); // the limit plus one datagram
    assertThat(unsent.sum()).isGreaterThanOrEqualTo(85);

    AtomicInteger after = new AtomicInteger();
    handler.sendThen(CLIENT, ByteBuffer.wrap(new byte[17]), after::incrementAndGet);
    assertThat(after.get()).as("what waits for the send still runs").isEqualTo(1);

    channel.flush(); // the kernel takes datagrams again
    assertThat(channel.isWritable()).isTrue();
    handler.send(CLIENT, ByteBuffer.wrap(new byte[100]));
    handler.flush();
    DatagramPacket last = null;
    for (Object o; (o = channel.readOutbound()) != null; ) {
      if (last != null) {
        last.release();
      }
      last = (DatagramPacket) o;
    }
    assertThat(last.content().readableBytes()).isEqualTo(100);
    last.release();
  }
}
