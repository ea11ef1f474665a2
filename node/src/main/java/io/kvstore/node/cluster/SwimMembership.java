package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * SWIM membership with the Lifeguard refinements, as a sans-IO state machine: it reacts to
 * datagrams ({@link #onDatagram}) and to timers it set through the {@link Scheduler}, and acts
 * only through the {@link Network}. Everything runs on the scheduler's single thread, so there
 * are no locks; {@link #liveCount()} is the one method safe to call from other threads.
 *
 * <p>This class is the entry point and wiring; each mechanism is a class of its own
 * (docs/CLUSTER.md): {@link FailureDetector} (probes, indirect probes, nacks) with
 * {@link LocalHealth} (Lifeguard's awareness); {@link StateMerge} (SWIM's precedence rules,
 * refutation) with {@link Suspicion} (the timer that shrinks with confirmations);
 * {@link Dissemination} (broadcast queue, piggyback, gossip rounds); {@link StateExchange}
 * (push-pull and join); {@link MemberTable} (the members and the probe order); {@link Admission}
 * (new members only after they answer a direct probe). {@link MembershipLimits} bounds them.
 */
public final class SwimMembership {
  private final SwimConfig config;
  private final MembershipLimits limits;
  private final RandomGenerator random;
  private final SwimStats stats = new SwimStats();
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final LocalMember self;
  private final MemberTable table;
  private final LocalHealth health;
  private final Outbox outbox;
  private final Dissemination dissemination;
  private final Admission admission;
  private final StateMerge merge;
  private final FailureDetector detector;
  private final StateExchange exchange;
  private WireNames names = WireNames.AS_DECODED;

  public SwimMembership(
      NodeId selfId,
      InetSocketAddress selfAddress,
      SwimConfig config,
      Clock clock,
      RandomGenerator random,
      Network network,
      Scheduler scheduler) {
    this(selfId, selfAddress, config, MembershipLimits.defaults(), clock, random, network, scheduler);
  }

  public SwimMembership(
      NodeId selfId,
      InetSocketAddress selfAddress,
      SwimConfig config,
      MembershipLimits limits,
      Clock clock,
      RandomGenerator random,
      Network network,
      Scheduler scheduler) {
    this.config = config;
    this.limits = limits;
    this.random = random;
    // A restarted node comes back with a higher incarnation than any it had before.
    this.self = new LocalMember(selfId, selfAddress, clock.currentTimeMillis());
    this.table = new MemberTable(random);
    this.health = new LocalHealth(config.maxLocalHealth());
    this.outbox = new Outbox(network, random);
    this.dissemination = new Dissemination(config, clock, scheduler, self, table, outbox);
    this.admission = new Admission(config, limits, clock, scheduler, random, self, outbox, stats);
    this.merge = new StateMerge(config, limits, clock, scheduler, self, table, health, dissemination, outbox,
        admission, stats, listeners);
    this.detector =
        new FailureDetector(config, limits, scheduler, self, table, health, dissemination, merge, outbox, stats);
    // Joined: listeners hear of it as a change of this node (ClusterCore then rebuilds its ring).
    this.exchange = new StateExchange(config, clock, scheduler, random, self, table, merge, outbox,
        () -> listeners.forEach(l -> l.onMemberChanged(self(), self())));
    merge.onReadmitted(exchange::syncWithReadmitted);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts probing and gossiping, and joins through the seeds (none: we are the first node). */
  public void start(List<InetSocketAddress> seedAddresses) {
    self.running = true;
    List<InetSocketAddress> seeds = seedAddresses.stream().filter(a -> !a.equals(self.address)).toList();
    self.joined = seeds.isEmpty();
    // Random phases so that nodes started together do not probe in lockstep.
    detector.start(jitter(config.probeIntervalMillis()));
    dissemination.start(jitter(config.gossipIntervalMillis()));
    exchange.start(config.pushPullIntervalMillis() + jitter(config.pushPullIntervalMillis()), seeds);
  }

  /** Graceful leave: tells the cluster we left, then stops probing. The caller stops later. */
  public void leave() {
    if (!self.running || self.leaving) {
      return;
    }
    self.leaving = true;
    Update left = new Update(Kind.LEFT, self.id, self.address, self.incarnation, self.id);
    dissemination.broadcast(left);
    for (MemberTable.Record m : table.randomMembers(2 * config.gossipFanout(), m -> m.state.isLive(), null)) {
      outbox.send(m.address, new Gossip(List.of(left)));
    }
  }

  /** Stops every timer; the instance is dead afterwards (as in a crash). */
  public void stop() {
    self.running = false;
    detector.stop();
    dissemination.stop();
    exchange.stop();
    merge.stop();
  }

  /** Keeps decoded ids and addresses as {@code names} gives them (the simulator shares them). */
  public void useNames(WireNames names) {
    this.names = names;
  }

  public void addListener(MembershipListener listener) {
    listeners.add(listener);
  }

  // ---------------------------------------------------------------- queries

  public NodeId selfId() {
    return self.id;
  }

  public InetSocketAddress selfAddress() {
    return self.address;
  }

  public long incarnation() {
    return self.incarnation;
  }

  public int localHealth() {
    return health.score();
  }

  public boolean isJoined() {
    return self.joined;
  }

  /** Exchanges full states with a random alive member now. Membership thread only. */
  public void resync() {
    exchange.resync();
  }

  /**
   * Joined, and every live member that the full states this node received named is in its table
   * now (or: the members its view still lacks). Membership thread only.
   */
  public List<NodeId> namedButUnknown() {
    List<NodeId> missing = new java.util.ArrayList<>();
    for (NodeId id : self.namedInReplies) {
      if (table.get(id) == null) {
        missing.add(id);
      }
    }
    return missing;
  }

  public SwimStats stats() {
    return stats;
  }

  public MembershipLimits limits() {
    return limits;
  }

  /** Candidates awaiting their admission probe. Call on the membership thread. */
  public int pendingAdmissions() {
    return admission.pending();
  }

  /** Members in the table besides this node, whatever their state. Call on the membership thread. */
  public int tableSize() {
    return table.size();
  }

  /** Live members (alive or suspect) including this node. Safe from any thread. */
  public int liveCount() {
    return table.liveCount();
  }

  /** Every known member including this node, by id. Call on the membership thread. */
  public List<Member> members() {
    List<Member> list = new ArrayList<>(table.size() + 1);
    list.add(self());
    for (MemberTable.Record r : table.records()) {
      list.add(r.snapshot());
    }
    list.sort((a, b) -> a.id().compareTo(b.id()));
    return list;
  }

  /** One member's state in this view, or null if unknown. Call on the membership thread. */
  public Member member(NodeId id) {
    if (id.equals(self.id)) {
      return self();
    }
    MemberTable.Record r = table.get(id);
    return r == null ? null : r.snapshot();
  }

  /** Up to {@code count} random alive members (not this node), for epidemic protocols. */
  public List<InetSocketAddress> randomAliveAddresses(int count) {
    List<InetSocketAddress> out = new ArrayList<>(count);
    for (MemberTable.Record m : table.randomMembers(count, r -> r.state == MemberState.ALIVE, null)) {
      out.add(m.address);
    }
    return out;
  }

  public Member self() {
    return self.snapshot();
  }

  // ---------------------------------------------------------------- input

  /** Handles one membership datagram (already authenticated by the transport). */
  public void onDatagram(InetSocketAddress from, byte[] datagram) {
    if (!self.running) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.wrap(datagram);
    SwimMessage message;
    try {
      if (InternalFrame.version(buffer) != InternalFrame.VERSION) {
        throw new MalformedMessageException("unsupported version " + InternalFrame.version(buffer));
      }
      int type = InternalFrame.type(buffer);
      message = SwimCodec.decode(type, buffer.position(InternalFrame.HEADER).slice(), names);
    } catch (MalformedMessageException e) {
      stats.malformed++;
      return;
    }
    if (message instanceof PushPull p) {
      exchange.onPushPull(from, p);
      return;
    }
    table.prefetch(message.updates());
    for (Update u : message.updates()) {
      merge.apply(u, from);
    }
    if (message instanceof Ping p) {
      detector.onPing(from, p);
    } else if (message instanceof PingReq p) {
      detector.onPingReq(from, p);
    } else if (message instanceof Ack a) {
      if (!admission.onAck(from, a)) {
        detector.onAck(a);
      }
    } else if (message instanceof Nack n) {
      detector.onNack(n);
    }
  }

  private long jitter(long bound) {
    return random.nextLong(Math.max(1, bound));
  }
}
