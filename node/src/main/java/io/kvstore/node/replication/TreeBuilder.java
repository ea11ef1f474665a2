package io.kvstore.node.replication;

import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.storage.VersionedRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Merkle tree of the records this node and {@code peer} both hold replicas of, by
 * scanning local storage a bounded batch at a time within the I/O budget. Each step visits at most
 * {@code maxRecords}; the tree is done when the scan reaches the end of the store.
 */
final class TreeBuilder {
  private final AntiEntropyContext ctx;
  private final NodeId peer;
  private final MerkleTree tree = new MerkleTree();
  private byte[] after;
  private boolean done;

  TreeBuilder(AntiEntropyContext ctx, NodeId peer) {
    this.ctx = ctx;
    this.peer = peer;
  }

  /** Scans on while the budget allows, up to {@code maxRecords}; returns whether the tree is done. */
  boolean step(int maxRecords) {
    Ring ring = ctx.ring().get();
    int visited = 0;
    List<byte[]> keys = new ArrayList<>(AntiEntropyContext.SCAN_BATCH);
    List<VersionedRecord> records = new ArrayList<>(AntiEntropyContext.SCAN_BATCH);
    while (!done && visited < maxRecords && ctx.budget().available()) {
      keys.clear();
      records.clear();
      after = ctx.storage().scan(after, AntiEntropyContext.SCAN_BATCH, (k, r) -> {
        keys.add(k);
        records.add(r);
      });
      for (int i = 0; i < keys.size(); i++) {
        VersionedRecord r = records.get(i);
        ctx.charge(r);
        if (!ctx.expired(r) && ctx.shared(ring, keys.get(i), peer)) {
          tree.add(keys.get(i), r);
        }
      }
      visited += keys.size();
      done = after == null;
    }
    return done;
  }

  boolean done() {
    return done;
  }

  MerkleTree tree() {
    return tree;
  }

  NodeId peer() {
    return peer;
  }
}
