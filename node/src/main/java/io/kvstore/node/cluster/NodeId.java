package io.kvstore.node.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A node's identity: stable across restarts on the same data directory, independent of its
 * address. The ring places nodes by id, so a node that comes back owns the same keys.
 *
 * <p>It keeps its UTF-8 form beside the string: every membership message sizes and writes the
 * ids of every update it carries, and decoding builds an id from the bytes it read, so neither
 * direction converts (in the simulator, conversions were a large share of the time per event).
 */
public final class NodeId implements Comparable<NodeId> {
  /** Ids travel in one length byte; keep them short. */
  public static final int MAX_BYTES = 64;
  /** What {@link #denseIndex()} gives for an id that was not made by {@link #dense}. */
  public static final int NO_DENSE_INDEX = -1;

  private final String value;
  private final byte[] utf8;
  /**
   * {@code value.hashCode()}, kept here: member tables are looked up by id once per update a
   * message carries, and reaching the string's cached hash was a cache miss each time (12% of the
   * simulator's time at 1,000 nodes). Also compared first by {@link #equals}.
   */
  private final int hash;
  /** {@link #dense}'s number for this instance, -1 for an id built any other way. */
  private final int denseIndex;

  public NodeId(String value) {
    this(value, value == null ? null : value.getBytes(StandardCharsets.UTF_8), NO_DENSE_INDEX);
  }

  /**
   * An id with a small number, for a process that runs many memberships over one set of ids (the
   * simulator numbers its nodes 0, 1, 2...): member tables keep a dense array by that number beside
   * their hash table, so that the lookup of a piggybacked update's member is one array read instead
   * of a hash chain in one of a thousand tables (cache misses). The number is a hint, never trusted
   * alone: a table checks the id it finds there, and ids without one are found by hash as before.
   *
   * @param index at least 0; give each distinct id one number and keep them small (tables size
   *     their arrays by the largest)
   */
  public static NodeId dense(String value, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("a dense index is at least 0: " + index);
    }
    return new NodeId(value, value == null ? null : value.getBytes(StandardCharsets.UTF_8), index);
  }

  private NodeId(String value, byte[] utf8, int denseIndex) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a node id cannot be empty");
    }
    if (utf8.length > MAX_BYTES) {
      throw new IllegalArgumentException("a node id is at most " + MAX_BYTES + " bytes: " + value);
    }
    this.value = value;
    this.utf8 = utf8;
    this.hash = value.hashCode();
    this.denseIndex = denseIndex;
  }

  /** The number {@link #dense} gave this instance, or {@link #NO_DENSE_INDEX}. */
  public int denseIndex() {
    return denseIndex;
  }

  /**
   * The id whose UTF-8 form is {@code bytes[offset, offset + length)} (copied). Bytes that are
   * not ASCII go through the string, so that malformed UTF-8 becomes what the string encodes to,
   * as before.
   *
   * @throws IllegalArgumentException if empty or, re-encoded, longer than {@link #MAX_BYTES}
   */
  public static NodeId fromUtf8(byte[] bytes, int offset, int length) {
    byte[] copy = Arrays.copyOfRange(bytes, offset, offset + length);
    for (byte b : copy) {
      if (b < 0) {
        return new NodeId(new String(copy, StandardCharsets.UTF_8));
      }
    }
    return new NodeId(new String(copy, StandardCharsets.ISO_8859_1), copy, NO_DENSE_INDEX);
  }

  public String value() {
    return value;
  }

  /** Length of the UTF-8 form (what the wire carries). */
  public int utf8Length() {
    return utf8.length;
  }

  /** Whether the UTF-8 form is exactly {@code bytes[offset, offset + length)}. */
  public boolean utf8Equals(byte[] bytes, int offset, int length) {
    return Arrays.equals(utf8, 0, utf8.length, bytes, offset, offset + length);
  }

  /** Writes the UTF-8 form. */
  void putUtf8(ByteBuffer out) {
    out.put(utf8);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof NodeId other && hash == other.hash && value.equals(other.value));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int compareTo(NodeId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
