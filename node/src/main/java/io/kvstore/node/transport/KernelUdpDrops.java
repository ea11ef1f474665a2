package io.kvstore.node.transport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Datagrams the kernel dropped because a receive buffer of this node's sockets was full: the
 * {@code drops} column of {@code /proc/net/udp} and {@code /proc/net/udp6} for the sockets of
 * this process bound to the node's port. These never reach the node, so the pipeline cannot
 * count or answer them; this says how many there were. Linux only (elsewhere: -1).
 */
final class KernelUdpDrops {
  private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));
  private static final Path OWN_FDS = Path.of("/proc/self/fd");

  private final int port;

  KernelUdpDrops(int port) {
    this.port = port;
  }

  /** Drops so far on this process's sockets of the port; -1 if the kernel does not say. */
  long total() {
    try {
      Set<Long> inodes = ownSocketInodes();
      long sum = 0;
      boolean any = false;
      for (Path table : TABLES) {
        if (Files.isReadable(table)) {
          any = true;
          sum += drops(Files.readAllLines(table), port, inodes);
        }
      }
      return any ? sum : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The sum of the drops column over the lines of a {@code /proc/net/udp} table whose local port
   * is {@code port} and whose inode is one of {@code inodes}.
   */
  static long drops(List<String> table, int port, Set<Long> inodes) {
    long sum = 0;
    for (String line : table) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 13 || !f[0].endsWith(":")) {
        continue; // the header
      }
      String local = f[1];
      int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
      if (localPort == port && inodes.contains(Long.parseLong(f[9]))) {
        sum += Long.parseLong(f[12]);
      }
    }
    return sum;
  }

  /** Inodes of this process's sockets, from the links in /proc/self/fd ("socket:[12345]"). */
  private static Set<Long> ownSocketInodes() throws IOException {
    Set<Long> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(OWN_FDS)) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    return inodes;
  }
}
