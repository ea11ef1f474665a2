package io.kvstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.keys.OperatorKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
