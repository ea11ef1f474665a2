package io.kvstore.node.sources;

import io.kvstore.node.sources.SourceAllowList;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The sources a node answers when the operator names none ({@code allow-clients} unset).
 *
 * <ul>
 *   <li>Bound to loopback (the default): loopback only. Nothing outside the machine can reach it,
 *       and the kernel drops datagrams from the network that claim a loopback source.
 *   <li>Bound to another address, or to all of them: loopback plus the private subnets (RFC 1918,
 *       RFC 4193, link-local) of the interfaces bound to, so a node on a LAN serves its LAN out of
 *       the box. A public subnet is never allowed by default: a node reachable from the internet
 *       answers nobody there until the operator says who with {@code --allow-clients} (memcached
 *       had to switch UDP off by default after its reflection attacks, CVE-2018-1000115).
 * </ul>
 */
public final class DefaultAllowList {
  /** An address of this machine and the prefix length of its subnet. */
  public record LocalNetwork(InetAddress address, int prefixLength) {}

  private DefaultAllowList() {}

  /** The default for a node bound to {@code bind}, given the machine's interface addresses. */
  public static List<String> forBind(InetAddress bind, List<LocalNetwork> networks) {
    if (bind.isLoopbackAddress()) {
      return SourceAllowList.DEFAULT;
    }
    Set<String> cidrs = new LinkedHashSet<>(SourceAllowList.DEFAULT);
    for (LocalNetwork n : networks) {
      boolean bound = bind.isAnyLocalAddress() || n.address().equals(bind);
      if (bound && isPrivate(n.address()) && !n.address().isLoopbackAddress()) {
        cidrs.add(cidr(n.address(), n.prefixLength()));
      }
    }
    return List.copyOf(cidrs);
  }

  /** The default for {@code bind} on this machine. */
  public static List<String> forBind(InetAddress bind) {
    return forBind(bind, localNetworks());
  }

  /** Every address of every interface that is up (none if the interfaces cannot be listed). */
  public static List<LocalNetwork> localNetworks() {
    List<LocalNetwork> out = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp()) {
          for (InterfaceAddress a : nic.getInterfaceAddresses()) {
            out.add(new LocalNetwork(a.getAddress(), a.getNetworkPrefixLength()));
          }
        }
      }
    } catch (SocketException e) {
      // Without the interfaces only loopback is allowed: the safe side.
    }
    return out;
  }

  /** Private (RFC 1918), unique-local (RFC 4193) or link-local. */
  static boolean isPrivate(InetAddress a) {
    byte[] b = a.getAddress();
    boolean uniqueLocal = b.length == 16 && (b[0] & 0xFE) == 0xFC;
    return a.isSiteLocalAddress() || a.isLinkLocalAddress() || uniqueLocal;
  }

  /** The CIDR block of {@code address}'s subnet, e.g. 192.168.1.0/24. */
  static String cidr(InetAddress address, int prefixLength) {
    byte[] b = address.getAddress();
    int prefix = Math.max(0, Math.min(prefixLength, b.length * 8));
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] &= (byte) (0xFF << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(b).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
    }
  }
}
