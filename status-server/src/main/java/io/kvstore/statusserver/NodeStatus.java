package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one node for the API.
 *
 * @param address the node's address, or null if neither membership nor a report gave one yet
 * @param lastSeen when its latest report arrived, or null if it never reported
 * @param stats the stats of its latest report (empty if none)
 * @param changes its latest state changes, oldest first
 * @param warnings what its latest reports say needs the operator (none: empty)
 */
public record NodeStatus(
    String id,
    InetSocketAddress address,
    NodeState state,
    Instant stateSince,
    Instant lastSeen,
    long lastRound,
    Map<String, String> labels,
    List<Stat> stats,
    List<StateChange> changes,
    List<NodeWarning> warnings) {}
