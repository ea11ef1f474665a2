package io.kvstore.statusserver;

import java.net.InetSocketAddress;

/**
 * One member as a node's membership view reports it.
 *
 * @param state {@code alive}, {@code suspect}, {@code dead} or {@code left}
 * @param incarnation orders conflicting views of the same member, as in SWIM
 */
public record MemberInfo(String id, InetSocketAddress address, String state, long incarnation) {}
