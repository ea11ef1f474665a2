package io.kvstore.node.storage;

/**
 * What a storage engine's cache of recently used records did: reads answered from it, reads that
 * went to the store, and the bytes it holds against its budget.
 */
public record RecordCacheStats(long hits, long misses, long heldBytes, long maxHeldBytes) {
  /** For an engine without such a cache (every record is in memory already). */
  public static final RecordCacheStats NONE = new RecordCacheStats(0, 0, 0, 0);
}
