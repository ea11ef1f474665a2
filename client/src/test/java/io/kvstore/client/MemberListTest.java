package io.kvstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MemberListTest {
  /** One alive member "n1" at 127.0.0.1:4000, incarnation 7, optionally with the trailer. */
  private static byte[] page(boolean trailer, boolean insecure, long rejected) {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1).putShort((short) 1);
    b.put((byte) 0).putLong(7).put((byte) 2).put("n1".getBytes(StandardCharsets.UTF_8));
    b.put((byte) 4).put(new byte[] {127, 0, 0, 1}).putShort((short) 4000);
    if (trailer) {
      b.put((byte) (insecure ? 1 : 0)).putLong(rejected);
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  @Test
  void readsTheSecurityTrailer() {
    MemberList list = MemberList.parse(page(true, false, 1234));
    assertThat(list.members()).hasSize(1);
    assertThat(list.members().get(0).id()).isEqualTo("n1");
    assertThat(list.security()).isEqualTo(new MemberList.Security(false, 1234));
    assertThat(MemberList.parse(page(true, true, 0)).security().insecure()).isTrue();
  }

  @Test
  void aPageWithoutTrailerStillParses() {
    MemberList list = MemberList.parse(page(false, false, 0));
    assertThat(list.members()).hasSize(1);
    assertThat(list.security()).isNull();
  }

  @Test
  void aTruncatedPageIsAClearError() {
    byte[] p = page(false, false, 0);
    byte[] cut = java.util.Arrays.copyOf(p, p.length - 3);
    assertThatThrownBy(() -> MemberList.parse(cut)).isInstanceOf(KvException.class)
        .hasMessageContaining("malformed member list");
  }
}
