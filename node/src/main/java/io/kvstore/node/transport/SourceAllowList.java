package io.kvstore.node.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The sources allowed to send admin commands (SHUTDOWN, WIPEOUT): a list of CIDR blocks. */
public final class SourceAllowList {
  /** Loopback only: a node on a shared machine must not be stoppable from the network. */
  public static final List<String> DEFAULT = List.of("127.0.0.0/8", "::1/128");

  private final List<byte[]> networks = new ArrayList<>();
  private final List<Integer> prefixes = new ArrayList<>();

  public SourceAllowList(List<String> cidrs) {
    for (String cidr : cidrs) {
      add(cidr);
    }
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
    networks.add(address);
    prefixes.add(prefix);
  }

  public boolean permits(InetAddress source) {
    byte[] address = source.getAddress();
    for (int i = 0; i < networks.size(); i++) {
      if (matches(networks.get(i), prefixes.get(i), address)) {
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
