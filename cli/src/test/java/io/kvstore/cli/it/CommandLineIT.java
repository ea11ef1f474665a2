package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: the jar, its output and its exit codes. */
class CommandLineIT {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private Run kvstore(String stdin, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the options ./kvstore gives every command but node, monitor and bench: a short
                // command starts in a third of the time without C2
                "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar",
                NodeProcess.jar().toString()));
    cmd.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void helpListsEveryCommand() throws Exception {
    Run run = kvstore(null, "--help");
    assertThat(run.exit()).isZero();
    for (String command :
        List.of("node", "put", "get", "remove", "shutdown", "wipeout", "is-alive", "pid",
            "members", "bench", "keygen", "ops")) {
      assertThat(run.out()).contains(command);
    }
    assertThat(run.out()).contains("Exit codes");
  }

  @Test
  void badFlagValueNamesTheFieldAndExitsTwo() throws Exception {
    Run run = kvstore(null, "node", "--port", "70000", "--memory");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("'port'");
  }

  @Test
  void badConfigFileNamesTheFieldAndExitsTwo() throws Exception {
    Files.writeString(dir.resolve("node.yaml"), "port: 4000\nmax-keys: -5\n");
    Run run = kvstore(null, "node", "--config", "node.yaml");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("'max-keys'");
    Files.writeString(dir.resolve("typo.yaml"), "prot: 4000\n");
    Run typo = kvstore(null, "node", "--config", "typo.yaml");
    assertThat(typo.exit()).isEqualTo(2);
    assertThat(typo.err()).contains("unknown field 'prot'");
  }

  @Test
  void clientCommandsAgainstARealNode() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir, "--memory")) {
      String at = "127.0.0.1:" + node.port;
      assertThat(kvstore(null, "put", "greeting", "hello", "--node", at).exit()).isZero();
      Run get = kvstore(null, "get", "greeting", "--node", at);
      assertThat(get.exit()).isZero();
      assertThat(get.out()).isEqualTo("hello");
      assertThat(kvstore("from stdin", "put", "piped", "--node", at).exit()).isZero();
      assertThat(kvstore(null, "get", "piped", "--node", at).out()).isEqualTo("from stdin");
      Path file = dir.resolve("value.bin");
      Files.write(file, new byte[] {0, 1, 2, (byte) 0xFF});
      assertThat(kvstore(null, "put", "file", "--file", file.toString(), "--node", at).exit())
          .isZero();
      String hexKey = "00".repeat(32);
      assertThat(kvstore(null, "put", "--hex", hexKey, "v", "--node", at).exit()).isZero();
      assertThat(kvstore(null, "get", "--hex", hexKey, "--node", at).out()).isEqualTo("v");
      assertThat(kvstore(null, "remove", "greeting", "--node", at).exit()).isZero();
      Run missing = kvstore(null, "get", "greeting", "--node", at);
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.err()).contains("not found");
      assertThat(kvstore(null, "remove", "greeting", "--node", at).exit()).isEqualTo(1);
      assertThat(kvstore(null, "is-alive", "--node", at).exit()).isZero();
      assertThat(kvstore(null, "pid", "--node", at).out().trim()).isEqualTo(Long.toString(node.pid()));
      assertThat(kvstore(null, "members", "--node", at).out()).contains("1 live member");
      Run badHex = kvstore(null, "get", "--hex", "abc", "--node", at);
      assertThat(badHex.exit()).isEqualTo(2);
      assertThat(badHex.err()).contains("64");
      Run tooBig = kvstore("x".repeat(15_001), "put", "big", "--node", at);
      assertThat(tooBig.exit()).isEqualTo(2);
      assertThat(tooBig.err()).contains("15000");
      assertThat(kvstore(null, "get", "big", "--node", at).exit()).as("nothing stored").isEqualTo(1);
      assertThat(kvstore(null, "shutdown", "--node", at).exit()).isZero();
      assertThat(node.awaitExit(java.time.Duration.ofSeconds(10))).isZero();
    }
  }

  @Test
  void unreachableNodeExitsThreeWithAHint() throws Exception {
    int port = NodeProcess.freePort();
    Run run = kvstore(null, "get", "k", "--node", "127.0.0.1:" + port, "--timeout", "20");
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).contains("is-alive");
  }

  @Test
  void anUnknownCommandIsNamedAndExitsTwoAlsoWithHelp() throws Exception {
    for (String[] args : new String[][] {{"UNKNOWN", "--help"}, {"UNKNOWN"}, {"nod", "--help"}}) {
      Run run = kvstore(null, args);
      assertThat(run.exit()).as("exit of %s", List.of(args)).isEqualTo(2);
      assertThat(run.err()).contains("unknown command '" + args[0] + "'").contains("./kvstore --help");
      assertThat(run.out()).as("no top help on stdout").doesNotContain("Commands:");
    }
    assertThat(kvstore(null, "nod").err()).contains("did you mean 'node'?");
  }

  /** Every command's help fits 80 columns and never leaves a word or two on a line of its own. */
  @Test
  void helpTextWrapsAtWordsNotMidSentence() throws Exception {
    List<String> commands =
        List.of("", "node", "cluster", "monitor", "put", "get", "remove", "is-alive", "pid",
            "members", "shutdown", "wipeout", "bench", "keygen", "ops", "ops run", "ops status");
    for (String command : commands) {
      Run run = kvstore(null, (command + " --help").trim().split(" "));
      assertThat(run.exit()).as("%s --help", command).isZero();
      String[] lines = run.out().split("\\R");
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        assertThat(line.length()).as("width of '%s' in %s --help", line, command).isLessThanOrEqualTo(80);
        // a re-wrapped hard line leaves a word or two alone, the sentence going on below at the
        // same indentation (a short last line of an entry is followed by the next entry instead)
        String text = line.strip();
        String following = i + 1 < lines.length ? lines[i + 1] : "";
        String next = following.strip();
        boolean orphan = !text.isEmpty() && text.split("\\s+").length <= 2 && !text.endsWith(":")
            && !next.isEmpty() && !next.startsWith("-") && !text.matches("\\d+ .*|\\[.*")
            && indent(line) == indent(following);
        assertThat(orphan).as("'%s' alone before '%s' in %s --help", text, next, command).isFalse();
      }
    }
    Run node = kvstore(null, "node", "--help");
    String joined = node.out().replaceAll("\\s+", " ");
    assertThat(joined).contains("heap capped at 64 MB");
    assertThat(node.out()).contains("--cluster-secret-file").contains("--insecure");
  }

  private static int indent(String line) {
    return line.length() - line.stripLeading().length();
  }

  @Test
  void theStatusServerRefusesToRunWithoutTheClusterSecret() throws Exception {
    Run run = kvstore(null, "monitor", "--join", "127.0.0.1:4000", "--http-port", "0");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("needs the cluster's secret").contains("--cluster-secret-file");
  }
}
