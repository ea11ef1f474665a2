package io.kvstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.ops.OpsConfig;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsSettingsTest {
  @TempDir Path dir;

  private NodeConfig load(String yaml) throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, yaml);
    return NodeConfigLoader.load(f).validate();
  }

  @Test
  void byDefaultOperationsAreDisabledWithThePlannedBounds() {
    OpsConfig c = NodeConfigLoader.load(null).validate().ops.toConfig();
    assertThat(c.enabled()).isFalse();
    assertThat(c.maxTtlMillis()).isEqualTo(3_600_000);
    assertThat(c.maxClockSkewMillis()).isEqualTo(300_000);
    assertThat(c.maxActive()).isEqualTo(256);
    assertThat(c.maxConcurrent()).isEqualTo(2);
    assertThat(c.maxQueued()).isEqualTo(16);
    assertThat(c.maxTimeoutMillis()).isEqualTo(3_600_000);
    assertThat(c.outputTailBytes()).isEqualTo(64 << 10);
    assertThat(c.fanout()).isEqualTo(4);
    assertThat(c.digestIntervalMillis()).isEqualTo(1_000);
  }

  @Test
  void trustedKeysComeFromFilesAndInlineLines() throws Exception {
    OperatorKey alice = OperatorKeys.generate("alice");
    OperatorKeys.save(alice, dir.resolve("alice"), false);
    OperatorKey bob = OperatorKeys.generate("bob");
    String bobLine = OperatorKeys.publicLine(bob.publicKey(), "bob");
    OpsConfig c = load("ops:\n  trusted-keys:\n    - " + dir.resolve("alice.pub") + "\n    - \"" + bobLine
        + "\"\n  fanout: 6\n  output-tail-bytes: 16KB\n").ops.toConfig();
    assertThat(c.enabled()).isTrue();
    assertThat(c.trustedKeys()).extracting(k -> k.fingerprintHex())
        .containsExactly(alice.trusted().fingerprintHex(), bob.trusted().fingerprintHex());
    assertThat(c.fanout()).isEqualTo(6);
    assertThat(c.outputTailBytes()).isEqualTo(16 << 10);
  }

  @Test
  void badEntriesNameTheField() throws Exception {
    assertThatThrownBy(() -> load("ops:\n  trusted-keys: [" + dir.resolve("missing.pub") + "]\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ops.trusted-keys").hasMessageContaining("does not exist");
    assertThatThrownBy(() -> load("ops:\n  trusted-keys: [\"kvstore-ed25519 AAAA x\"]\n"))
        .hasMessageContaining("ops.trusted-keys").hasMessageContaining("not an Ed25519 public key");
    assertThatThrownBy(() -> load("ops:\n  trusted-keys: [\"\"]\n")).hasMessageContaining("empty entry");
    assertThatThrownBy(() -> load("ops:\n  fanout: 0\n")).hasMessageContaining("fanout must be 1..32");
    assertThatThrownBy(() -> load("ops:\n  max-active: 0\n")).hasMessageContaining("max-active");
    assertThatThrownBy(() -> load("ops:\n  digest-interval-ms: 1\n")).hasMessageContaining("digest-interval-ms");
    assertThatThrownBy(() -> load("ops:\n  output-tail-bytes: lots\n")).hasMessageContaining("ops.output-tail-bytes");
    assertThatThrownBy(() -> load("ops:\n  trusted-key: []\n")).hasMessageContaining("trusted-key");
    assertThatThrownBy(() -> load("ops: ~\n")).hasMessageContaining("'ops'");
  }
}
