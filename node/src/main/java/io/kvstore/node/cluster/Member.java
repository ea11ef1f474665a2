package io.kvstore.node.cluster;

import java.net.InetSocketAddress;

/**
 * One member as a node sees it.
 *
 * @param incarnation raised only by the member itself, to refute suspicion or after a restart
 * @param stateSinceMillis when this view last changed the member's state (local clock)
 */
public record Member(
    NodeId id,
    InetSocketAddress address,
    long incarnation,
    MemberState state,
    long stateSinceMillis) {}
