package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelUdpDropsTest {
  private static final List<String> TABLE =
      List.of(
          "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
          " 1057: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4711 2 0000000000000000 120",
          " 1057: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4712 2 0000000000000000 3",
          " 1058: 0100007F:1F91 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4713 2 0000000000000000 99",
          " 1059: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9999 2 0000000000000000 50");

  @Test
  void sumsTheDropsOfOurSocketsOnThePortOnly() {
    assertThat(KernelUdpDrops.drops(TABLE, 0x1F90, Set.of(4711L, 4712L, 4713L))).isEqualTo(123);
    assertThat(KernelUdpDrops.drops(TABLE, 0x1F90, Set.of())).as("another process's socket").isZero();
  }

  @Test
  void readsTheKernelsTableForASocketOfThisProcess() throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      long drops = new KernelUdpDrops(socket.getLocalPort()).total();
      if (System.getProperty("os.name").startsWith("Linux")) {
        assertThat(drops).isZero();
      } else {
        assertThat(drops).isEqualTo(-1);
      }
    }
  }
}
