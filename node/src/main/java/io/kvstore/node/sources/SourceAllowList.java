package io.kvstore.node.sources;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of source addresses given as CIDR blocks: who may send admin commands (SHUTDOWN,
 * WIPEOUT), who may talk to the node at all ({@code allow-clients}), whose replies are not
 * budgeted ({@code trusted-clients}). IPv4 checks run on every datagram, so they compare ints and
 * allocate nothing.
 */
public final class SourceAllowList {
  /** Loopback only: a node on a shared machine must not be stoppable from the network. */
  public static final List<String> DEFAULT = List.of("127.0.0.0/8", "::1/128");

  private final List<String> cidrs;
  private final List<byte[]> networks = new ArrayList<>();
  private final List<Integer> prefixes = new ArrayList<>();
  private int[] v4Networks = new int[0];
  private int[] v4Masks = new int[0];

  /** @throws IllegalArgumentException naming the first block that is not CIDR */
  public SourceAllowList(List<String> cidrs) {
    this.cidrs = List.copyOf(cidrs);
    for (String cidr : cidrs) {
      add(cidr);
    }
  }

  /** The blocks as given. */
  public List<String> cidrs() {
    return cidrs;
  }

  public boolean isEmpty() {
    return cidrs.isEmpty();
  }

  @Override
  public String toString() {
    return String.join(", ", cidrs);
  }

  private void add(String cidr) {
    String[] parts = cidr.trim().split("/", -1);
    if (parts.length > 2 || parts[0].isEmpty()) {
      throw new IllegalArgumentException(
          "'" + cidr + "' is not a CIDR block; write it like 10.0.0.0/8 or 127.0.0.1");
    }
    byte[] address;
    try {
      if (!parts[0].matches("[0-9a-fA-F:.]+")) {
        throw new UnknownHostException(parts[0]);
      }
      address = InetAddress.getByName(parts[0]).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "'" + cidr + "' is not a CIDR block: '" + parts[0] + "' is not an IP address");
    }
    int prefix;
    try {
      prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
    } catch (NumberFormatException e) {
      prefix = -1;
    }
    if (prefix < 0 || prefix > address.length * 8) {
      throw new IllegalArgumentException(
          "'" + cidr + "' has a bad prefix length; use 0-" + address.length * 8);
    }
    if (address.length == 4) {
      int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
      int network = (address[0] & 0xFF) << 24 | (address[1] & 0xFF) << 16
          | (address[2] & 0xFF) << 8 | (address[3] & 0xFF);
      v4Networks = Arrays.copyOf(v4Networks, v4Networks.length + 1);
      v4Masks = Arrays.copyOf(v4Masks, v4Masks.length + 1);
      v4Networks[v4Networks.length - 1] = network & mask;
      v4Masks[v4Masks.length - 1] = mask;
    } else {
      networks.add(address);
      prefixes.add(prefix);
    }
  }

  public boolean permits(InetAddress source) {
    if (source instanceof Inet4Address) {
      return permitsIpv4(source.hashCode()); // an Inet4Address's hash is its address
    }
    byte[] address = source.getAddress();
    for (int i = 0; i < networks.size(); i++) {
      if (matches(networks.get(i), prefixes.get(i), address)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the IPv4 address {@code address} (big-endian int) is in one of the blocks. */
  public boolean permitsIpv4(int address) {
    for (int i = 0; i < v4Masks.length; i++) {
      if ((address & v4Masks[i]) == v4Networks[i]) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] network, int prefix, byte[] address) {
    if (network.length != address.length) {
      return false;
    }
    int fullBytes = prefix / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (network[i] != address[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (network[fullBytes] & mask) == (address[fullBytes] & mask);
  }
}
