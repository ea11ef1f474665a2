package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.storage.VersionedRecord;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A Merkle tree over a set of records, for anti-entropy: {@value #LEAVES} leaves bucketed by the
 * key's ring position (its top 12 bits), {@value #GROUPS} groups of {@value #GROUP_SIZE} leaves, one
 * root. A record's hash covers its key and whole version (timestamp, tombstone, value). A leaf's
 * hash is the sum of its records' 128-bit hashes (two 64-bit lanes), so a tree can be filled in
 * storage order, which is not ring order; groups and root are SHA-256 of their children. Two trees
 * over the same records have the same root, whatever order the records were added in.
 *
 * <p>Not thread-safe; 64 KB of leaves.
 */
public final class MerkleTree {
  public static final int LEAVES = 4096;
  public static final int GROUP_SIZE = 64;
  public static final int GROUPS = LEAVES / GROUP_SIZE;
  /** Bytes of every hash of the tree. */
  public static final int HASH = 16;

  private final long[] leaves = new long[2 * LEAVES];
  private long records;
  private byte[][] groups;
  private byte[] root;

  /** The leaf a key falls in: the top 12 bits of its ring position. */
  public static int leafOf(byte[] key) {
    return (int) (Ring.positionOf(key) >>> 52);
  }

  /** The 128-bit hash of one record (key and version) as two longs. */
  public static long[] recordHash(byte[] key, VersionedRecord record) {
    MessageDigest sha = sha256();
    sha.update(key);
    sha.update(ByteBuffer.allocate(9).putLong(record.timestamp()).put((byte) (record.tombstone() ? 1 : 0)).array());
    sha.update(record.value());
    ByteBuffer d = ByteBuffer.wrap(sha.digest());
    return new long[] {d.getLong(), d.getLong()};
  }

  /** Adds one record (a key may be added once; the tree is a set). */
  public void add(byte[] key, VersionedRecord record) {
    long[] h = recordHash(key, record);
    int leaf = leafOf(key);
    leaves[2 * leaf] += h[0];
    leaves[2 * leaf + 1] += h[1];
    records++;
    groups = null;
    root = null;
  }

  public long records() {
    return records;
  }

  public byte[] leafHash(int leaf) {
    return ByteBuffer.allocate(HASH).putLong(leaves[2 * leaf]).putLong(leaves[2 * leaf + 1]).array();
  }

  public byte[] groupHash(int group) {
    if (groups == null) {
      groups = new byte[GROUPS][];
      for (int g = 0; g < GROUPS; g++) {
        MessageDigest sha = sha256();
        for (int leaf = g * GROUP_SIZE; leaf < (g + 1) * GROUP_SIZE; leaf++) {
          sha.update(leafHash(leaf));
        }
        groups[g] = Arrays.copyOf(sha.digest(), HASH);
      }
    }
    return groups[group].clone();
  }

  public byte[] root() {
    if (root == null) {
      MessageDigest sha = sha256();
      for (int g = 0; g < GROUPS; g++) {
        sha.update(groupHash(g));
      }
      root = Arrays.copyOf(sha.digest(), HASH);
    }
    return root.clone();
  }

  /** The leaves of {@code group}, concatenated ({@value #GROUP_SIZE} hashes). */
  public byte[] groupLeaves(int group) {
    ByteBuffer out = ByteBuffer.allocate(GROUP_SIZE * HASH);
    for (int leaf = group * GROUP_SIZE; leaf < (group + 1) * GROUP_SIZE; leaf++) {
      out.putLong(leaves[2 * leaf]).putLong(leaves[2 * leaf + 1]);
    }
    return out.array();
  }

  /** Groups whose hash differs from the other tree's ({@code otherGroups}: {@value #GROUPS} hashes). */
  public int[] differingGroups(byte[][] otherGroups) {
    return java.util.stream.IntStream.range(0, GROUPS)
        .filter(g -> !Arrays.equals(groupHash(g), otherGroups[g])).toArray();
  }

  /** Marks in {@code differing} the leaves of {@code group} that differ from {@code otherLeaves}. */
  public int markDifferingLeaves(int group, byte[] otherLeaves, java.util.BitSet differing) {
    ByteBuffer other = ByteBuffer.wrap(otherLeaves);
    int marked = 0;
    for (int leaf = group * GROUP_SIZE; leaf < (group + 1) * GROUP_SIZE; leaf++) {
      if (other.getLong() != leaves[2 * leaf] | other.getLong() != leaves[2 * leaf + 1]) {
        differing.set(leaf);
        marked++;
      }
    }
    return marked;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
