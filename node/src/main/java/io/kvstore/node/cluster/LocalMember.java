package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.net.InetSocketAddress;

/**
 * This node as a member of its own cluster: its identity, its incarnation (which only this node
 * raises) and where it is in its life (running, joined, leaving). Shared by every mechanism.
 */
final class LocalMember {
  final NodeId id;
  final InetSocketAddress address;
  long incarnation;
  boolean running;
  boolean leaving;
  /** Volatile: the request path reads it (a node not joined yet answers no key). */
  volatile boolean joined;
  /**
   * The live members named by the full states this node got in answer to its own exchanges and
   * not admitted since: once it is empty (admission probes each one first), its view is as
   * complete as theirs. Only the missing ones are kept, not every member of every full state
   * (N² ids in a simulation of N nodes). Written on the membership thread only.
   */
  java.util.Set<NodeId> namedInReplies = new java.util.HashSet<>();

  LocalMember(NodeId id, InetSocketAddress address, long incarnation) {
    this.id = id;
    this.address = address;
    this.incarnation = incarnation;
  }

  /** {@code id} was admitted. An emptied set is made anew: a HashSet never shrinks after a join. */
  void admittedNamed(NodeId id) {
    if (namedInReplies.remove(id) && namedInReplies.isEmpty()) {
      namedInReplies = new java.util.HashSet<>();
    }
  }

  /** "I am alive at my incarnation": what we tell others about ourselves. */
  Update aliveUpdate() {
    return new Update(Kind.ALIVE, id, address, incarnation, id);
  }

  Member snapshot() {
    return new Member(id, address, incarnation, leaving ? MemberState.LEFT : MemberState.ALIVE, 0);
  }
}
