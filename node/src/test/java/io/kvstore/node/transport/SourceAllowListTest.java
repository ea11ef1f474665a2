package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceAllowListTest {
  @Test
  void defaultAllowsLoopbackOnly() throws Exception {
    SourceAllowList list = new SourceAllowList(SourceAllowList.DEFAULT);
    assertThat(list.permits(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(list.permits(InetAddress.getByName("127.9.9.9"))).isTrue();
    assertThat(list.permits(InetAddress.getByName("::1"))).isTrue();
    assertThat(list.permits(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThat(list.permits(InetAddress.getByName("128.0.0.1"))).isFalse();
  }

  @Test
  void prefixesThatAreNotByteAligned() throws Exception {
    SourceAllowList list = new SourceAllowList(List.of("192.168.4.0/22", "10.1.2.3"));
    assertThat(list.permits(InetAddress.getByName("192.168.7.255"))).isTrue();
    assertThat(list.permits(InetAddress.getByName("192.168.8.0"))).isFalse();
    assertThat(list.permits(InetAddress.getByName("10.1.2.3"))).isTrue();
    assertThat(list.permits(InetAddress.getByName("10.1.2.4"))).isFalse();
  }

  @Test
  void badBlocksAreRejectedWithClearMessages() {
    assertThatThrownBy(() -> new SourceAllowList(List.of("10.0.0.0/33")))
        .hasMessageContaining("prefix length");
    assertThatThrownBy(() -> new SourceAllowList(List.of("example.com/8")))
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> new SourceAllowList(List.of("1.2.3.4/8/9")))
        .hasMessageContaining("not a CIDR block");
  }
}
