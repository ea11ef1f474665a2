package io.kvstore.protocol;

import java.net.InetSocketAddress;

/**
 * One member in a LIST_MEMBERS page (docs/PROTOCOL.md).
 *
 * @param state 0 alive, 1 suspect, 2 dead, 3 left
 */
public record MemberEntry(int state, long incarnation, String id, InetSocketAddress address) {}
