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
  /** {@code peakRssKb}: the CLI's peak resident set (VmHWM, KiB) as last sampled; -1 if never read. */
  record Run(int exit, String out, String err, long peakRssKb) {
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
    long peakRssKb = -1;
    try {
      // VmHWM is a high-water mark, so the last reading before the exit is close to the peak
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!p.waitFor(200, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
        peakRssKb = Math.max(peakRssKb, NodeProcess.peakRssKb(p.pid()));
      }
      assertThat(p.isAlive()).as("kvstore %s ends within %s", args, timeout).isFalse();
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err), peakRssKb);
  }
}
