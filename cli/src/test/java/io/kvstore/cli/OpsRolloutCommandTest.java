package io.kvstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.keys.OperatorKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./kvstore ops rollout: the pushed names it accepts and the restart request its script leaves. */
class OpsRolloutCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedErr;

  @BeforeEach
  void capture() throws Exception {
    savedErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    OperatorKeys.save(OperatorKeys.generate("alice"), dir.resolve("alice"), false);
  }

  @AfterEach
  void restore() {
    System.setErr(savedErr);
  }

  private int rollout(String... names) {
    String[] args = new String[5 + names.length];
    System.arraycopy(new String[] {"ops", "rollout", "--key", dir.resolve("alice.key").toString(),
        "--node=127.0.0.1:1"}, 0, args, 0, 5);
    System.arraycopy(names, 0, args, 5, names.length);
    return Main.execute(args);
  }

  @Test
  void aConfigTheNodesWouldRefuseIsRefusedBeforeAnythingIsPushed() throws Exception {
    Path unknownField = dir.resolve("unknown.yaml");
    java.nio.file.Files.writeString(unknownField, "replication:\n  n: 3\nreplicaton-typo: 1\n");
    assertThat(rollout("--config", unknownField.toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("a node would refuse this config and stay down")
        .contains("unknown field 'replicaton-typo'").contains("nothing was pushed or restarted");
    err.reset();
    Path badValue = dir.resolve("bad.yaml");
    java.nio.file.Files.writeString(badValue, "port: 70000\n");
    assertThat(rollout("--config", badValue.toString())).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("a node would refuse this config").contains("port");
  }

  @Test
  void aConfigNameMustBeAPushableYamlName() {
    assertThat(rollout("--config-name", "node.txt")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config-name node.txt: not a .yaml or .yml");
    err.reset();
    assertThat(rollout("--config-name", "../node.yaml")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config-name");
    err.reset();
    assertThat(rollout("--jar-name", "next.yaml")).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--jar-name next.yaml: not a .jar");
  }

  @Test
  void aPushedFileIsAwaitedUntilItsCopyHasTheHash() throws Exception {
    Path file = dir.resolve("next.yaml");
    String hash = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest("v2\n".getBytes(StandardCharsets.UTF_8)));
    String check = OpsRolloutCommand.present(file.toString(), hash, 3);
    Files.writeString(file, "v1\n"); // an older push of the same name
    long start = System.nanoTime();
    assertThat(bash(check)).as("a copy with another hash is not taken").isEqualTo(3);
    assertThat((System.nanoTime() - start) / 1e9).as("it waited").isGreaterThan(2.0);
    Thread writer = new Thread(() -> {
      try {
        Thread.sleep(1_000);
        Files.writeString(file, "v2\n");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    assertThat(bash(check)).as("the copy that arrives while it waits is taken").isZero();
    writer.join();
    assertThat(bash(OpsRolloutCommand.present(dir.resolve("missing.yaml").toString(), null, 3))).isEqualTo(3);
  }

  /** Runs {@code script} under {@code set -eu} as the restart script does; its exit code. */
  private static int bash(String script) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", "set -eu\n" + script).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @Test
  void aFileToPushAndTheNameOfAPushedOneAreNotBothGiven() {
    assertThat(rollout("--config", dir.resolve("a.yaml").toString(), "--config-name", "b.yaml"))
        .isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("not both");
  }

  @Test
  void theScriptChecksEveryNamedFileThenRequestsBothOneALine() {
    OpsRolloutCommand command = new OpsRolloutCommand();
    command.jarName = "next.jar";
    command.configName = "next.yml";
    String script = command.script();
    assertThat(script)
        .contains("[ -f \"$KVSTORE_FILES_DIR/next.jar\" ] || { echo \"no $KVSTORE_FILES_DIR/next.jar on this node\" >&2; exit 3; }")
        .contains("[ -f \"$KVSTORE_FILES_DIR/next.yml\" ] || { echo \"no $KVSTORE_FILES_DIR/next.yml on this node\" >&2; exit 3; }")
        .contains("printf '%s\\n' \"$KVSTORE_FILES_DIR/next.jar\" \"$KVSTORE_FILES_DIR/next.yml\" > ");
    assertThat(script.indexOf("next.yml\" ] ||")).as("checked before the request is left")
        .isLessThan(script.indexOf("restart-requested.tmp"));
    command.jarName = null;
    assertThat(command.script()).doesNotContain(".jar").contains("printf '%s\\n' \"\" \"$KVSTORE_FILES_DIR/next.yml\"");
  }
}
