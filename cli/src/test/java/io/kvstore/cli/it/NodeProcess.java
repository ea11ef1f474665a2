package io.kvstore.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A real node JVM started from the built jar, as a user would start it. Tests kill it with
 * SIGKILL (destroyForcibly) or SIGTERM (destroy) and restart it on the same data directory.
 */
final class NodeProcess implements AutoCloseable {
  private final List<String> args;
  private final Path log;
  final int port;
  private Process process;

  private NodeProcess(int port, List<String> args, Path log) {
    this.port = port;
    this.args = args;
    this.log = log;
  }

  static Path jar() {
    String jar = System.getProperty("kvstore.jar");
    assertThat(jar).as("system property kvstore.jar (set by failsafe)").isNotNull();
    assertThat(Path.of(jar)).exists();
    return Path.of(jar);
  }

  static int freePort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * A cluster secret file in {@code dir} (created on first call, owner-only), for nodes that are
   * to join each other: pass {@code "--cluster-secret-file", secretFile(dir).toString()}.
   */
  static Path secretFile(Path dir) throws IOException {
    Path file = dir.resolve("test-cluster-secret");
    if (!Files.exists(file)) {
      byte[] bytes = new byte[32];
      new java.security.SecureRandom().nextBytes(bytes);
      Files.writeString(file, java.util.HexFormat.of().formatHex(bytes) + "\n");
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    return file;
  }

  /** Starts {@code kvstore node --port P extra...} and waits until it answers IS_ALIVE. */
  static NodeProcess start(Path workDir, String... extra) throws Exception {
    int port = freePort();
    List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
    args.addAll(List.of(extra));
    NodeProcess node = new NodeProcess(port, args, workDir.resolve("node-" + port + ".log"));
    node.launch();
    return node;
  }

  /**
   * A node on a port chosen beforehand (so that nodes can name each other as seeds before any of
   * them runs), not yet started: call {@link #launch()}.
   */
  static NodeProcess on(int port, Path workDir, String... extra) {
    List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port)));
    args.addAll(List.of(extra));
    return new NodeProcess(port, args, workDir.resolve("node-" + port + ".log"));
  }

  /**
   * Starts {@code count} nodes, the first a seed that the others join through ({@code --join} is
   * added for them): each is added to {@code started} before its JVM starts, so the caller's
   * clean-up ends it whatever happens next; the seed answers before the joiners start, and the
   * joiners' start-ups overlap. {@code argsFor} gives node {@code index}'s (0-based) other options.
   */
  static void startThroughSeed(List<NodeProcess> started, int count, Path workDir,
      IntFunction<List<String>> argsFor) throws Exception {
    NodeProcess seed = null;
    for (int i = 0; i < count; i++) {
      List<String> args = new ArrayList<>(argsFor.apply(i));
      if (seed != null) {
        args.addAll(List.of("--join", "127.0.0.1:" + seed.port));
      }
      NodeProcess n = on(freePort(), workDir, args.toArray(String[]::new));
      started.add(n);
      n.spawn();
      if (seed == null) {
        n.awaitAlive();
        seed = n;
      }
    }
    for (NodeProcess n : started.subList(started.size() - count, started.size())) {
      n.awaitAlive();
    }
  }

  /** Starts the JVM and waits until it answers IS_ALIVE. */
  void launch() throws Exception {
    spawn();
    awaitAlive();
  }

  /**
   * Starts the JVM without waiting for it: a cluster spawns all its nodes, then awaits each
   * ({@link #awaitAlive()}), so that their start-ups overlap.
   */
  void spawn() throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaBin(), "-Xmx64m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC",
                "-jar", jar().toString(), "node"));
    cmd.addAll(args);
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
  }

  /**
   * Waits until the spawned node answers IS_ALIVE; fails with its log if it exits first. A node
   * starts in about 1 s on an idle machine, but several JVMs starting at once on two busy cores
   * took over 20 s (FilePushIT's 4 nodes at load 14): the limit is generous, a failure still quick.
   */
  void awaitAlive() throws Exception {
    awaitAlive(Duration.ofSeconds(45));
  }

  private void awaitAlive(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (RawUdp udp = new RawUdp(port, 200)) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new AssertionError("node exited with " + process.exitValue() + ":\n" + logText());
        }
        byte[] reply = udp.requestOrNull(RawUdp.request(RawUdp.newId(), 0x06, null, null));
        if (reply != null && reply[16] == 0) {
          return;
        }
      }
    }
    throw new AssertionError("node did not answer IS_ALIVE in " + timeout + ":\n" + logText());
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  long pid() {
    return process.pid();
  }

  /** This node's peak resident set (VmHWM), in KiB; -1 when it is not running or not on Linux. */
  long peakRssKb() {
    return process != null && process.isAlive() ? peakRssKb(process.pid()) : -1;
  }

  /** VmHWM of process {@code pid} from /proc, in KiB; -1 when unreadable (ended, not Linux). */
  static long peakRssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended, or no /proc
    }
    return -1;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** kill -9. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /** SIGTERM; returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("node stops on SIGTERM").isTrue();
    return process.exitValue();
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .as("node exits")
        .isTrue();
    return process.exitValue();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
