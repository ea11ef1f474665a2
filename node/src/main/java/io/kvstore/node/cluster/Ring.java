package io.kvstore.node.cluster;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Consistent-hashing ring with virtual nodes over the members that hold replicas: alive, suspect
 * and dead ones (a crash does not move keys: a dead member keeps its place, and its writes become
 * hints, until it is forgotten after the dead-retention time), but not those that left.
 * Immutable: membership changes build a new ring and publish it, so the transport's threads read
 * it without locks.
 *
 * <p>Keys are arbitrary bytes, not pre-hashed, so all 32 bytes are mixed into the ring position:
 * keys sharing a prefix still spread evenly.
 */
public final class Ring {
  /**
   * A ring position's owner.
   *
   * @param down dead in this node's view when the ring was built: not worth asking
   */
  public record Owner(NodeId id, InetSocketAddress address, boolean down) {}

  private final long[] positions;
  private final Owner[] owners;
  private final NodeId self;

  private final Owner[] members;
  private final int distinctMembers;
  private final long fingerprint;
  private volatile Map<InetSocketAddress, Owner> byAddress;

  private Ring(long[] positions, Owner[] owners, NodeId self, Owner[] members) {
    this.positions = positions;
    this.owners = owners;
    this.self = self;
    this.members = members;
    this.distinctMembers = members.length;
    this.fingerprint = fingerprintOf(members);
  }

  /**
   * A hash of the ids holding places (not of their states): every node whose ring has the same
   * members places every key alike and computes the same fingerprint. Rebalancing names rings by it.
   */
  public long fingerprint() {
    return fingerprint;
  }

  /**
   * This ring as it will be once {@code id} is gone (a graceful leave: the ranges it holds move to
   * the members that take them over), seen from the same node.
   */
  public Ring without(NodeId id) {
    int keep = 0;
    for (Owner o : owners) {
      keep += o.id().equals(id) ? 0 : 1;
    }
    long[] p = new long[keep];
    Owner[] o = new Owner[keep];
    int j = 0;
    for (int i = 0; i < owners.length; i++) {
      if (!owners[i].id().equals(id)) {
        p[j] = positions[i];
        o[j++] = owners[i];
      }
    }
    return new Ring(p, o, self,
        Arrays.stream(members).filter(m -> !m.id().equals(id)).toArray(Owner[]::new));
  }

  /**
   * Whether some key has {@code id} on its preference list of {@code n} on this ring but not on
   * {@code before}: exact, by checking every arc between the two rings' tokens (within one such
   * arc both preference lists are constant).
   */
  public boolean gains(Ring before, NodeId id, int n) {
    if (positions.length == 0) {
      return false;
    }
    for (Ring r : new Ring[] {this, before}) {
      for (long p : r.positions) {
        if (holds(replicasFrom(indexOf(p), n), id)
            && (before.positions.length == 0 || !holds(before.replicasFrom(before.indexOf(p), n), id))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean holds(Owner[] replicas, NodeId id) {
    for (Owner o : replicas) {
      if (o.id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The share of the key space (0 to 1) whose preference list of {@code n} includes {@code id}:
   * the ranges that member replicates.
   */
  public double replicaShare(NodeId id, int n) {
    if (positions.length == 0) {
      return 0;
    }
    double share = 0;
    for (int i = 0; i < positions.length; i++) {
      // Keys in (positions[i-1], positions[i]] start their walk at token i.
      long width = positions[i] - (i == 0 ? positions[positions.length - 1] : positions[i - 1]);
      boolean holds = false;
      for (Owner o : replicasFrom(i, n)) {
        holds |= o.id().equals(id);
      }
      if (holds) {
        share += positions.length == 1 ? Math.pow(2, 64) : unsigned(width);
      }
    }
    return share / Math.pow(2, 64);
  }

  private static double unsigned(long v) {
    return v >= 0 ? v : v + Math.pow(2, 64);
  }

  private static long fingerprintOf(Owner[] members) {
    String[] ids = new String[members.length];
    for (int i = 0; i < members.length; i++) {
      ids[i] = members[i].id().value();
    }
    Arrays.sort(ids);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String id : ids) {
        sha.update(id.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return ByteBuffer.wrap(sha.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** The member with {@code id} if it holds a place on this ring, else null. */
  public Owner member(NodeId id) {
    for (Owner m : members) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return null;
  }

  /** A ring over {@code members} (all but those that left place tokens), seen from {@code self}. */
  public static Ring of(Collection<Member> members, NodeId self, int virtualNodes) {
    List<Member> live = members.stream().filter(m -> m.state() != MemberState.LEFT).toList();
    int n = live.size() * virtualNodes;
    long[][] tokens = new long[n][2];
    Owner[] byIndex = new Owner[live.size()];
    int t = 0;
    for (int i = 0; i < live.size(); i++) {
      Member m = live.get(i);
      byIndex[i] = new Owner(m.id(), m.address(), m.state() == MemberState.DEAD);
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
    return new Ring(positions, owners, self, byIndex);
  }

  /** The owner of a 32-byte key: the first token clockwise from the key's position. */
  public Owner ownerOf(byte[] key) {
    if (positions.length == 0) {
      return null;
    }
    return owners[indexOf(keyPosition(key))];
  }

  /**
   * The key's preference list: the first {@code n} distinct members clockwise from its position
   * (fewer if the ring has fewer members), the owner first.
   */
  public Owner[] replicasOf(byte[] key, int n) {
    if (positions.length == 0) {
      return new Owner[0];
    }
    return replicasFrom(indexOf(keyPosition(key)), n);
  }

  /** The first {@code n} distinct members clockwise from token index {@code start}. */
  private Owner[] replicasFrom(int start, int n) {
    Owner[] replicas = new Owner[Math.min(n, distinctMembers)];
    int found = 0;
    for (int i = start, seen = 0;
        found < replicas.length && seen < positions.length;
        i = (i + 1) % positions.length, seen++) {
      Owner candidate = owners[i];
      boolean duplicate = false;
      for (int j = 0; j < found; j++) {
        duplicate |= replicas[j] == candidate;
      }
      if (!duplicate) {
        replicas[found++] = candidate;
      }
    }
    return replicas;
  }

  /** The members that hold places on this ring (all but those that left). */
  public List<Owner> members() {
    return List.of(members);
  }

  /**
   * The member at {@code address}, or null if none of this ring's members is there. The request
   * path asks this for every client datagram (a member's address is never a client's), so it is a
   * hash lookup, over an index built on first use: most rings a node builds are never asked.
   */
  public Owner memberAt(InetSocketAddress address) {
    Map<InetSocketAddress, Owner> index = byAddress;
    if (index == null) {
      index = new HashMap<>(members.length * 2);
      for (Owner m : members) {
        index.putIfAbsent(m.address(), m);
      }
      byAddress = index; // built whole before it is published: other threads see it complete
    }
    return index.get(address);
  }

  /**
   * The other members that share a range with {@code id}: both are on the preference list (first
   * {@code n} distinct members) of some ring position. Anti-entropy compares replicas pairwise.
   */
  public List<Owner> peersSharingRanges(NodeId id, int n) {
    java.util.LinkedHashSet<Owner> peers = new java.util.LinkedHashSet<>();
    for (int start = 0; start < positions.length; start++) {
      Owner[] list = replicasFrom(start, n);
      boolean holds = false;
      for (Owner o : list) {
        holds |= o.id().equals(id);
      }
      if (holds) {
        for (Owner o : list) {
          if (!o.id().equals(id)) {
            peers.add(o);
          }
        }
      }
    }
    return List.copyOf(peers);
  }

  /** A key's ring position (what {@link #replicasOf} places it by). */
  public static long positionOf(byte[] key) {
    return keyPosition(key);
  }

  /** Members that hold replicas (all but those that left). */
  public int memberCount() {
    return distinctMembers;
  }

  /** This node's id, as the ring was built for it. */
  public NodeId self() {
    return self;
  }

  public boolean isSelf(Owner owner) {
    return owner == null || owner.id().equals(self);
  }

  /**
   * True if every key's preference list is this node alone (or the ring is empty): a single node
   * routes its requests by this, without building a list per request.
   */
  public boolean selfAlone() {
    return positions.length == 0 || (distinctMembers == 1 && isSelf(members[0]));
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
