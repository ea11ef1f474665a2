package io.kvstore.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzzes the request decoder: no input may throw, and every input gets exactly one defined outcome
 * whose offsets stay inside the datagram. In CI this runs in regression mode (the seed corpus
 * only); run {@code JAZZER_FUZZ=1 mvn test -pl protocol -Dtest=RequestDecoderFuzzTest} to fuzz.
 */
class RequestDecoderFuzzTest {
  private final DecodedRequest reused = new DecodedRequest();

  @FuzzTest(maxDuration = "60s")
  void everyInputGetsADefinedOutcome(byte[] data) {
    ByteBuffer buffer = ByteBuffer.wrap(data);
    DecodedRequest d = RequestDecoder.decode(buffer, reused);
    assertThat(buffer.position()).isZero();
    assertThat(buffer.limit()).isEqualTo(data.length);
    switch (d.outcome()) {
      case DROP -> assertThat(data.length).isLessThan(16);
      case REJECT -> assertThat(d.errorCode()).isNotNull();
      case INTERNAL -> assertThat(d.commandByte()).isGreaterThanOrEqualTo(0x20);
      case CLIENT_REQUEST -> {
        assertThat(d.command()).isNotNull();
        assertThat(d.declaredLength()).isBetween(17, data.length);
        if (d.command().hasKey) {
          assertThat(d.keyOffset() + 32).isLessThanOrEqualTo(data.length);
        }
        if (d.command() == Command.PUT) {
          assertThat(d.valueLength()).isBetween(0, Wire.MAX_VALUE_LENGTH);
          assertThat(d.valueOffset() + d.valueLength()).isLessThanOrEqualTo(data.length);
        }
      }
    }
  }
}
