package io.kvstore.node.sources;

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

  @Test
  void everyPrefixLengthMatchesExactlyItsBlock() throws Exception {
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 20_000; i++) {
      int network = random.nextInt();
      int prefix = random.nextInt(33);
      int address = random.nextBoolean() ? network ^ (1 << random.nextInt(32)) : random.nextInt();
      SourceAllowList list = new SourceAllowList(List.of(dotted(network) + "/" + prefix));
      long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
      boolean expected = ((network ^ address) & mask) == 0;
      assertThat(list.permits(InetAddress.getByName(dotted(address))))
          .as("%s in %s/%d", dotted(address), dotted(network), prefix)
          .isEqualTo(expected);
    }
  }

  @Test
  void ipv4AndIpv6BlocksNeverMatchEachOthersAddresses() throws Exception {
    SourceAllowList v4 = new SourceAllowList(List.of("0.0.0.0/0"));
    assertThat(v4.permits(InetAddress.getByName("203.0.113.9"))).isTrue();
    assertThat(v4.permits(InetAddress.getByName("2001:db8::1"))).isFalse();
    SourceAllowList v6 = new SourceAllowList(List.of("::/0"));
    assertThat(v6.permits(InetAddress.getByName("2001:db8::1"))).isTrue();
    assertThat(v6.permits(InetAddress.getByName("203.0.113.9"))).isFalse();
    assertThat(v6.cidrs()).containsExactly("::/0");
  }

  private static String dotted(int a) {
    return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
  }
}
