package io.kvstore.cli.it;

import static io.kvstore.cli.it.RawUdp.newId;
import static io.kvstore.cli.it.RawUdp.put;
import static io.kvstore.cli.it.RawUdp.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.storage.WalMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged writes survive kill -9, SHUTDOWN (an announced crash) and SIGTERM. The node flushes
 * its WAL once per batch, before the batch's replies leave; the bursts below kill it while writes
 * are in flight, right after an acknowledgement, which a flush after the replies (or only the
 * background sync every 100 ms) would lose.
 */
class DurabilityIT {
  private static final int KEYS = 500;
  private static final int WINDOW = 32;

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

  @Test
  void acknowledgedWritesOfAPipelinedBurstSurviveKillDashNineRightAfterTheLastAck() throws Exception {
    String data = dir.resolve("data").toString();
    try (NodeProcess node = NodeProcess.start(dir, "--data-dir", data);
        RawUdp udp = new RawUdp(node.port, 300)) {
      List<Integer> acked = burstOfPuts(udp, "burst-", 3_000, null);
      node.kill(); // writes of the window are still in flight
      node.launch();
      assertThat(acked).hasSize(3_000);
      for (int i : acked) {
        assertThat(udp.value("burst-" + i)).as("burst-" + i).isEqualTo("value-" + i);
      }
    }
  }

  @Test
  void aShutdownInTheMidstOfWritesKeepsEveryAcknowledgedOne() throws Exception {
    String data = dir.resolve("data").toString();
    try (NodeProcess node = NodeProcess.start(dir, "--data-dir", data);
        RawUdp udp = new RawUdp(node.port, 300)) {
      // SHUTDOWN joins the window after 1,000 acks: it lands in a batch with PUTs before it.
      List<Integer> acked = burstOfPuts(udp, "halt-", 2_000, request(newId(), 0x04, null, null));
      node.awaitExit(Duration.ofSeconds(10));
      node.launch();
      assertThat(acked).as("PUTs acknowledged before the node halted").isNotEmpty();
      for (int i : acked) {
        assertThat(udp.value("halt-" + i)).as("halt-" + i).isEqualTo("value-" + i);
      }
    }
  }

  /**
   * Replica acks: 2 nodes, every key on both, W = 2, so a PUT is acknowledged only after node 2
   * acked its replica write. Node 2 is killed right after the last acknowledgement, then node 1;
   * each one's own store, opened from its data directory, holds every acknowledged write.
   */
  @Test
  void replicaAcksComeOnlyAfterTheReplicasWalFlush() throws Exception {
    String quorums = """
        replication:
          n: 2
          r: 1
          w: 2
        """;
    List<Integer> acked;
    try (NodeCluster cluster = NodeCluster.start(dir, 2, quorums);
        RawUdp udp = new RawUdp(cluster.node(0).port, 300)) {
      acked = burstOfPuts(udp, "replica-", 2_000, null);
      cluster.node(1).kill();
      cluster.node(0).kill();
    }
    assertThat(acked).hasSize(2_000);
    for (int node = 1; node <= 2; node++) {
      try (RocksDbStorageEngine store = RocksDbStorageEngine.open(
          dir.resolve("node-" + node), StorageLimits.UNLIMITED, WalMode.EVERY_WRITE)) {
        for (int i : acked) {
          VersionedRecord record = store.get(RawUdp.key("replica-" + i));
          assertThat(record).as("replica-%d on node %d", i, node).isNotNull();
          assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("value-" + i);
        }
      }
    }
  }

  /**
   * PUTs {@code prefix + i} with {@link #WINDOW} in flight until {@code target} are acknowledged
   * (or 60 s pass), then returns at once with requests still outstanding. {@code thenSend}, if not
   * null, is sent after half the target; then the burst ends when replies stop.
   */
  private static List<Integer> burstOfPuts(RawUdp udp, String prefix, int target, byte[] thenSend)
      throws IOException {
    Map<String, Integer> outstanding = new HashMap<>(); // request id (hex) -> key index
    Map<String, byte[]> requests = new HashMap<>();
    List<Integer> acked = new ArrayList<>();
    int next = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    boolean sentExtra = false;
    while (acked.size() < target && System.nanoTime() < deadline) {
      while (outstanding.size() < WINDOW && next < target + WINDOW) {
        byte[] put = put(prefix + next, "value-" + next);
        String id = java.util.HexFormat.of().formatHex(put, 0, 16);
        outstanding.put(id, next++);
        requests.put(id, put);
        udp.send(put);
      }
      if (thenSend != null && !sentExtra && acked.size() >= target / 2) {
        udp.send(thenSend);
        sentExtra = true;
      }
      byte[] reply = udp.receiveOrNull();
      if (reply == null) {
        if (sentExtra) {
          return acked; // the node halted
        }
        for (byte[] again : requests.values()) {
          udp.send(again); // lost on loopback: the same id, answered at most once
        }
        continue;
      }
      String id = java.util.HexFormat.of().formatHex(Arrays.copyOf(reply, 16));
      Integer index = outstanding.remove(id);
      if (index != null) {
        requests.remove(id);
        assertThat(reply[16]).as("PUT %s%d", prefix, index).isZero();
        acked.add(index);
      }
    }
    return acked;
  }
}
