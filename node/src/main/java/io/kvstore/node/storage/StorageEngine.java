package io.kvstore.node.storage;

/**
 * Durable map from 32-byte keys to {@link VersionedRecord}s. Implementations are thread-safe: the
 * transport calls them from several event loops at once.
 *
 * <p>Writes are last-writer-wins by hybrid logical clock timestamp: a write whose timestamp is not
 * newer than the stored record's is ignored (so replicas converge whatever the delivery order).
 * Deletes write tombstones; {@link #get} hides them; they are collected after a grace period.
 */
public interface StorageEngine extends AutoCloseable {

  /** What a write did. */
  enum WriteResult {
    /** The record was stored. */
    APPLIED,
    /** A record with the same or a newer timestamp was already stored; nothing changed. */
    STALE,
    /** The write would exceed the key or byte quota; nothing changed. */
    OUT_OF_SPACE
  }

  /** Stores a live value at {@code timestamp} if it is newer than what is stored. */
  WriteResult put(byte[] key, byte[] value, long timestamp);

  /**
   * Replaces a live value with a tombstone at {@code timestamp}.
   *
   * @return true if a live value existed (and is now deleted), false if the key was absent
   */
  boolean remove(byte[] key, long timestamp);

  /**
   * Puts {@code count} live values in order, each as {@link #put} would, into {@code results[i]};
   * where {@code put} would have thrown, the exception goes into {@code failures[i]} instead (and
   * {@code results[i]} is null). An engine may hand them to its store in one write: the request
   * pipeline gives it the PUTs of a batch together.
   */
  default void putAll(byte[][] keys, byte[][] values, long[] timestamps, int count,
      WriteResult[] results, RuntimeException[] failures) {
    for (int i = 0; i < count; i++) {
      try {
        results[i] = put(keys[i], values[i], timestamps[i]);
        failures[i] = null;
      } catch (RuntimeException e) {
        results[i] = null;
        failures[i] = e;
      }
    }
  }

  /** The live record for a key, or null if absent or deleted. */
  VersionedRecord get(byte[] key);

  /** Receives the bytes of a stored value: {@code length} bytes of {@code bytes} from {@code offset}. */
  @FunctionalInterface
  interface ValueSink {
    /** Copies them out before it returns; never modifies or keeps {@code bytes}, never calls the engine. */
    void accept(byte[] bytes, int offset, int length);
  }

  /**
   * Hands the live value of a key to {@code sink} without a copy for the caller (a GET writes it
   * straight into its reply): the value {@link #get} would return, while no write can change or
   * evict it.
   *
   * @return false, without calling {@code sink}, if the key is absent or deleted
   */
  default boolean readValue(byte[] key, ValueSink sink) {
    VersionedRecord record = get(key);
    if (record == null) {
      return false;
    }
    sink.accept(record.value(), 0, record.value().length);
    return true;
  }

  /**
   * The stored record including tombstones, or null. Replication and anti-entropy compare
   * versions with it.
   */
  VersionedRecord getRecord(byte[] key);

  /**
   * Applies a record received from another replica: stored only if newer (last writer wins).
   * Quota applies to live values only.
   */
  WriteResult apply(byte[] key, VersionedRecord record);

  /** Receives the records of a {@link #scan}. */
  @FunctionalInterface
  interface ScanSink {
    void accept(byte[] key, VersionedRecord record);
  }

  /**
   * Visits up to {@code maxRecords} records, tombstones included, in ascending unsigned key order,
   * starting after {@code afterKey} (null: at the first key). Anti-entropy, range streaming and
   * hint delivery walk the store with it a bounded batch at a time.
   *
   * @return the last key visited, or null if the scan reached the end
   */
  byte[] scan(byte[] afterKey, int maxRecords, ScanSink sink);

  /** Deletes every record, tombstones included. */
  void wipeout();

  /** Live keys (tombstones excluded). Exact. */
  long keyCount();

  /** Bytes of live keys and values (the quantity the byte quota limits). */
  long liveBytes();

  /** Bytes the engine occupies on disk (0 for in-memory engines). */
  long diskBytes();

  /** Its cache of recently used records ({@link RecordCacheStats#NONE} if it has none). */
  default RecordCacheStats recordCacheStats() {
    return RecordCacheStats.NONE;
  }

  /**
   * Hands every write made so far, by any thread, to the operating system: from then on it
   * survives a crash of the process ({@code kill -9}), not a power failure. A write's own call may
   * leave it buffered in the engine ({@link WalMode#BUFFERED}), so whoever acknowledges a write,
   * or answers with a value a write stored, calls this (or {@link #sync}) first, once for a whole
   * batch. Cheap when nothing is buffered.
   */
  void flushWal();

  /**
   * Makes every write so far durable on disk, surviving power loss too (group commit for
   * {@code --sync}): callers batch writes and call this once before acknowledging them. Implies
   * {@link #flushWal}.
   */
  void sync();

  /** Removes tombstones older than {@code olderThanTimestamp}; returns how many were removed. */
  long collectTombstones(long olderThanTimestamp);

  /** Flushes and closes. After close every method may throw. */
  @Override
  void close();
}
