package io.kvstore.node.replication;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * What the parts of anti-entropy share: the ring (which keys two members both hold), local
 * storage, the I/O budget every scan, read and send is charged to, the counters, and the network.
 * Used on the membership thread only.
 */
record AntiEntropyContext(
    Supplier<Ring> ring,
    int n,
    StorageEngine storage,
    IoBudget budget,
    AntiEntropyStats stats,
    Network network,
    Clock clock,
    long tombstoneGraceMillis) {

  /** Records are visited a batch of this many at a time. */
  static final int SCAN_BATCH = 64;

  /** Sends {@code frame}, charged to the budget and counted. */
  void send(InetSocketAddress to, byte[] frame) {
    budget.charge(frame.length);
    stats.bytesSent.add(frame.length);
    network.send(to, frame);
  }

  /** Charges reading one record from storage. */
  void charge(VersionedRecord record) {
    long bytes = io.kvstore.protocol.Wire.KEY_LENGTH + 9 + record.value().length;
    budget.charge(bytes);
    stats.bytesScanned.add(bytes);
  }

  /** Whether {@code self} and {@code peer} are both on {@code key}'s preference list. */
  boolean shared(Ring r, byte[] key, NodeId peer) {
    boolean self = false;
    boolean other = false;
    for (Ring.Owner o : r.replicasOf(key, n)) {
      self |= o.id().equals(r.self());
      other |= o.id().equals(peer);
    }
    return self && other;
  }

  /**
   * Tombstones past the grace period are left out of trees and digests: storage collects them at
   * its own pace, and a replica that already did must not count as different.
   */
  boolean expired(VersionedRecord record) {
    return record.tombstone() && HybridLogicalClock.physicalMillis(record.timestamp())
        < clock.currentTimeMillis() - tombstoneGraceMillis;
  }
}
