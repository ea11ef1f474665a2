package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReceivedDatagramTest {
  private final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);

  /** A receive buffer of several slots holding {@code datagram} at {@code slot}, as recvmmsg fills it. */
  private ByteBuf slotOf(int slot, int slotSize, byte[] datagram) {
    ByteBuf receive = alloc.directBuffer(4 * slotSize);
    receive.writeZero(4 * slotSize);
    receive.setBytes(slot * slotSize, datagram);
    return receive.retainedSlice(slot * slotSize, datagram.length);
  }

  private static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed + i * 31);
    }
    return b;
  }

  private static byte[] remaining(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void eachDatagramArrivesWholeInTheSameBufferAndNettysIndexesStay() {
    ReceivedDatagram received = new ReceivedDatagram(64);
    ByteBuf first = slotOf(1, 64, bytes(40, 1));
    ByteBuf second = slotOf(3, 64, bytes(17, 2));
    ByteBuffer a = received.copyOf(first);
    assertThat(a.position()).isZero();
    assertThat(remaining(a)).isEqualTo(bytes(40, 1));
    ByteBuffer b = received.copyOf(second);
    assertThat(b).as("no buffer per datagram").isSameAs(a);
    assertThat(remaining(b)).isEqualTo(bytes(17, 2)); // shorter: no bytes of the first left over
    assertThat(first.readerIndex()).isZero();
    assertThat(first.readableBytes()).isEqualTo(40);
    first.release();
    second.release();
  }

  @Test
  void aDatagramReadPartlyAlreadyArrivesFromItsReaderIndexAndAnEmptyOneEmpty() {
    ReceivedDatagram received = new ReceivedDatagram(64);
    ByteBuf d = slotOf(0, 64, bytes(30, 3));
    d.skipBytes(10);
    assertThat(remaining(received.copyOf(d))).isEqualTo(java.util.Arrays.copyOfRange(bytes(30, 3), 10, 30));
    d.skipBytes(20);
    assertThat(received.copyOf(d).remaining()).isZero();
    d.release();
  }

  @Test
  void aDatagramLongerThanTheBufferGetsAViewOfItsOwn() {
    ReceivedDatagram received = new ReceivedDatagram(16);
    ByteBuf d = slotOf(1, 64, bytes(50, 4));
    ByteBuffer view = received.copyOf(d);
    assertThat(remaining(view)).isEqualTo(bytes(50, 4));
    ByteBuf small = slotOf(0, 64, bytes(5, 5));
    assertThat(received.copyOf(small)).isNotSameAs(view);
    d.release();
    small.release();
  }
}
