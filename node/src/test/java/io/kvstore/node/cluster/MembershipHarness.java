package io.kvstore.node.cluster;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.protocol.InternalFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One {@link SwimMembership} driven by hand: a test feeds it messages and moves time. The peers
 * it knows answer every ping at once, so nobody is suspected unless the test says so.
 */
final class MembershipHarness {
  static final NodeId SELF = new NodeId("self");
  static final long START_INCARNATION = 1_000;

  record Sent(InetSocketAddress to, SwimMessage message) {}

  final ManualClock time = new ManualClock();
  final List<Sent> sent = new ArrayList<>();
  /** Peers that no longer answer pings (crashed, as far as this node can tell). */
  final java.util.Set<InetSocketAddress> silent = new java.util.HashSet<>();
  /** What each peer says its incarnation is when it acks (default {@link #START_INCARNATION}). */
  final java.util.Map<NodeId, Long> incarnations = new java.util.HashMap<>();
  final SwimMembership membership;

  MembershipHarness(SwimConfig config) {
    this(config, MembershipLimits.forHeap(64L << 20));
  }

  MembershipHarness(SwimConfig config, MembershipLimits limits) {
    membership = new SwimMembership(SELF, address(0), config, limits, time, new SplittableRandom(1), this::onSend, time);
    membership.start(List.of());
  }

  /** Makes the node know peers 1..count, alive at {@link #START_INCARNATION}. */
  MembershipHarness withPeers(int count) {
    List<Update> alive = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      alive.add(new Update(Kind.ALIVE, peer(i), address(i), START_INCARNATION, peer(i)));
    }
    receive(1, new Gossip(alive));
    time.advance(1); // each answers its admission probe
    sent.clear();
    return this;
  }

  void receive(int fromPeer, SwimMessage message) {
    membership.onDatagram(address(fromPeer), SwimCodec.encode(new byte[16], message));
  }

  /** Peer {@code accuser} gossips that {@code subject} is suspect at {@code incarnation}. */
  void suspicion(int accuser, NodeId subject, long incarnation) {
    receive(accuser, new Gossip(List.of(new Update(Kind.SUSPECT, subject, null, incarnation, peer(accuser)))));
  }

  MemberState stateOf(int peer) {
    return membership.member(peer(peer)).state();
  }

  /** Every update this node has sent since the test started. */
  List<Update> sentUpdates() {
    List<Update> all = new ArrayList<>();
    sent.forEach(s -> all.addAll(s.message().updates()));
    return all;
  }

  private void onSend(InetSocketAddress to, byte[] datagram) {
    ByteBuffer buffer = ByteBuffer.wrap(datagram);
    SwimMessage message = SwimCodec.decode(InternalFrame.type(buffer), buffer.position(InternalFrame.HEADER).slice());
    sent.add(new Sent(to, message));
    if (message instanceof Ping ping && !silent.contains(to)) {
      // A real peer acks with its own alive update first (admission takes its incarnation there).
      Update own = new Update(Kind.ALIVE, ping.target(), to, incarnations.getOrDefault(ping.target(), START_INCARNATION),
          ping.target());
      time.schedule(1, () -> membership.onDatagram(to, SwimCodec.encode(new byte[16], new Ack(ping.seq(), List.of(own)))));
    }
  }

  /** Messages of one type sent since the test started. */
  <T extends SwimMessage> List<T> sentOf(Class<T> type) {
    return sent.stream().map(Sent::message).filter(type::isInstance).map(type::cast).toList();
  }

  static NodeId peer(int i) {
    return new NodeId("peer-" + i);
  }

  static InetSocketAddress address(int i) {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) (i + 1)}), 4000);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
