package io.kvstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.keys.OperatorKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  @Test
  void writesAKeyPairThatLoadsAndPrintsTheFingerprint() throws Exception {
    assertThat(Main.execute("keygen", "--out", dir.resolve("alice").toString())).isEqualTo(ExitCodes.OK);
    var key = OperatorKeys.loadPrivate(dir.resolve("alice.key"));
    var pub = OperatorKeys.loadPublic(dir.resolve("alice.pub"));
    assertThat(pub.fingerprint()).isEqualTo(key.fingerprint());
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("fingerprint: " + pub.fingerprintHex());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("alice.key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void refusesToOverwriteWithoutForce() throws Exception {
    Main.execute("keygen", "--out", dir.resolve("k").toString());
    byte[] before = Files.readAllBytes(dir.resolve("k.key"));
    assertThat(Main.execute("keygen", "--out", dir.resolve("k").toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("k.key exists; not overwritten (--force replaces it)");
    assertThat(Files.readAllBytes(dir.resolve("k.key"))).isEqualTo(before);
    assertThat(Main.execute("keygen", "--out", dir.resolve("k").toString(), "--force")).isEqualTo(ExitCodes.OK);
    assertThat(Files.readAllBytes(dir.resolve("k.key"))).isNotEqualTo(before);
  }

  @Test
  void aMissingDirectoryOrBadNameIsBadInput() {
    assertThat(Main.execute("keygen", "--out", dir.resolve("nope/k").toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not exist");
    assertThat(Main.execute("keygen", "--out", dir.resolve("a b").toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not [A-Za-z0-9._-]{1,64}");
    assertThat(Main.execute("keygen")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--out");
  }

  @Test
  void helpSaysWhatTheFilesAre() {
    assertThat(Main.execute("keygen", "--help")).isEqualTo(ExitCodes.OK);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("NAME.key").contains("mode 0600").contains("'trusted-keys' in the 'ops:' section");
  }
}
