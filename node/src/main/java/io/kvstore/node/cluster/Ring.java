package io.kvstore.node.cluster;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Consistent-hashing ring over the live members, with virtual nodes. Immutable: membership
 * changes build a new ring and publish it, so the transport's threads read it without locks.
 *
 * <p>Keys are arbitrary bytes, not pre-hashed, so all 32 bytes are mixed into the ring position:
 * keys sharing a prefix still spread evenly.
 */
public final class Ring {
  /** A ring position's owner. */
  public record Owner(NodeId id, InetSocketAddress address) {}

  private final long[] positions;
  private final Owner[] owners;
  private final NodeId self;

  private Ring(long[] positions, Owner[] owners, NodeId self) {
    this.positions = positions;
    this.owners = owners;
    this.self = self;
  }

  /** A ring over {@code members} (only live ones place tokens), seen from {@code self}. */
  public static Ring of(Collection<Member> members, NodeId self, int virtualNodes) {
    List<Member> live = members.stream().filter(m -> m.state().isLive()).toList();
    int n = live.size() * virtualNodes;
    long[][] tokens = new long[n][2];
    Owner[] byIndex = new Owner[live.size()];
    int t = 0;
    for (int i = 0; i < live.size(); i++) {
      Member m = live.get(i);
      byIndex[i] = new Owner(m.id(), m.address());
      for (int v = 0; v < virtualNodes; v++) {
        tokens[t][0] = tokenOf(m.id(), v);
        tokens[t][1] = i;
        t++;
      }
    }
    // Ties (astronomically rare) break by owner index, so every node builds the same ring.
    Arrays.sort(tokens, (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0])
        : byIndex[(int) a[1]].id().compareTo(byIndex[(int) b[1]].id()));
    long[] positions = new long[n];
    Owner[] owners = new Owner[n];
    for (int i = 0; i < n; i++) {
      positions[i] = tokens[i][0];
      owners[i] = byIndex[(int) tokens[i][1]];
    }
    return new Ring(positions, owners, self);
  }

  /** The owner of a 32-byte key: the first token clockwise from the key's position. */
  public Owner ownerOf(byte[] key) {
    if (positions.length == 0) {
      return null;
    }
    return owners[indexOf(keyPosition(key))];
  }

  public boolean isSelf(Owner owner) {
    return owner == null || owner.id().equals(self);
  }

  public int size() {
    return positions.length;
  }

  private int indexOf(long position) {
    int lo = 0;
    int hi = positions.length - 1;
    if (Long.compareUnsigned(position, positions[hi]) > 0) {
      return 0; // wrap around
    }
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(positions[mid], position) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Position of a key: a 64-bit mix of all its bytes. */
  static long keyPosition(byte[] key) {
    ByteBuffer b = ByteBuffer.wrap(key);
    long h = 0x9E3779B97F4A7C15L;
    while (b.remaining() >= 8) {
      h = mix(h ^ b.getLong());
    }
    while (b.hasRemaining()) {
      h = mix(h ^ b.get());
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** A virtual node's token: SHA-256 of "id#v", so tokens do not depend on the JVM or order. */
  static long tokenOf(NodeId id, int virtualNode) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] d = sha.digest((id.value() + "#" + virtualNode).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(d).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
