package io.kvstore.cli.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemcachedWireTest {
  private final byte[][] keys = Keyspace.keys(BenchConfig.Protocol.MEMCACHED, 10);
  private final String key0 = new String(keys[0], US_ASCII);
  private final MemcachedWire wire = new MemcachedWire(keys, 5, new SplittableRandom(1), 8);
  private final BenchWire.ReplyHeader header = new BenchWire.ReplyHeader();

  @Test
  void keysAreTheHexDigestOfTheIndex() {
    assertThat(key0).isEqualTo("5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9");
  }

  @Test
  void getAndSetCarryTheFrameHeaderAndTextCommand() {
    ByteBuffer get = ByteBuffer.allocate(256);
    long tag = wire.encode(get, 3, 10, true, 0);
    get.flip();
    // 8 slots take 3 bits: request id = tag << 3 | slot
    assertThat(Arrays.copyOf(get.array(), 8)).containsExactly(0, (10 << 3 | 3), 0, 0, 0, 1, 0, 0);
    assertThat(text(get, 8)).isEqualTo("get " + key0 + "\r\n");
    assertThat(tag).isEqualTo(10);

    ByteBuffer set = ByteBuffer.allocate(256);
    wire.encode(set, 3, 11, false, 0);
    set.flip();
    assertThat(text(set, 8)).matches("set " + key0 + " 0 0 5\r\n[!-~]{5}\r\n");
  }

  @Test
  void theTagKeepsOnlyTheBitsTheSlotLeaves() {
    ByteBuffer out = ByteBuffer.allocate(256);
    long wireTag = wire.encode(out, 7, (1L << 40) + 0x1FFF, true, 1);
    assertThat(wire.decodeHeader(out.flip(), header)).isTrue();
    assertThat(header.slot).isEqualTo(7);
    assertThat(header.tag).isEqualTo(wireTag).isEqualTo(0x1FFF);
  }

  @Test
  void repliesAreClassified() {
    assertThat(check("VALUE " + key0 + " 0 5\r\nabcde\r\nEND\r\n", true, 0, 1))
        .isSameAs(BenchWire.OK);
    assertThat(check("END\r\n", true, 0, 1)).isSameAs(BenchWire.MISS);
    assertThat(check("STORED\r\n", false, 0, 1)).isSameAs(BenchWire.OK);
    assertThat(check("SERVER_ERROR out of memory storing object\r\n", false, 0, 1))
        .isEqualTo("SERVER_ERROR");
    assertThat(check("NOT_STORED\r\n", false, 0, 1)).isEqualTo("NOT_STORED");
    assertThat(check("VALUE " + key0 + " 0 5\r\nabcde\r\n", true, 0, 1))
        .isSameAs(BenchWire.MALFORMED);
    assertThat(check("garbage", true, 0, 1)).isSameAs(BenchWire.MALFORMED);
  }

  @Test
  void multiDatagramRepliesAreCheckedAtBothEnds() {
    assertThat(check("VALUE " + key0 + " 0 3000\r\nabc", true, 0, 3)).isSameAs(BenchWire.OK);
    assertThat(check("middle", true, 1, 3)).isSameAs(BenchWire.OK);
    assertThat(check("xyz\r\nEND\r\n", true, 2, 3)).isSameAs(BenchWire.OK);
    assertThat(check("xyz", true, 2, 3)).isSameAs(BenchWire.MALFORMED);
  }

  private String check(String body, boolean get, int part, int parts) {
    byte[] text = body.getBytes(US_ASCII);
    ByteBuffer reply = ByteBuffer.allocate(8 + text.length);
    reply.putShort((short) 0).putShort((short) part).putShort((short) parts).putShort((short) 0);
    reply.put(text).flip();
    assertThat(wire.decodeHeader(reply, header)).isTrue();
    assertThat(header.parts).isEqualTo(parts);
    return wire.check(reply, header, get);
  }

  private static String text(ByteBuffer buffer, int from) {
    return new String(buffer.array(), from, buffer.limit() - from, US_ASCII);
  }
}
