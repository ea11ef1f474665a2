package io.kvstore.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.DecodedRequest;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.RequestDecoder;
import io.kvstore.protocol.ResponseCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvStoreWireTest {
  private final byte[][] keys = Keyspace.keys(BenchConfig.Protocol.KVSTORE, 10);
  private final KvStoreWire wire =
      new KvStoreWire(keys, 100, new SplittableRandom(1), new byte[] {127, 0, 0, 1}, 0x1234);
  private final BenchWire.ReplyHeader header = new BenchWire.ReplyHeader();

  @Test
  void requestsDecodeAndCarryTheSlotAndTagInTheId() {
    ByteBuffer put = encode(5, 77L, false, 3);
    DecodedRequest decoded = RequestDecoder.decode(Arrays.copyOf(put.array(), put.limit()));
    assertThat(decoded.command()).isEqualTo(Command.PUT);
    assertThat(decoded.key()).isEqualTo(keys[3]);
    assertThat(decoded.valueLength()).isEqualTo(100);

    ByteBuffer id = put.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new byte[] {id.get(0), id.get(1), id.get(2), id.get(3)})
        .containsExactly(127, 0, 0, 1);
    assertThat(id.getShort(4)).isEqualTo((short) 0x1234);
    assertThat(id.getShort(6)).isEqualTo((short) 5);
    assertThat(id.getLong(8)).isEqualTo(77L);

    ByteBuffer get = encode(5, 78L, true, 3);
    assertThat(RequestDecoder.decode(Arrays.copyOf(get.array(), get.limit())).command())
        .isEqualTo(Command.GET);
  }

  @Test
  void repliesMapBackToTheirSlotAndOutcome() {
    ByteBuffer request = encode(9, 1234L, true, 0);

    ByteBuffer hit =
        reply(
            request,
            out -> {
              ReplyEncoder.valueHeader(out, request, 0, 3);
              out.put(new byte[] {1, 2, 3});
            });
    assertThat(wire.decodeHeader(hit, header)).isTrue();
    assertThat(header.slot).isEqualTo(9);
    assertThat(header.tag).isEqualTo(1234L);
    assertThat(wire.check(hit, header, true)).isSameAs(BenchWire.OK);

    assertThat(wire.check(code(request, ResponseCode.NOT_FOUND), header, true))
        .isSameAs(BenchWire.MISS);
    assertThat(wire.check(code(request, ResponseCode.SUCCESS), header, false))
        .isSameAs(BenchWire.OK);
    assertThat(wire.check(code(request, ResponseCode.OVERLOAD), header, false))
        .isEqualTo("0x03 (system overload)");
    assertThat(wire.check(code(request, ResponseCode.SUCCESS), header, true))
        .as("a GET success without a value")
        .isSameAs(BenchWire.MALFORMED);
    assertThat(wire.decodeHeader(ByteBuffer.allocate(15), header)).isFalse();
  }

  private ByteBuffer encode(int slot, long tag, boolean get, int key) {
    ByteBuffer out = ByteBuffer.allocate(1024);
    assertThat(wire.encode(out, slot, tag, get, key)).isEqualTo(tag);
    return out.flip();
  }

  private static ByteBuffer code(ByteBuffer request, ResponseCode code) {
    return reply(request, out -> ReplyEncoder.code(out, request, 0, code));
  }

  private static ByteBuffer reply(
      ByteBuffer request, java.util.function.Consumer<ByteBuffer> writer) {
    ByteBuffer out = ByteBuffer.allocate(1024);
    writer.accept(out);
    return out.flip();
  }
}
