package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OPS_SUBMIT against real node processes: the trusted key from the config file, the replies,
 * the replay memory on disk surviving kill -9, and a node trusting no key refusing everything.
 */
class OpsSubmitIT {
  @TempDir Path dir;
  private final SecureRandom random = new SecureRandom();

  private static byte[] submit(byte[] op) {
    byte[] id = op.length >= 21 ? Arrays.copyOfRange(op, 5, 21) : new byte[16]; // "KVOP", version, id
    return RawUdp.request(RawUdp.newId(), 0x11, Arrays.copyOf(id, 32), op);
  }

  /** The reply's code, and for 0x21 the reason after it. */
  private static String answer(RawUdp udp, byte[] op) throws Exception {
    byte[] reply = udp.request(submit(op));
    if (reply[16] != 0x21) {
      return String.format("0x%02x", reply[16]);
    }
    int len = (reply[17] & 0xFF) | (reply[18] & 0xFF) << 8;
    return "0x21 " + new String(reply, 19, len, StandardCharsets.UTF_8);
  }

  private SignedOperation op(OperatorKey key) {
    long now = System.currentTimeMillis();
    return SignedOperation.builder(random, now).expiresAt(now + 600_000).script("true").sign(key);
  }

  @Test
  void aTrustedOperationIsAcceptedOnceAndRememberedAcrossAKill() throws Exception {
    OperatorKey key = OperatorKeys.generate("it-operator");
    OperatorKeys.save(key, dir.resolve("it-operator"), false);
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "ops:\n  trusted-keys: [" + dir.resolve("it-operator.pub") + "]\n");
    Path data = dir.resolve("data");
    SignedOperation op = op(key);
    try (NodeProcess node = NodeProcess.start(dir, "--config", config.toString(), "--data-dir", data.toString());
        RawUdp udp = new RawUdp(node.port, 300)) {
      assertThat(answer(udp, op.encoded())).isEqualTo("0x00");
      assertThat(data.resolve("ops/seen/" + op.idHex() + ".op")).exists();
      assertThat(Files.readAllBytes(data.resolve("ops/seen/" + op.idHex() + ".op"))).isEqualTo(op.encoded());
      assertThat(answer(udp, op.encoded())).isEqualTo("0x21 replayed");
      assertThat(answer(udp, op(OperatorKeys.generate("stranger")).encoded())).isEqualTo("0x21 untrusted-key");
      byte[] tampered = op(key).encoded().clone();
      tampered[tampered.length - 65] ^= 1;
      assertThat(answer(udp, tampered)).isEqualTo("0x21 bad-signature");
      assertThat(answer(udp, new byte[] {1, 2, 3})).isEqualTo("0x21 malformed");
      node.kill();
    }
    try (NodeProcess node = NodeProcess.start(dir, "--config", config.toString(), "--data-dir", data.toString());
        RawUdp udp = new RawUdp(node.port, 300)) {
      assertThat(answer(udp, op.encoded())).as("after kill -9 and a restart").isEqualTo("0x21 replayed");
      assertThat(answer(udp, op(key).encoded())).isEqualTo("0x00");
    }
  }

  @Test
  void aNodeTrustingNoKeyRefusesEveryOperation() throws Exception {
    OperatorKey key = OperatorKeys.generate("it-operator");
    try (NodeProcess node = NodeProcess.start(dir, "--data-dir", dir.resolve("data").toString());
        RawUdp udp = new RawUdp(node.port, 300)) {
      assertThat(answer(udp, op(key).encoded())).isEqualTo("0x21 disabled");
      assertThat(node.logText()).contains("fleet operations disabled");
      assertThat(dir.resolve("data/ops/seen").toFile().list()).isEmpty();
    }
  }
}
