package io.kvstore.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes the reply decoder a client (and the status server, polling nodes) runs on whatever comes
 * back to its socket, forged replies included: it returns a reply that carries the datagram's id
 * and code and a value that fits in the datagram and the protocol's limit, or throws {@link
 * MalformedReplyException}; anything else escapes as a failure. The first input byte picks the
 * command the client sent. CI runs the seeds in {@code
 * src/test/resources/io/kvstore/protocol/ReplyDecoderFuzzTestInputs}; bench/fuzz.sh fuzzes.
 */
class ReplyDecoderFuzzTest {
  private static final Command[] COMMANDS = Command.values();

  @FuzzTest(maxDuration = "60s")
  void decodesToAConsistentReplyOrRejects(byte[] data) {
    if (data.length == 0) {
      return;
    }
    Command sent = COMMANDS[Math.floorMod(data[0], COMMANDS.length)];
    byte[] datagram = Arrays.copyOfRange(data, 1, data.length);
    Reply reply;
    try {
      reply = Reply.decode(datagram, datagram.length, sent);
    } catch (MalformedReplyException expected) {
      return;
    }
    assertThat(datagram.length).isGreaterThanOrEqualTo(ReplyEncoder.CODE_ONLY);
    assertThat(reply.requestId()).isEqualTo(Arrays.copyOf(datagram, 16));
    assertThat(reply.code()).isEqualTo(datagram[16] & 0xFF);
    if (reply.value() != null) {
      assertThat(reply.isSuccess()).isTrue();
      assertThat(reply.value().length).isLessThanOrEqualTo(datagram.length - ReplyEncoder.CODE_ONLY);
      if (sent == Command.GET) {
        assertThat(reply.value().length).isLessThanOrEqualTo(Wire.MAX_VALUE_LENGTH);
        assertThat(reply.value())
            .isEqualTo(Arrays.copyOfRange(datagram, 19, 19 + reply.value().length));
      }
    }
  }
}
