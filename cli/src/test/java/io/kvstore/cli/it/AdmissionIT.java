package io.kvstore.cli.it;

import static io.kvstore.cli.it.RawUdp.get;
import static io.kvstore.cli.it.RawUdp.key;
import static io.kvstore.cli.it.RawUdp.newId;
import static io.kvstore.cli.it.RawUdp.put;
import static io.kvstore.cli.it.RawUdp.remove;
import static io.kvstore.cli.it.RawUdp.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overload (0x03), quotas (0x02) and the admin allow-list (0x21) against real node processes. */
class AdmissionIT {
  @TempDir Path dir;

  @Test
  void floodBeyondTheQueueIsAnsweredOverloadNotDropped() throws Exception {
    // One request per turn, each turn an fsync: the node executes far slower than we send.
    Path config = dir.resolve("slow.yaml");
    java.nio.file.Files.writeString(config, "sync: true\nbatch-size: 1\nqueue-capacity: 8\nio-threads: 1\n");
    try (NodeProcess node =
            NodeProcess.start(
                dir, "--data-dir", dir.resolve("d").toString(), "--config", config.toString());
        RawUdp udp = new RawUdp(node.port, 2000)) {
      udp.socket.setReceiveBufferSize(8 << 20);
      int sent = 3000;
      byte[] value = new byte[100];
      for (int i = 0; i < sent; i++) {
        udp.send(request(newId(), 0x01, key("flood-" + i), value));
      }
      Map<Integer, Integer> codes = new HashMap<>();
      byte[] reply;
      while ((reply = udp.receiveOrNull()) != null) {
        codes.merge(reply[16] & 0xFF, 1, Integer::sum);
      }
      assertThat(codes).containsKey(0x03);
      assertThat(codes.keySet()).containsOnly(0x00, 0x03);
      assertThat(codes.values().stream().mapToInt(Integer::intValue).sum())
          .as("answered (some may be lost in the kernel's socket buffers)")
          .isGreaterThan(sent / 2);
      udp.socket.setSoTimeout(300);
      assertThat(udp.code(request(newId(), 0x06, null, null))).as("recovers").isZero();
    }
  }

  @Test
  void keyQuotaRefusesNewKeysButReadsRemovesAndOverwritesWork() throws Exception {
    try (NodeProcess node =
            NodeProcess.start(dir, "--data-dir", dir.resolve("q").toString(), "--max-keys", "3");
        RawUdp udp = new RawUdp(node.port, 300)) {
      for (int i = 0; i < 3; i++) {
        assertThat(udp.code(put("q" + i, "v"))).isZero();
      }
      assertThat(udp.code(put("q3", "v"))).isEqualTo(0x02);
      assertThat(udp.value("q3")).isNull();
      assertThat(udp.code(put("q0", "w"))).as("overwrite at quota").isZero();
      assertThat(udp.value("q0")).isEqualTo("w");
      assertThat(udp.code(remove("q1"))).isZero();
      assertThat(udp.code(put("q3", "v"))).isZero();
      assertThat(udp.code(get("q2"))).isZero();
    }
  }

  @Test
  void byteQuotaRefusesPutsThatWouldExceedIt() throws Exception {
    try (NodeProcess node =
            NodeProcess.start(dir, "--data-dir", dir.resolve("b").toString(), "--max-bytes", "1KB");
        RawUdp udp = new RawUdp(node.port, 300)) {
      byte[] big = new byte[600];
      assertThat(udp.code(request(newId(), 0x01, key("b1"), big))).isZero();
      assertThat(udp.code(request(newId(), 0x01, key("b2"), big))).isEqualTo(0x02);
      assertThat(udp.code(get("b2"))).isEqualTo(0x01);
      assertThat(udp.code(get("b1"))).isZero();
    }
  }

  @Test
  void adminCommandsFromOutsideTheAllowListAreRefused() throws Exception {
    try (NodeProcess node =
            NodeProcess.start(
                dir, "--data-dir", dir.resolve("a").toString(), "--admin-from", "10.0.0.0/8");
        RawUdp udp = new RawUdp(node.port, 300)) {
      assertThat(udp.code(put("keep", "me"))).isZero();
      assertThat(udp.code(request(newId(), 0x05, null, null))).isEqualTo(0x21);
      assertThat(udp.code(request(newId(), 0x04, null, null))).isEqualTo(0x21);
      assertThat(node.isAlive()).isTrue();
      assertThat(udp.value("keep")).isEqualTo("me");
    }
  }

  @Test
  void wipeoutFromLoopbackDeletesEverything() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir, "--memory");
        RawUdp udp = new RawUdp(node.port, 300)) {
      assertThat(udp.code(put("w1", "x"))).isZero();
      assertThat(udp.code(request(newId(), 0x05, null, null))).isZero();
      assertThat(udp.code(get("w1"))).isEqualTo(0x01);
    }
  }
}
