package io.kvstore.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameAuthenticatorTest {
  private static final byte[] FRAME = new byte[40];

  static {
    FRAME[16] = 0x20;
    FRAME[17] = 1;
  }

  @Test
  void sealedFramesOpenWithTheSameSecret() {
    FrameAuthenticator a = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    byte[] sealed = a.seal(FRAME);
    assertThat(sealed).hasSize(FRAME.length + 32);
    assertThat(a.open(ByteBuffer.wrap(sealed))).isEqualTo(FRAME);
  }

  @Test
  void untaggedWronglyTaggedOrTamperedFramesAreRefused() {
    FrameAuthenticator a = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    FrameAuthenticator other = FrameAuthenticator.withSecret("another-secret-0123456789");
    assertThat(a.open(ByteBuffer.wrap(FRAME))).as("no tag").isNull();
    assertThat(a.open(ByteBuffer.wrap(other.seal(FRAME)))).as("other secret").isNull();
    byte[] tampered = a.seal(FRAME);
    tampered[20] ^= 1;
    assertThat(a.open(ByteBuffer.wrap(tampered))).as("tampered").isNull();
    assertThat(a.open(ByteBuffer.wrap(new byte[10]))).as("too short").isNull();
  }

  @Test
  void aDatagramInADirectBufferAtAnOffsetIsCheckedInPlaceAndLeftAsItWas() {
    FrameAuthenticator a = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    byte[] sealed = a.seal(FRAME);
    ByteBuffer direct = ByteBuffer.allocateDirect(sealed.length + 100);
    direct.position(37);
    direct.put(sealed);
    direct.flip().position(37); // as the transport hands it over: between position and limit
    assertThat(a.open(direct)).isEqualTo(FRAME);
    assertThat(direct.position()).isEqualTo(37);
    assertThat(direct.limit()).isEqualTo(37 + sealed.length);
    direct.put(direct.limit() - 1, (byte) (direct.get(direct.limit() - 1) ^ 1)); // the tag's last byte
    assertThat(a.open(direct)).as("a tag wrong in its last byte").isNull();
  }

  @Test
  void withoutASecretFramesPassUnchanged() {
    FrameAuthenticator none = FrameAuthenticator.none();
    assertThat(none.seal(FRAME)).isSameAs(FRAME);
    assertThat(none.open(ByteBuffer.wrap(FRAME))).isEqualTo(FRAME);
  }

  @Test
  void shortSecretsAreRefusedWithAHint() {
    assertThatThrownBy(() -> FrameAuthenticator.withSecret("short"))
        .hasMessageContaining("at least 16")
        .hasMessageContaining("openssl rand");
  }
}
