package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process per port: a second node on a served port fails with exit 2, the first keeps it. */
class PortInUseIT {
  @TempDir Path dir;

  @Test
  void aSecondNodeOnTheSamePortFailsAndTheFirstKeepsAllItsTraffic() throws Exception {
    try (NodeProcess first = NodeProcess.start(dir, "--data-dir", dir.resolve("a").toString())) {
      try (RawUdp udp = new RawUdp(first.port, 300)) {
        assertThat(udp.code(RawUdp.put("acknowledged", "value-1"))).isZero();
      }
      for (String bind : new String[] {"127.0.0.1", "0.0.0.0"}) {
        Kvstore.Run second =
            Kvstore.run(dir, Duration.ofSeconds(30), "node", "--port", Integer.toString(first.port),
                "--bind", bind, "--data-dir", dir.resolve("b").toString());
        assertThat(second.exit()).as("exit code, bind %s", bind).isEqualTo(2);
        assertThat(second.err())
            .contains("cannot listen on udp " + bind + ":" + first.port)
            .contains("Is another node running there?")
            .doesNotContain("Exception\n\tat"); // one clear line, no stack trace
      }
      // every fresh client (a new source port each, spread over the node's sockets) still reads it
      for (int i = 0; i < 40; i++) {
        try (RawUdp udp = new RawUdp(first.port, 300)) {
          assertThat(udp.value("acknowledged")).as("fresh client %d", i).isEqualTo("value-1");
        }
      }
      assertThat(first.isAlive()).isTrue();
    }
  }

  @Test
  void aProcessThatJoinsThePortLaterIsReportedLoudly() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir, "--memory")) {
      // a process of the same user that sets SO_REUSEPORT itself (KVStore nodes never do)
      try (DatagramChannel invader = DatagramChannel.open()) {
        invader.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        invader.bind(new InetSocketAddress("127.0.0.1", node.port));
        await("the node reports the process sharing its port")
            .atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(500))
            .until(() -> node.logText().contains("another process shares udp"));
      }
      assertThat(node.isAlive()).isTrue();
    }
  }
}
