package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.storage.VersionedRecord;

/** Where a coordinator leaves the writes a replica missed (hinted handoff). Thread-safe. */
@FunctionalInterface
public interface Hints {
  /** Keeps {@code record} of {@code key} for {@code replica}, to deliver when it is back. */
  void store(Ring.Owner replica, byte[] key, VersionedRecord record);

  /** Keeps nothing (a single node has nobody to hint). */
  Hints NONE = (replica, key, record) -> {};
}
