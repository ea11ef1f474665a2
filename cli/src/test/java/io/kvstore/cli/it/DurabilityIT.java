package io.kvstore.cli.it;

import static io.kvstore.cli.it.RawUdp.newId;
import static io.kvstore.cli.it.RawUdp.put;
import static io.kvstore.cli.it.RawUdp.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledged writes survive kill -9, SHUTDOWN (an announced crash) and SIGTERM. */
class DurabilityIT {
  private static final int KEYS = 500;

  @TempDir Path dir;

  private void writeKeys(RawUdp udp, String prefix) throws Exception {
    for (int i = 0; i < KEYS; i++) {
      assertThat(udp.code(put(prefix + i, "value-" + i))).as("PUT acknowledged").isZero();
    }
  }

  private void assertKeys(RawUdp udp, String prefix) throws Exception {
    for (int i = 0; i < KEYS; i++) {
      assertThat(udp.value(prefix + i)).as(prefix + i).isEqualTo("value-" + i);
    }
  }

  @Test
  void acknowledgedWritesSurviveKillDashNine() throws Exception {
    String data = dir.resolve("data").toString();
    try (NodeProcess node = NodeProcess.start(dir, "--data-dir", data);
        RawUdp udp = new RawUdp(node.port, 300)) {
      writeKeys(udp, "kill-");
      node.kill();
      node.launch();
      assertKeys(udp, "kill-");
    }
  }

  @Test
  void shutdownCrashesAtOnceAndKeepsAcknowledgedWrites() throws Exception {
    String data = dir.resolve("data").toString();
    try (NodeProcess node = NodeProcess.start(dir, "--data-dir", data);
        RawUdp udp = new RawUdp(node.port, 300)) {
      writeKeys(udp, "shutdown-");
      assertThat(udp.code(request(newId(), 0x04, null, null))).isZero();
      node.awaitExit(Duration.ofSeconds(10));
      assertThat(node.logText()).doesNotContain("storage flushed");
      node.launch();
      assertKeys(udp, "shutdown-");
    }
  }

  @Test
  void sigtermStopsGracefullyWithExitCodeZero() throws Exception {
    String data = dir.resolve("data").toString();
    try (NodeProcess node = NodeProcess.start(dir, "--data-dir", data);
        RawUdp udp = new RawUdp(node.port, 300)) {
      writeKeys(udp, "term-");
      assertThat(node.terminate()).isZero();
      assertThat(node.logText()).contains("storage flushed");
      node.launch();
      assertKeys(udp, "term-");
    }
  }
}
