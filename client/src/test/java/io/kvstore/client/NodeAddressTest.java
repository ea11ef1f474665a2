package io.kvstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class NodeAddressTest {
  @Test
  void parsesHostPortAndBracketedIpv6() {
    InetSocketAddress v4 = NodeAddress.parse("127.0.0.1:4000");
    assertThat(v4.getPort()).isEqualTo(4000);
    assertThat(NodeAddress.format(v4)).isEqualTo("127.0.0.1:4000");
    assertThat(NodeAddress.format(NodeAddress.parse("[::1]:4001")))
        .isEqualTo("[0:0:0:0:0:0:0:1]:4001");
  }

  @Test
  void rejectsAddressesWithoutAUsablePort() {
    assertThatThrownBy(() -> NodeAddress.parse("localhost"))
        .hasMessageContaining("HOST:PORT, such as 127.0.0.1:4000");
    assertThatThrownBy(() -> NodeAddress.parse("localhost:70000"))
        .hasMessageContaining("from 1 to 65535");
    assertThatThrownBy(() -> NodeAddress.parse("localhost:x"))
        .hasMessageContaining("from 1 to 65535");
  }
}
