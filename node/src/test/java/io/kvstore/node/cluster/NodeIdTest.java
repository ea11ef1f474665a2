package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NodeIdTest {
  @Test
  void anIdFromItsBytesEqualsTheIdFromItsString() {
    byte[] datagram = "xxnode-7é!".getBytes(StandardCharsets.UTF_8);
    NodeId ascii = NodeId.fromUtf8(datagram, 2, 6);
    NodeId accented = NodeId.fromUtf8(datagram, 2, 8);

    assertThat(ascii).isEqualTo(new NodeId("node-7")).hasSameHashCodeAs(new NodeId("node-7"));
    assertThat(accented).isEqualTo(new NodeId("node-7é"));
    assertThat(accented.utf8Length()).isEqualTo(8);
    assertThat(ascii.utf8Equals(datagram, 2, 6)).isTrue();
    assertThat(ascii.utf8Equals(datagram, 2, 5)).isFalse();
  }

  @Test
  void malformedUtf8BecomesWhatItsStringEncodesTo() {
    byte[] truncated = {'n', (byte) 0xC3}; // the first byte of a two-byte character only
    NodeId id = NodeId.fromUtf8(truncated, 0, 2);

    assertThat(id).isEqualTo(new NodeId("n\uFFFD"));
    ByteBuffer out = ByteBuffer.allocate(id.utf8Length());
    id.putUtf8(out);
    assertThat(out.array()).isEqualTo("n\uFFFD".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anIdStaysWithinItsLengthByte() {
    byte[] sixtyFourTruncated = new byte[64];
    java.util.Arrays.fill(sixtyFourTruncated, (byte) 0xC3); // each becomes a 3-byte U+FFFD

    assertThatThrownBy(() -> NodeId.fromUtf8(sixtyFourTruncated, 0, 64)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NodeId.fromUtf8(new byte[0], 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
