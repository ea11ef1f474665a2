package io.kvstore.node.replication;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageException;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.Wire;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hints: writes a replica missed, kept for it in a storage engine of their own (RocksDB under
 * {@code DATA_DIR/hints} on a durable node), bounded in bytes by that engine's quota. A hint's
 * storage key is 8 bytes of the replica's id hash then 24 of the key's, so the hints of one replica
 * are one contiguous range; the newest hint for a key replaces older ones (last writer wins, as
 * for data). Thread-safe: coordinators on every event loop store hints, handoff delivers them.
 *
 * <pre>
 * stored value: stored at (8: local wall-clock ms) | id length(1) | replica id (UTF-8) | key(32)
 *               | tombstone(1) | value
 * </pre>
 */
public final class HintStore implements Hints {
  /** A hint read back. */
  public record Hint(byte[] storageKey, NodeId replica, byte[] key, VersionedRecord record,
      long storedAtMillis) {}

  private final StorageEngine storage;
  private final ReplicationStats stats;
  private final io.kvstore.node.runtime.Clock clock;
  /** Replicas that may have hints (filled from storage at start and by every store). */
  private final ConcurrentHashMap<NodeId, Boolean> replicas = new ConcurrentHashMap<>();

  public HintStore(StorageEngine storage, ReplicationStats stats, io.kvstore.node.runtime.Clock clock) {
    this.storage = storage;
    this.stats = stats;
    this.clock = clock;
    byte[] after = null;
    do {
      after = storage.scan(after, 1_024, (k, r) -> {
        if (!r.tombstone()) {
          replicas.put(decode(k, r).replica(), Boolean.TRUE);
        }
      });
    } while (after != null);
  }

  @Override
  public void store(Ring.Owner replica, byte[] key, VersionedRecord record) {
    byte[] id = replica.id().value().getBytes(StandardCharsets.UTF_8);
    ByteBuffer payload =
        ByteBuffer.allocate(8 + 1 + id.length + Wire.KEY_LENGTH + 1 + record.value().length);
    payload.putLong(clock.currentTimeMillis()).put((byte) id.length).put(id).put(key).put((byte) (record.tombstone() ? 1 : 0))
        .put(record.value());
    try {
      StorageEngine.WriteResult result =
          storage.apply(storageKey(replica.id(), key), VersionedRecord.live(record.timestamp(), payload.array()));
      if (result == StorageEngine.WriteResult.OUT_OF_SPACE) {
        stats.hintsDropped.increment(); // full: anti-entropy will repair what this hint would have
        return;
      }
      if (result == StorageEngine.WriteResult.APPLIED) {
        stats.hintsStored.increment();
        replicas.put(replica.id(), Boolean.TRUE);
      }
    } catch (StorageException e) {
      stats.hintsDropped.increment();
    }
  }

  /** Replicas that may have hints waiting. */
  public Collection<NodeId> replicas() {
    return replicas.keySet();
  }

  /** Up to {@code max} hints for {@code replica}, oldest key first; none: the replica is forgotten. */
  public java.util.List<Hint> hintsFor(NodeId replica, int max) {
    byte[] prefix = Arrays.copyOf(idHash(replica), 8);
    byte[] start = Arrays.copyOf(prefix, Wire.KEY_LENGTH);
    java.util.List<Hint> hints = new java.util.ArrayList<>();
    boolean[] done = {false};
    byte[] after = before(start);
    while (!done[0] && hints.size() < max) {
      after = storage.scan(after, max, (k, r) -> {
        if (!Arrays.equals(k, 0, 8, prefix, 0, 8)) {
          done[0] = true;
        } else if (!r.tombstone() && !done[0] && hints.size() < max) {
          hints.add(decode(k, r));
        }
      });
      done[0] |= after == null;
    }
    if (hints.isEmpty()) {
      replicas.remove(replica);
    }
    return hints;
  }

  /** The hint was delivered (or expired): gone, unless a newer hint replaced it meanwhile. */
  public void remove(Hint hint) {
    storage.remove(hint.storageKey(), hint.record().timestamp());
  }

  /** Forgets delivered hints for good (their deletion markers); returns how many. */
  public long compact(long olderThanTimestamp) {
    return storage.collectTombstones(olderThanTimestamp);
  }

  public long bytes() {
    return storage.liveBytes();
  }

  public long count() {
    return storage.keyCount();
  }

  private static Hint decode(byte[] storageKey, VersionedRecord stored) {
    ByteBuffer in = ByteBuffer.wrap(stored.value());
    long storedAt = in.getLong();
    byte[] id = new byte[in.get() & 0xFF];
    in.get(id);
    byte[] key = new byte[Wire.KEY_LENGTH];
    in.get(key);
    boolean tombstone = in.get() != 0;
    byte[] value = new byte[in.remaining()];
    in.get(value);
    return new Hint(storageKey.clone(), new NodeId(new String(id, StandardCharsets.UTF_8)), key,
        new VersionedRecord(stored.timestamp(), tombstone, value), storedAt);
  }

  static byte[] storageKey(NodeId replica, byte[] key) {
    byte[] k = new byte[Wire.KEY_LENGTH];
    System.arraycopy(idHash(replica), 0, k, 0, 8);
    System.arraycopy(sha256(key), 0, k, 8, Wire.KEY_LENGTH - 8);
    return k;
  }

  private static byte[] idHash(NodeId id) {
    return sha256(id.value().getBytes(StandardCharsets.UTF_8));
  }

  /** The key just before {@code key} in unsigned order, or null for the very first key. */
  private static byte[] before(byte[] key) {
    byte[] b = key.clone();
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != 0) {
        b[i]--;
        for (int j = i + 1; j < b.length; j++) {
          b[j] = (byte) 0xFF;
        }
        return b;
      }
    }
    return null;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
