package io.kvstore.node.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.sources.DefaultAllowList.LocalNetwork;
import io.kvstore.node.sources.SourceAllowList;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultAllowListTest {
  private static LocalNetwork net(String address, int prefix) throws Exception {
    return new LocalNetwork(InetAddress.getByName(address), prefix);
  }

  private final List<LocalNetwork> machine;

  DefaultAllowListTest() throws Exception {
    machine =
        List.of(
            net("127.0.0.1", 8), net("192.168.1.20", 24), net("10.8.0.3", 16),
            net("203.0.113.5", 24), net("fe80::1", 64), net("fd12:3456::7", 48),
            net("2001:db8::5", 64));
  }

  @Test
  void aLoopbackNodeAnswersLoopbackOnly() throws Exception {
    assertThat(DefaultAllowList.forBind(InetAddress.getByName("127.0.0.1"), machine))
        .containsExactly("127.0.0.0/8", "::1/128");
  }

  @Test
  void allInterfacesMeansLoopbackAndEveryPrivateSubnetButNoPublicOne() throws Exception {
    List<String> cidrs = DefaultAllowList.forBind(InetAddress.getByName("0.0.0.0"), machine);
    assertThat(cidrs)
        .containsExactly(
            "127.0.0.0/8", "::1/128", "192.168.1.0/24", "10.8.0.0/16", "fe80:0:0:0:0:0:0:0/64",
            "fd12:3456:0:0:0:0:0:0/48");
    SourceAllowList list = new SourceAllowList(cidrs);
    assertThat(list.permits(InetAddress.getByName("192.168.1.99"))).isTrue();
    assertThat(list.permits(InetAddress.getByName("203.0.113.6"))).isFalse();
    assertThat(list.permits(InetAddress.getByName("2001:db8::6"))).isFalse();
    assertThat(list.permits(InetAddress.getByName("8.8.8.8"))).isFalse();
  }

  @Test
  void aSpecificBindAllowsOnlyItsOwnPrivateSubnet() throws Exception {
    assertThat(DefaultAllowList.forBind(InetAddress.getByName("192.168.1.20"), machine))
        .containsExactly("127.0.0.0/8", "::1/128", "192.168.1.0/24");
    assertThat(DefaultAllowList.forBind(InetAddress.getByName("203.0.113.5"), machine))
        .as("a public address: nobody outside the machine until --allow-clients")
        .containsExactly("127.0.0.0/8", "::1/128");
  }

  @Test
  void thisMachinesDefaultsParse() throws Exception {
    new SourceAllowList(DefaultAllowList.forBind(InetAddress.getByName("0.0.0.0")));
  }
}
