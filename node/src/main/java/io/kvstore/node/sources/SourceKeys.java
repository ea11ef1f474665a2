package io.kvstore.node.sources;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The key a reply budget is kept under: the source's IP address, never its port (a spoofer picks
 * ports freely; the victim is the address). IPv4 addresses are keyed exactly, without allocating.
 * IPv6 sources are keyed by their /64 prefix, the unit that one host or LAN usually holds: keying
 * whole addresses would give an attacker aiming at one network 2^64 separate budgets.
 */
public final class SourceKeys {
  private static final long IPV4 = 1L << 32;

  private SourceKeys() {}

  /** A non-zero key; IPv4 and IPv6 keys never collide with each other. */
  public static long of(InetAddress address) {
    if (address instanceof Inet4Address) {
      return IPV4 | (address.hashCode() & 0xFFFFFFFFL); // an Inet4Address's hash is its address
    }
    byte[] b = address.getAddress();
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = prefix << 8 | (b[i] & 0xFF);
    }
    // Above every IPv4 key: bit 63 set; the mixed prefix fills the other bits.
    return Long.MIN_VALUE | (mix(prefix) >>> 1);
  }

  public static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
