package io.kvstore.node.transport;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * One process per port. The node's own sockets share the port with SO_REUSEPORT, which would also
 * let a second process of the same user join the group and take part of the traffic. So:
 *
 * <ol>
 *   <li>before binding, a plain socket (no SO_REUSEPORT) must be able to bind the address: if
 *       anything serves it, that fails, and the node stops with a clear message;
 *   <li>after binding, the kernel's socket table (/proc/net/udp) must list no socket on the port
 *       and address other than our own: that closes the race of two nodes started at once, and,
 *       checked periodically, reports any process that joined later.
 * </ol>
 *
 * Only a process of the same user, setting SO_REUSEPORT itself, can join; KVStore nodes never do,
 * because they probe first. Without /proc (not Linux) only the probe runs; the NIO transport used
 * there binds without SO_REUSEPORT, which the kernel keeps exclusive anyway.
 */
final class PortExclusivity {
  private static final Path PROC_UDP = Path.of("/proc/net/udp");
  private static final Path PROC_UDP6 = Path.of("/proc/net/udp6");

  private PortExclusivity() {}

  /** Fails with {@link PortUnavailableException} if another socket serves {@code address}. */
  static void probe(InetSocketAddress address) {
    try (DatagramSocket probe = new DatagramSocket(null)) {
      probe.setReuseAddress(false);
      probe.bind(address);
    } catch (BindException e) {
      throw new PortUnavailableException(address, e);
    } catch (SocketException e) {
      throw new PortUnavailableException(address, e);
    }
  }

  /**
   * Sockets bound to {@code address}'s port (on its address or a wildcard) whose inodes are not in
   * {@code ours}; empty if the table cannot be read.
   */
  static List<Long> foreignSockets(InetSocketAddress address, Set<Long> ours) {
    List<Long> foreign = new ArrayList<>();
    for (Path table : List.of(PROC_UDP, PROC_UDP6)) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table);
      } catch (IOException | SecurityException e) {
        continue;
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        Long inode = conflictingInode(line, address);
        if (inode != null && inode != 0 && !ours.contains(inode)) {
          foreign.add(inode);
        }
      }
    }
    return foreign;
  }

  /** The inode of a /proc/net/udp{,6} line bound where {@code address} is, else null. */
  static Long conflictingInode(String line, InetSocketAddress address) {
    String[] f = line.trim().split("\\s+");
    if (f.length < 10) {
      return null;
    }
    int colon = f[1].indexOf(':');
    if (colon < 0) {
      return null;
    }
    try {
      int port = Integer.parseInt(f[1].substring(colon + 1), 16);
      if (port != address.getPort()) {
        return null;
      }
      byte[] local = kernelAddress(f[1].substring(0, colon));
      if (!overlaps(local, address.getAddress())) {
        return null;
      }
      return Long.parseLong(f[9]);
    } catch (IllegalArgumentException e) {
      return null; // a line we do not understand is not evidence of anything
    }
  }

  /** The inodes of our sockets, from /proc/self/fd (empty if unavailable). */
  static Set<Long> inodesOf(List<Integer> fds) {
    Set<Long> inodes = new HashSet<>();
    for (int fd : fds) {
      try {
        String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        if (target.startsWith("socket:[") && target.endsWith("]")) {
          inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
        }
      } catch (IOException | UnsupportedOperationException | SecurityException | NumberFormatException e) {
        // not Linux, or no /proc: the check is skipped
      }
    }
    return inodes;
  }

  /** /proc prints addresses as 32-bit words in host (little-endian) order. */
  private static byte[] kernelAddress(String hex) {
    byte[] raw = HexFormat.of().parseHex(hex);
    if (raw.length != 4 && raw.length != 16) {
      throw new IllegalArgumentException("address length " + raw.length);
    }
    byte[] out = new byte[raw.length];
    for (int word = 0; word < raw.length; word += 4) {
      for (int i = 0; i < 4; i++) {
        out[word + i] = raw[word + 3 - i];
      }
    }
    return out;
  }

  private static boolean overlaps(byte[] local, InetAddress ours) {
    byte[] mine = ours.getAddress();
    if (isZero(local) || isZero(mine)) {
      return true;
    }
    if (local.length == 16 && mine.length == 4 && isV4Mapped(local)) {
      local = java.util.Arrays.copyOfRange(local, 12, 16);
    }
    return java.util.Arrays.equals(local, mine);
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
  }

  private static boolean isZero(byte[] a) {
    for (byte b : a) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
