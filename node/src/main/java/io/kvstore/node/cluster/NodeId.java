package io.kvstore.node.cluster;

import java.nio.charset.StandardCharsets;

/**
 * A node's identity: stable across restarts on the same data directory, independent of its
 * address. The ring places nodes by id, so a node that comes back owns the same keys.
 */
public record NodeId(String value) implements Comparable<NodeId> {
  /** Ids travel in one length byte; keep them short. */
  public static final int MAX_BYTES = 64;

  public NodeId {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a node id cannot be empty");
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException("a node id is at most " + MAX_BYTES + " bytes: " + value);
    }
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
