package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.time.HybridLogicalClock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What every coordinator of a node shares: the replication settings, the current ring (replica
 * placement), whether the node is still joining (then it answers no key: 0x22), the local replica, the write clock, the registry that routes replica answers to
 * their coordinator, the hint store and the counters.
 *
 * @param firstOperation where operation numbers start (random in a node, so that a restarted node
 *     does not take late answers meant for its previous life)
 */
public record ReplicationWiring(
    ReplicationConfig config,
    Supplier<Ring> ring,
    BooleanSupplier joining,
    Replica replica,
    HybridLogicalClock hlc,
    CoordinatorRegistry registry,
    Hints hints,
    ReplicationStats stats,
    long firstOperation) {}
