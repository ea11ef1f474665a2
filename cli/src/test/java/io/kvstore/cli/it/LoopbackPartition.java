package io.kvstore.cli.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Network partitions between node JVMs on loopback, made with an nftables table of our own.
 *
 * <p>Nodes send from the port they are bound to, so node-to-node traffic is port to port: dropping
 * UDP with source port A and destination port B (both ways) cuts A from B and leaves clients,
 * which send from ephemeral ports, untouched. The table is named after this JVM and a counter,
 * created by {@link #create()}, and deleted by {@link #close()} and, should the test JVM die
 * first, by a shutdown hook; a stale table of the same name is replaced.
 */
final class LoopbackPartition implements AutoCloseable {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static final Pattern DROPPED =
      Pattern.compile("counter packets (\\d+) bytes \\d+ drop");
  /** Debian installs nft in /usr/sbin, which a test JVM's PATH may lack. */
  private static final String NFT =
      Files.isExecutable(Path.of("/usr/sbin/nft")) ? "/usr/sbin/nft" : "nft";

  private final String table;
  private final Thread cleanup;
  private boolean closed;

  private LoopbackPartition(String table) {
    this.table = table;
    this.cleanup = new Thread(this::deleteTableQuietly, "delete nft table " + table);
  }

  /**
   * Null when partitions can be made here (root and nft present), else why not: the reason a
   * test that needs partitions is skipped.
   */
  static String unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "network partitions need root (nftables); running as " + System.getProperty("user.name");
    }
    try {
      Result r = run(null, NFT, "list", "tables");
      return r.exit == 0 ? null : "nft list tables failed (" + r.exit + "): " + r.output;
    } catch (IOException e) {
      return "nft is not installed (apt-get install nftables): " + e.getMessage();
    }
  }

  static LoopbackPartition create() throws IOException {
    String name = "kvstore_it_" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet();
    LoopbackPartition p = new LoopbackPartition(name);
    p.deleteTableQuietly();
    Runtime.getRuntime().addShutdownHook(p.cleanup);
    p.nft(
        "add table inet " + name + "\n"
            + "add chain inet " + name + " out { type filter hook output priority 0; policy accept; }\n");
    return p;
  }

  /** Drops every datagram between {@code port} and each of {@code others}, both ways. */
  void isolate(int port, Collection<Integer> others) throws IOException {
    if (others.isEmpty()) {
      return;
    }
    String set = others.stream().map(String::valueOf).collect(Collectors.joining(", ", "{ ", " }"));
    nft(
        "add rule inet " + table + " out udp sport " + port + " udp dport " + set + " counter drop\n"
            + "add rule inet " + table + " out udp sport " + set + " udp dport " + port
            + " counter drop\n");
  }

  /**
   * Removes every partition (the table stays for the next one) and returns how many datagrams
   * its rules dropped: the proof that the partition cut something.
   */
  long heal() throws IOException {
    long dropped = 0;
    Matcher m = DROPPED.matcher(rules());
    while (m.find()) {
      dropped += Long.parseLong(m.group(1));
    }
    nft("flush chain inet " + table + " out\n");
    return dropped;
  }

  /** Whether our table is in the kernel (it is from {@link #create()} to {@link #close()}). */
  boolean tableExists() throws IOException {
    return run(null, NFT, "list", "table", "inet", table).exit == 0;
  }

  /** The rules in force, for a failure message. */
  String rules() {
    try {
      return run(null, NFT, "list", "table", "inet", table).output;
    } catch (IOException e) {
      return "(nft list failed: " + e + ")";
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      nft("delete table inet " + table + "\n");
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway and finds the table gone
      }
    }
  }

  private void deleteTableQuietly() {
    try {
      if (run(null, NFT, "list", "table", "inet", table).exit == 0) {
        run(null, NFT, "delete", "table", "inet", table);
      }
    } catch (IOException ignored) {
      // best effort: nothing more can be done from a shutdown hook
    }
  }

  private void nft(String script) throws IOException {
    Result r = run(script, NFT, "-f", "-");
    if (r.exit != 0) {
      throw new IOException("nft failed (" + r.exit + ") on:\n" + script + r.output);
    }
  }

  private record Result(int exit, String output) {}

  private static Result run(String stdin, String... command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IOException(cmd + " did not end in 10 s");
      }
      return new Result(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + cmd, e);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }
}
