package io.kvstore.statusserver;

import java.time.Instant;
import java.util.Map;

/**
 * The cluster at a glance.
 *
 * @param byState how many nodes are in each state (every state present, in enum order)
 * @param totalKeys the sum of the nodes' {@code keys} stat
 * @param totalOpsPerSecond the sum of the nodes' {@code requests.rate} stat
 * @param lastRound the latest collection round started, or -1 if none yet
 * @param lastRoundAt when that round started, or null
 * @param reportsAuthenticated false when the server runs without the cluster secret, so that
 *     anyone who reaches its UDP port could forge a member's figures
 */
public record ClusterSummary(
    int nodes,
    Map<NodeState, Integer> byState,
    double totalKeys,
    double totalOpsPerSecond,
    long lastRound,
    Instant lastRoundAt,
    Instant at,
    boolean reportsAuthenticated) {}
