package io.kvstore.node.storage;

/**
 * Quotas a node enforces: PUT answers "out of space" (0x02) beyond them while GET and REMOVE keep
 * working. Zero means unlimited.
 */
public record StorageLimits(long maxKeys, long maxBytes) {
  public static final StorageLimits UNLIMITED = new StorageLimits(0, 0);

  public boolean keysExceeded(long keys) {
    return maxKeys > 0 && keys > maxKeys;
  }

  public boolean bytesExceeded(long bytes) {
    return maxBytes > 0 && bytes > maxBytes;
  }
}
