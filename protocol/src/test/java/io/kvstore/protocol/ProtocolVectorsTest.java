package io.kvstore.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every hex vector in docs/PROTOCOL.md decodes (and, where well formed, encodes) as documented. */
class ProtocolVectorsTest {
  static Stream<ProtocolVectors.Vector> requests() {
    return ProtocolVectors.load().stream().filter(v -> v.kind().equals("request"));
  }

  static Stream<ProtocolVectors.Vector> replies() {
    return ProtocolVectors.load().stream().filter(v -> v.kind().equals("reply"));
  }

  @Test
  void documentHasBothKinds() {
    assertThat(requests().count()).isGreaterThanOrEqualTo(20);
    assertThat(replies().count()).isGreaterThanOrEqualTo(5);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void requestDecodesAsDocumented(ProtocolVectors.Vector v) {
    assertThat(describe(RequestDecoder.decode(v.bytes()))).isEqualTo(v.expected());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void wellFormedUnpaddedRequestReencodesToTheSameBytes(ProtocolVectors.Vector v) {
    DecodedRequest d = RequestDecoder.decode(v.bytes());
    if (d.outcome() != DecodedRequest.Outcome.CLIENT_REQUEST || d.declaredLength() != v.bytes().length) {
      return;
    }
    byte[] id = java.util.Arrays.copyOf(v.bytes(), 16);
    byte[] key = d.command().hasKey ? d.key() : null;
    byte[] value = d.command().hasValue ? d.value() : null;
    assertThat(RequestEncoder.encode(id, d.command(), key, value)).isEqualTo(v.bytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void replyDecodesAsDocumented(ProtocolVectors.Vector v) {
    Reply r = Reply.decode(v.bytes(), v.bytes().length, Command.valueOf(v.sent()));
    StringBuilder s = new StringBuilder(String.format("code=0x%02x", r.code()));
    if (r.value() != null) {
      s.append(" value=").append(HexFormat.of().formatHex(r.value()));
    }
    if (r.intValue() != 0) {
      s.append(" int=").append(r.intValue());
    }
    assertThat(s.toString()).isEqualTo(v.expected());
    assertThat(r.requestId()).isEqualTo(java.util.Arrays.copyOf(v.bytes(), 16));
  }

  static String describe(DecodedRequest d) {
    return switch (d.outcome()) {
      case DROP -> "DROP";
      case INTERNAL -> String.format("INTERNAL 0x%02x", d.commandByte());
      case REJECT -> String.format("REJECT 0x%02x", d.errorCode().code);
      case CLIENT_REQUEST -> {
        StringBuilder s = new StringBuilder(d.command().name());
        if (d.command().hasKey) {
          s.append(" key=").append(HexFormat.of().formatHex(d.key()));
        }
        if (d.command().hasValue) {
          s.append(" value=").append(HexFormat.of().formatHex(d.value()));
        }
        yield s.toString();
      }
    };
  }
}
