package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code ./kvstore ARGS} from the built jar to completion: exit code and output. */
final class Kvstore {
  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private Kvstore() {}

  static Run run(Path dir, Duration timeout, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", NodeProcess.jar().toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      assertThat(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
          .as("kvstore %s ends within %s", args, timeout)
          .isTrue();
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
