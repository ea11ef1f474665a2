package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PortExclusivityTest {
  private static final InetSocketAddress LOOPBACK_4000 = new InetSocketAddress("127.0.0.1", 4000);

  private static String line(String local, long inode) {
    return "  123: " + local + " 00000000:0000 07 00000000:00000000 00:00000000 00000000     0"
        + "        0 " + inode + " 2 0000000000000000 0";
  }

  @Test
  void readsPortAddressAndInodeOfProcLines() {
    // 127.0.0.1 is printed as 0100007F (host byte order); 4000 = 0x0FA0
    assertThat(PortExclusivity.conflictingInode(line("0100007F:0FA0", 77), LOOPBACK_4000)).isEqualTo(77);
    assertThat(PortExclusivity.conflictingInode(line("00000000:0FA0", 78), LOOPBACK_4000)).isEqualTo(78);
    assertThat(PortExclusivity.conflictingInode(line("0200007F:0FA0", 79), LOOPBACK_4000)).isNull();
    assertThat(PortExclusivity.conflictingInode(line("0100007F:0FA1", 80), LOOPBACK_4000)).isNull();
    // udp6: ::ffff:127.0.0.1 and ::
    assertThat(PortExclusivity.conflictingInode(
        line("0000000000000000FFFF00000100007F:0FA0", 81), LOOPBACK_4000)).isEqualTo(81);
    assertThat(PortExclusivity.conflictingInode(
        line("00000000000000000000000000000000:0FA0", 82), LOOPBACK_4000)).isEqualTo(82);
    assertThat(PortExclusivity.conflictingInode("  sl  local_address rem_address", LOOPBACK_4000)).isNull();
    assertThat(PortExclusivity.conflictingInode(line("zz:0FA0", 83), LOOPBACK_4000)).isNull();
  }

  @Test
  void theProbeFailsOnAServedPortWhetherOrNotItsOwnerUsesReusePort() throws Exception {
    try (DatagramSocket plain = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      InetSocketAddress taken = (InetSocketAddress) plain.getLocalSocketAddress();
      assertThatThrownBy(() -> PortExclusivity.probe(taken))
          .isInstanceOf(PortUnavailableException.class)
          .hasMessageContaining("Is another node running there?");
    }
    try (DatagramChannel shared = DatagramChannel.open()) {
      shared.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      shared.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      InetSocketAddress taken = (InetSocketAddress) shared.getLocalAddress();
      assertThatThrownBy(() -> PortExclusivity.probe(taken)).isInstanceOf(PortUnavailableException.class);
    }
  }

  @Test
  void findsAForeignSocketInTheKernelTable() throws Exception {
    Assumptions.assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/net/udp")),
        "needs Linux /proc/net/udp");
    try (DatagramChannel other = DatagramChannel.open()) {
      other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      InetSocketAddress at = (InetSocketAddress) other.getLocalAddress();
      List<Long> foreign = PortExclusivity.foreignSockets(at, Set.of());
      assertThat(foreign).hasSize(1);
      assertThat(PortExclusivity.foreignSockets(at, Set.copyOf(foreign))).isEmpty();
    }
  }
}
