package io.kvstore.node.monitor;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What a node tells the status server in one collection round.
 *
 * @param nodeId the node's cluster id
 * @param address the node's UDP address
 * @param round the collection round this report answers
 * @param sentAtMillis the node's wall clock when it sent the report
 * @param labels static labels from the node's config (rack, role, ...)
 * @param stats the node's statistics
 */
public record StatusReport(
    String nodeId,
    InetSocketAddress address,
    long round,
    long sentAtMillis,
    Map<String, String> labels,
    List<Stat> stats) {}
