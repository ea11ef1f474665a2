package io.kvstore.node.cluster;

import java.net.InetSocketAddress;
import java.util.List;

/** The messages of the SWIM membership protocol (internal command codes 0x20-0x25). */
public sealed interface SwimMessage {
  /** Membership updates carried by this message (piggybacked dissemination). */
  List<Update> updates();

  /** Direct probe; {@code source} introduces the prober to the target. */
  record Ping(int seq, NodeId target, Update source, List<Update> updates) implements SwimMessage {}

  /** Asks a member to probe {@code target} for us and to nack if it gets no ack in time. */
  record PingReq(int seq, NodeId target, InetSocketAddress targetAddress, Update source,
      List<Update> updates) implements SwimMessage {}

  /** Answer to a Ping (or relayed answer to a PingReq). */
  record Ack(int seq, List<Update> updates) implements SwimMessage {}

  /** Lifeguard: an indirect prober tells us it got no ack either (so we are not the problem). */
  record Nack(int seq, List<Update> updates) implements SwimMessage {}

  /** Gossip round: updates only. */
  record Gossip(List<Update> updates) implements SwimMessage {}

  /**
   * One chunk of a full-state exchange. A request (not {@code reply}) is answered with the
   * receiver's own state when its first chunk arrives; every chunk merges on its own.
   */
  record PushPull(int exchange, boolean join, boolean reply, int chunk, List<Update> updates)
      implements SwimMessage {}

  /** What one member's state is, according to whoever sent it. */
  record Update(Kind kind, NodeId id, InetSocketAddress address, long incarnation, NodeId from) {
    public enum Kind {
      ALIVE,
      SUSPECT,
      DEAD,
      LEFT
    }
  }
}
