package io.kvstore.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestCodecTest {
  private static final byte[] ID = new byte[16];
  private final Random random = new Random(42);

  private byte[] key() {
    byte[] k = new byte[32];
    random.nextBytes(k);
    return k;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 14_999, 15_000})
  void putRoundTripsEveryValueSize(int size) {
    byte[] key = key();
    byte[] value = new byte[size];
    random.nextBytes(value);
    DecodedRequest d = RequestDecoder.decode(RequestEncoder.encode(ID, Command.PUT, key, value));
    assertThat(d.outcome()).isEqualTo(DecodedRequest.Outcome.CLIENT_REQUEST);
    assertThat(d.key()).isEqualTo(key);
    assertThat(d.value()).isEqualTo(value);
    assertThat(d.declaredLength()).isEqualTo(51 + size);
  }

  @ParameterizedTest
  @EnumSource(Command.class)
  void everyCommandRoundTrips(Command command) {
    byte[] key = command.hasKey ? key() : null;
    byte[] value = command.hasValue ? new byte[] {1, 2, 3} : null;
    DecodedRequest d = RequestDecoder.decode(RequestEncoder.encode(ID, command, key, value));
    assertThat(d.outcome()).isEqualTo(DecodedRequest.Outcome.CLIENT_REQUEST);
    assertThat(d.command()).isEqualTo(command);
    if (command.hasValue) {
      assertThat(d.value()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void valueLongerThan15000IsRejectedEvenWhenTheBytesArePresent() {
    ByteBuffer b = ByteBuffer.allocate(51 + 15_001);
    b.put(ID).put((byte) 1).put(key()).put((byte) (15_001 & 0xFF)).put((byte) (15_001 >> 8));
    DecodedRequest d = RequestDecoder.decode(b.array());
    assertThat(d.outcome()).isEqualTo(DecodedRequest.Outcome.REJECT);
    assertThat(d.errorCode()).isEqualTo(ResponseCode.INVALID_VALUE_LENGTH);
  }

  @Test
  void paddingIsIgnoredAndExcludedFromTheDeclaredLength() {
    byte[] key = key();
    byte[] plain = RequestEncoder.encode(ID, Command.PUT, key, "hello".getBytes());
    byte[] padded = java.util.Arrays.copyOf(plain, plain.length + 27);
    DecodedRequest d = RequestDecoder.decode(padded);
    assertThat(d.value()).isEqualTo("hello".getBytes());
    assertThat(d.declaredLength()).isEqualTo(plain.length);
  }

  @Test
  void decodingRespectsTheBufferPositionAndLeavesItUnchanged() {
    byte[] req = RequestEncoder.encode(ID, Command.GET, key(), null);
    ByteBuffer b = ByteBuffer.allocate(req.length + 10);
    b.position(10);
    b.put(req);
    b.position(10);
    DecodedRequest d = RequestDecoder.decode(b, new DecodedRequest());
    assertThat(d.keyOffset()).isEqualTo(10 + 17);
    assertThat(b.position()).isEqualTo(10);
  }

  @Test
  void encoderRefusesBadKeysAndValuesWithClearMessages() {
    assertThatThrownBy(() -> RequestEncoder.encode(ID, Command.GET, new byte[31], null))
        .hasMessageContaining("exactly 32 bytes");
    assertThatThrownBy(() -> RequestEncoder.encode(ID, Command.PUT, key(), new byte[15_001]))
        .hasMessageContaining("at most 15,000");
    assertThatThrownBy(() -> RequestEncoder.encode(ID, Command.PUT, key(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none");
  }

  @Test
  void encodersLeaveTheCallersByteOrderAlone() {
    ByteBuffer out = ByteBuffer.allocate(64);
    RequestEncoder.encode(out, ID, Command.PUT, key(), new byte[] {1});
    assertThat(out.order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
    ByteBuffer reply = ByteBuffer.allocate(64);
    ReplyEncoder.withInt(reply, ByteBuffer.wrap(ID), 0, 0x01020304);
    assertThat(reply.order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
    assertThat(reply.get(17)).isEqualTo((byte) 0x04);
  }

  @Test
  void malformedRepliesAreReportedNotMisread() {
    assertThatThrownBy(() -> Reply.decode(new byte[10], 10, Command.GET))
        .isInstanceOf(MalformedReplyException.class);
    byte[] liar = new byte[20];
    liar[17] = (byte) 200; // declares 200 value bytes, carries 1
    assertThatThrownBy(() -> Reply.decode(liar, liar.length, Command.GET))
        .isInstanceOf(MalformedReplyException.class)
        .hasMessageContaining("declares 200");
  }

  @Test
  void requestIdsFollowTheDocumentedLayout() {
    RequestId id =
        RequestId.generate(new byte[] {127, 0, 0, 1}, 0x1234, new Random(1), 0x0102030405060708L);
    byte[] b = id.bytes();
    assertThat(b).hasSize(16);
    assertThat(java.util.Arrays.copyOf(b, 4)).containsExactly(127, 0, 0, 1);
    assertThat(b[4]).isEqualTo((byte) 0x34);
    assertThat(b[5]).isEqualTo((byte) 0x12);
    assertThat(b[8]).isEqualTo((byte) 0x08);
    assertThat(b[15]).isEqualTo((byte) 0x01);
  }
}
