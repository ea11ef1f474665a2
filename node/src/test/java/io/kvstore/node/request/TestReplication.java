package io.kvstore.node.request;

import io.kvstore.node.cluster.Member;
import io.kvstore.node.cluster.MemberState;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.CoordinatorRegistry;
import io.kvstore.node.replication.Hints;
import io.kvstore.node.replication.Replica;
import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.replication.ReplicationConfig;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.replication.ReplicationWiring;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.time.HybridLogicalClock;
import java.net.InetSocketAddress;
import java.util.List;

/** Replication for pipeline tests: N=1 on a fixed ring, answers routed as a node routes them. */
final class TestReplication {
  /** A ring of no other node: every key is this node's alone. */
  static final Ring LOCAL = Ring.of(List.of(), new NodeId("node-a"), 1);

  private TestReplication() {}

  /** A ring on which the node at {@code owner} holds every key. */
  static Ring ownedBy(InetSocketAddress owner) {
    return Ring.of(List.of(new Member(new NodeId("owner"), owner, 1, MemberState.ALIVE, 0)),
        new NodeId("node-a"), 8);
  }

  /** Wires N=1 replication over {@code ring}; registers the answer handlers in {@code dispatch}. */
  static ReplicationWiring wiring(StorageEngine storage, Clock clock, Ring ring,
      ReplicationStats stats, InternalDispatch dispatch) {
    HybridLogicalClock hlc = new HybridLogicalClock(clock);
    CoordinatorRegistry registry = new CoordinatorRegistry(stats);
    dispatch
        .register(ReplicaFrames.WRITE_ACK, (from, f) -> registry.deliver(from, f, ReplicaFrames.WRITE_ACK))
        .register(ReplicaFrames.READ_REPLY, (from, f) -> registry.deliver(from, f, ReplicaFrames.READ_REPLY));
    return new ReplicationWiring(
        ReplicationConfig.defaults().withQuorums(1, 1, 1).withLimits(16, 1_000),
        () -> ring, () -> false, new Replica(storage, hlc, clock, DiskSpaceGuard.none(), stats), hlc, registry,
        Hints.NONE, stats, 1000);
  }
}
