package io.kvstore.node.cluster;

import io.kvstore.node.runtime.Scheduler;

import io.kvstore.node.runtime.Network;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.node.runtime.Clock;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * SWIM membership with the Lifeguard refinements, as a sans-IO state machine: it reacts to
 * datagrams ({@link #onDatagram}) and to timers it set through the {@link Scheduler}, and acts
 * only through the {@link Network}. Everything runs on the scheduler's single thread, so there
 * are no locks; {@link #liveCount()} is the one method safe to call from other threads.
 *
 * <p>Protocol (docs/CLUSTER.md): each probe period a member is probed in shuffled round-robin
 * order; without an ack within the probe timeout, k others probe it indirectly and nack if they
 * fail too; without any ack by the end of the period it is suspected. A suspect refutes by
 * raising its incarnation; otherwise the suspicion times out (faster as independent
 * confirmations arrive) and it is declared dead. Updates piggyback on probes and on gossip rounds,
 * each sent λ·log N times; a periodic push-pull exchange of full state heals partitions.
 *
 * <p>Lifeguard: a local health multiplier stretches our own timeouts when we miss nacks or must
 * refute (we are probably the slow one); suspicion timeouts shrink with confirmations; indirect
 * probers nack.
 *
 * <p>Sanity: only a member raises its own incarnation, so suspect and dead updates naming an
 * incarnation newer than the one we know are rejected, and alive updates may not claim an
 * incarnation far in the future (incarnations start at the wall clock in milliseconds). A forged
 * datagram can therefore cost a member at most one refutation, never its membership for good.
 */
public final class SwimMembership {
  /** Incarnations more than this ahead of our clock are implausible (forged or corrupt). */
  private static final long MAX_INCARNATION_LEAD_MILLIS = 24L * 3600 * 1000;
  /** Bound on the members we track, so gossip cannot grow memory without limit. */
  private static final int MAX_MEMBERS = 100_000;
  private static final int PUSH_PULL_CHUNK_BYTES = 32 * 1024;

  private final NodeId selfId;
  private final InetSocketAddress selfAddress;
  private final SwimConfig config;
  private final Clock clock;
  private final RandomGenerator random;
  private final Network network;
  private final Scheduler scheduler;
  private final SwimStats stats = new SwimStats();
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();

  private final Map<NodeId, MemberRecord> members = new HashMap<>();
  private final List<NodeId> probeOrder = new ArrayList<>();
  private int probeIndex;
  private final BroadcastQueue broadcasts = new BroadcastQueue();
  private final Map<Integer, Probe> probes = new HashMap<>();
  private final Map<Integer, Relay> relays = new HashMap<>();
  private final Map<NodeId, Suspicion> suspicions = new HashMap<>();

  private long incarnation;
  private int localHealth;
  private int nextSeq;
  private volatile int liveCount = 1;
  private boolean running;
  private boolean leaving;
  private boolean joined;
  private List<InetSocketAddress> seeds = List.of();
  private long joinBackoffMillis;
  private Scheduler.Cancellable probeTimer;
  private Scheduler.Cancellable gossipTimer;
  private Scheduler.Cancellable pushPullTimer;
  private Scheduler.Cancellable joinTimer;

  public SwimMembership(
      NodeId selfId,
      InetSocketAddress selfAddress,
      SwimConfig config,
      Clock clock,
      RandomGenerator random,
      Network network,
      Scheduler scheduler) {
    this.selfId = selfId;
    this.selfAddress = selfAddress;
    this.config = config;
    this.clock = clock;
    this.random = random;
    this.network = network;
    this.scheduler = scheduler;
    // A restarted node comes back with a higher incarnation than any it had before.
    this.incarnation = clock.currentTimeMillis();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts probing and gossiping, and joins through the seeds (none: we are the first node). */
  public void start(List<InetSocketAddress> seedAddresses) {
    running = true;
    seeds = seedAddresses.stream().filter(a -> !a.equals(selfAddress)).toList();
    joined = seeds.isEmpty();
    // Random phases so that nodes started together do not probe in lockstep.
    probeTimer = scheduler.schedule(jitter(config.probeIntervalMillis()), this::probeTick);
    gossipTimer = scheduler.schedule(jitter(config.gossipIntervalMillis()), this::gossipTick);
    pushPullTimer =
        scheduler.schedule(
            config.pushPullIntervalMillis() + jitter(config.pushPullIntervalMillis()),
            this::pushPullTick);
    if (!joined) {
      joinBackoffMillis = Math.min(200, config.joinRetryMaxMillis());
      tryJoin();
    }
  }

  /** Graceful leave: tells the cluster we left, then stops probing. The caller stops later. */
  public void leave() {
    if (!running || leaving) {
      return;
    }
    leaving = true;
    Update left = new Update(Kind.LEFT, selfId, selfAddress, incarnation, selfId);
    broadcasts.add(left);
    for (MemberRecord m : randomMembers(2 * config.gossipFanout(), m -> m.state.isLive(), null)) {
      send(m.address, new Gossip(List.of(left)));
    }
  }

  /** Stops every timer; the instance is dead afterwards (as in a crash). */
  public void stop() {
    running = false;
    for (Scheduler.Cancellable t : new Scheduler.Cancellable[] {probeTimer, gossipTimer, pushPullTimer, joinTimer}) {
      if (t != null) {
        t.cancel();
      }
    }
    suspicions.values().forEach(s -> s.timer.cancel());
  }

  public void addListener(MembershipListener listener) {
    listeners.add(listener);
  }

  // ---------------------------------------------------------------- queries

  public NodeId selfId() {
    return selfId;
  }

  public InetSocketAddress selfAddress() {
    return selfAddress;
  }

  public long incarnation() {
    return incarnation;
  }

  public int localHealth() {
    return localHealth;
  }

  public boolean isJoined() {
    return joined;
  }

  public SwimStats stats() {
    return stats;
  }

  /** Live members (alive or suspect) including this node. Safe from any thread. */
  public int liveCount() {
    return liveCount;
  }

  /** Every known member including this node, by id. Call on the membership thread. */
  public List<Member> members() {
    List<Member> list = new ArrayList<>(members.size() + 1);
    list.add(self());
    for (MemberRecord r : members.values()) {
      list.add(r.snapshot());
    }
    list.sort((a, b) -> a.id().compareTo(b.id()));
    return list;
  }

  /** One member's state in this view, or null if unknown. Call on the membership thread. */
  public Member member(NodeId id) {
    if (id.equals(selfId)) {
      return self();
    }
    MemberRecord r = members.get(id);
    return r == null ? null : r.snapshot();
  }

  /** Up to {@code count} random alive members (not this node), for epidemic protocols. */
  public List<InetSocketAddress> randomAliveAddresses(int count) {
    List<InetSocketAddress> out = new ArrayList<>(count);
    for (MemberRecord m : randomMembers(count, r -> r.state == MemberState.ALIVE, null)) {
      out.add(m.address);
    }
    return out;
  }

  public Member self() {
    return new Member(selfId, selfAddress, incarnation, leaving ? MemberState.LEFT : MemberState.ALIVE, 0);
  }

  // ---------------------------------------------------------------- input

  /** Handles one membership datagram (already authenticated by the transport). */
  public void onDatagram(InetSocketAddress from, byte[] datagram) {
    if (!running) {
      return;
    }
    ByteBuffer buffer = ByteBuffer.wrap(datagram);
    SwimMessage message;
    try {
      if (InternalFrame.version(buffer) != InternalFrame.VERSION) {
        throw new MalformedMessageException("unsupported version " + InternalFrame.version(buffer));
      }
      int type = InternalFrame.type(buffer);
      message = SwimCodec.decode(type, buffer.position(InternalFrame.HEADER).slice());
    } catch (MalformedMessageException e) {
      stats.malformed++;
      return;
    }
    if (message instanceof PushPull p) {
      onPushPull(from, p);
      return;
    }
    for (Update u : message.updates()) {
      apply(u);
    }
    if (message instanceof Ping p) {
      onPing(from, p);
    } else if (message instanceof PingReq p) {
      onPingReq(from, p);
    } else if (message instanceof Ack a) {
      onAck(a);
    } else if (message instanceof Nack n) {
      Probe probe = probes.get(n.seq());
      if (probe != null) {
        probe.nacks++;
      }
    }
  }

  private void onPing(InetSocketAddress from, Ping ping) {
    if (!selfId.equals(ping.target())) {
      return; // meant for a previous owner of our address
    }
    if (ping.source() != null) {
      apply(ping.source());
    }
    send(from, new Ack(ping.seq(), piggyback(4)));
  }

  private void onPingReq(InetSocketAddress from, PingReq req) {
    if (req.source() != null) {
      apply(req.source());
    }
    int seq = nextSeq++;
    Relay relay = new Relay(from, req.seq());
    relays.put(seq, relay);
    send(req.targetAddress(), new Ping(seq, req.target(), selfUpdate(), piggyback(4 + 2 * 70)));
    long timeout = scaled(config.probeTimeoutMillis());
    scheduler.schedule(
        timeout * 8 / 10,
        () -> {
          if (relays.get(seq) == relay && !relay.acked) {
            send(relay.requester, new Nack(relay.requesterSeq, List.of()));
          }
        });
    scheduler.schedule(scaled(config.probeIntervalMillis()), () -> relays.remove(seq, relay));
  }

  private void onAck(Ack ack) {
    Probe probe = probes.remove(ack.seq());
    if (probe != null) {
      probe.acked = true;
      localHealth = Math.max(0, localHealth - 1);
      return;
    }
    Relay relay = relays.get(ack.seq());
    if (relay != null && !relay.acked) {
      relay.acked = true;
      send(relay.requester, new Ack(relay.requesterSeq, piggyback(4)));
    }
  }

  // ---------------------------------------------------------------- probing

  private void probeTick() {
    if (!running) {
      return;
    }
    if (!leaving) {
      probeNext();
    }
    probeTimer = scheduler.schedule(scaled(config.probeIntervalMillis()), this::probeTick);
  }

  private void probeNext() {
    MemberRecord target = nextProbeTarget();
    if (target == null) {
      return;
    }
    stats.probes++;
    int seq = nextSeq++;
    Probe probe = new Probe(target.id, target.incarnation);
    probes.put(seq, probe);
    List<Update> extra = new ArrayList<>();
    if (target.state == MemberState.SUSPECT) {
      // Lifeguard's buddy system: tell the suspect directly so it can refute at once.
      extra.add(new Update(Kind.SUSPECT, target.id, null, target.incarnation, selfId));
    }
    send(target.address, new Ping(seq, target.id, selfUpdate(), withPiggyback(extra, 4 + 70)));
    long timeout = scaled(config.probeTimeoutMillis());
    long interval = scaled(config.probeIntervalMillis());
    scheduler.schedule(timeout, () -> probeIndirectly(seq, probe, target));
    scheduler.schedule(interval - 1, () -> probeDeadline(seq, probe));
  }

  private void probeIndirectly(int seq, Probe probe, MemberRecord target) {
    if (probe.acked || !running) {
      return;
    }
    List<MemberRecord> helpers =
        randomMembers(config.indirectProbes(), m -> m.state == MemberState.ALIVE, target.id);
    probe.expectedNacks = helpers.size();
    for (MemberRecord helper : helpers) {
      send(
          helper.address,
          new PingReq(seq, target.id, target.address, selfUpdate(), piggyback(4 + 2 * 70 + 19)));
    }
  }

  private void probeDeadline(int seq, Probe probe) {
    probes.remove(seq);
    if (probe.acked || !running) {
      return;
    }
    stats.failedProbes++;
    // Lifeguard: nacks we expected but did not get mean our own network or CPU is the problem.
    int missedNacks = probe.expectedNacks - probe.nacks;
    adjustLocalHealth(probe.expectedNacks > 0 ? Math.max(0, missedNacks) : 1);
    MemberRecord target = members.get(probe.target);
    if (target == null || target.incarnation != probe.incarnation) {
      return;
    }
    Update suspect = new Update(Kind.SUSPECT, target.id, null, target.incarnation, selfId);
    if (target.state == MemberState.ALIVE) {
      stats.suspicionsRaised++;
      apply(suspect);
      // Tell the suspect at once, so that it can refute long before anyone's timeout.
      send(target.address, new Gossip(List.of(suspect)));
    } else if (target.state == MemberState.SUSPECT) {
      // Our own failed probe is an independent confirmation (Lifeguard): it shortens every
      // suspecter's timeout towards the minimum.
      apply(suspect);
    }
  }

  private MemberRecord nextProbeTarget() {
    for (int scanned = 0; scanned <= probeOrder.size(); scanned++) {
      if (probeIndex >= probeOrder.size()) {
        probeIndex = 0;
        Collections.shuffle(probeOrder, asRandom());
        if (probeOrder.isEmpty()) {
          return null;
        }
      }
      MemberRecord m = members.get(probeOrder.get(probeIndex++));
      if (m != null && m.state.isLive()) {
        return m;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- gossip and push-pull

  private void gossipTick() {
    if (!running) {
      return;
    }
    if (!broadcasts.isEmpty()) {
      long now = clock.currentTimeMillis();
      List<MemberRecord> targets =
          randomMembers(
              config.gossipFanout(),
              m -> m.state.isLive()
                  || (m.state == MemberState.DEAD && now - m.stateSince < config.gossipToTheDeadMillis()),
              null);
      for (MemberRecord target : targets) {
        List<Update> updates = piggyback(0);
        if (updates.isEmpty()) {
          break;
        }
        send(target.address, new Gossip(updates));
      }
    }
    gossipTimer = scheduler.schedule(config.gossipIntervalMillis(), this::gossipTick);
  }

  private void pushPullTick() {
    if (!running) {
      return;
    }
    // Dead members are candidates too: after a partition heals, that is how the halves meet.
    List<MemberRecord> partner =
        randomMembers(1, m -> m.state == MemberState.ALIVE || m.state == MemberState.DEAD, null);
    if (!partner.isEmpty() && !leaving) {
      sendState(partner.get(0).address, random.nextInt(), false, false);
    }
    // A seed we do not see alive may be across a healed partition that outlasted our memory
    // of the dead: exchanging state with it is how the two sides find each other again.
    List<InetSocketAddress> lostSeeds = new ArrayList<>();
    for (InetSocketAddress seed : seeds) {
      if (!isAliveAt(seed)) {
        lostSeeds.add(seed);
      }
    }
    if (!lostSeeds.isEmpty() && !leaving) {
      sendState(lostSeeds.get(random.nextInt(lostSeeds.size())), random.nextInt(), false, false);
    }
    pushPullTimer =
        scheduler.schedule(config.pushPullIntervalMillis(members.size() + 1), this::pushPullTick);
  }

  private boolean isAliveAt(InetSocketAddress address) {
    for (MemberRecord m : members.values()) {
      if (m.state == MemberState.ALIVE && m.address.equals(address)) {
        return true;
      }
    }
    return false;
  }

  private void tryJoin() {
    if (!running || joined) {
      return;
    }
    int exchange = random.nextInt();
    for (InetSocketAddress seed : seeds) {
      sendState(seed, exchange, true, false);
    }
    long delay = joinBackoffMillis;
    joinBackoffMillis = Math.min(config.joinRetryMaxMillis(), joinBackoffMillis * 2);
    joinTimer = scheduler.schedule(delay, this::tryJoin);
  }

  private void onPushPull(InetSocketAddress from, PushPull p) {
    if (p.reply()) {
      joined = true;
    }
    for (Update u : p.updates()) {
      // A remote "dead" is only a reason to suspect: we may know better.
      if (u.kind() == Kind.DEAD) {
        apply(new Update(Kind.SUSPECT, u.id(), null, u.incarnation(), u.from()));
      } else {
        apply(u);
      }
    }
    // Answer after merging, so that the answer carries any refutation the merge caused.
    if (!p.reply() && p.chunk() == 0 && !leaving) {
      sendState(from, p.exchange(), false, true);
    }
  }

  private void sendState(InetSocketAddress to, int exchange, boolean join, boolean reply) {
    List<Update> state = new ArrayList<>(members.size() + 1);
    state.add(selfUpdate());
    for (MemberRecord m : members.values()) {
      Kind kind =
          switch (m.state) {
            case ALIVE -> Kind.ALIVE;
            case SUSPECT -> Kind.SUSPECT;
            case DEAD -> Kind.DEAD;
            case LEFT -> Kind.LEFT;
          };
      if (kind == Kind.ALIVE) {
        state.add(new Update(kind, m.id, m.address, m.incarnation, selfId));
      } else {
        state.add(new Update(kind, m.id, null, m.incarnation, kind == Kind.LEFT ? m.id : selfId));
      }
    }
    int chunk = 0;
    List<Update> page = new ArrayList<>();
    int bytes = 0;
    for (Update u : state) {
      int size = SwimCodec.size(u);
      if (bytes + size > PUSH_PULL_CHUNK_BYTES && !page.isEmpty()) {
        send(to, new PushPull(exchange, join, reply, chunk++, page));
        page = new ArrayList<>();
        bytes = 0;
      }
      page.add(u);
      bytes += size;
    }
    send(to, new PushPull(exchange, join, reply, chunk, page));
  }

  // ---------------------------------------------------------------- state merge

  private void apply(Update u) {
    if (u.id().equals(selfId)) {
      applyAboutSelf(u);
      return;
    }
    switch (u.kind()) {
      case ALIVE -> applyAlive(u);
      case SUSPECT -> applySuspect(u);
      case DEAD, LEFT -> applyDead(u);
    }
  }

  private void applyAboutSelf(Update u) {
    if (leaving) {
      return;
    }
    boolean accusation = u.kind() != Kind.ALIVE;
    if (accusation && u.incarnation() < incarnation) {
      // The accuser missed our refutation: tell it directly, and everyone again.
      broadcasts.add(selfUpdate());
      MemberRecord accuser = u.from() == null ? null : members.get(u.from());
      if (accuser != null && accuser.state.isLive()) {
        send(accuser.address, new Gossip(List.of(selfUpdate())));
      }
      return;
    }
    boolean staleClaim = u.kind() == Kind.ALIVE && u.incarnation() > incarnation;
    if ((accusation && u.incarnation() >= incarnation) || staleClaim) {
      if (u.incarnation() > clock.currentTimeMillis() + MAX_INCARNATION_LEAD_MILLIS) {
        stats.rejectedUpdates++;
        return;
      }
      // Only we may refute: raise our incarnation above the claim and say so.
      incarnation = u.incarnation() + 1;
      stats.refutations++;
      if (accusation) {
        adjustLocalHealth(1);
      }
      broadcasts.add(selfUpdate());
    }
  }

  private void applyAlive(Update u) {
    if (u.address() == null
        || u.incarnation() > clock.currentTimeMillis() + MAX_INCARNATION_LEAD_MILLIS) {
      stats.rejectedUpdates++;
      return;
    }
    MemberRecord m = members.get(u.id());
    if (m == null) {
      if (members.size() >= MAX_MEMBERS) {
        stats.rejectedUpdates++;
        return;
      }
      m = new MemberRecord(u.id(), u.address(), u.incarnation(), MemberState.ALIVE, clock.currentTimeMillis());
      members.put(u.id(), m);
      probeOrder.add(probeOrder.isEmpty() ? 0 : random.nextInt(probeOrder.size() + 1), u.id());
      liveCount++;
      broadcasts.add(u);
      notify(null, m.snapshot());
      return;
    }
    if (u.incarnation() <= m.incarnation) {
      return;
    }
    if (!u.address().equals(m.address) && m.state.isLive()) {
      stats.rejectedUpdates++; // a live member does not move; someone else claims its id
      return;
    }
    Member before = m.snapshot();
    m.address = u.address();
    m.incarnation = u.incarnation();
    cancelSuspicion(m.id);
    setState(m, MemberState.ALIVE);
    broadcasts.add(u);
    notify(before, m.snapshot());
  }

  private void applySuspect(Update u) {
    MemberRecord m = members.get(u.id());
    if (m == null) {
      return;
    }
    if (u.incarnation() < m.incarnation) {
      reannounceIfAlive(m); // someone missed the refutation: spread it again
      return;
    }
    if (u.incarnation() > m.incarnation) {
      stats.rejectedUpdates++; // only the member itself raises its incarnation
      return;
    }
    if (m.state == MemberState.SUSPECT) {
      Suspicion s = suspicions.get(m.id);
      if (s != null && u.from() != null && s.confirm(u.from())) {
        broadcasts.add(u);
        rescheduleSuspicion(m, s);
      }
      return;
    }
    if (m.state != MemberState.ALIVE) {
      return;
    }
    Member before = m.snapshot();
    setState(m, MemberState.SUSPECT);
    Suspicion s = new Suspicion(clock.currentTimeMillis(), u.from());
    suspicions.put(m.id, s);
    rescheduleSuspicion(m, s);
    broadcasts.add(u);
    notify(before, m.snapshot());
  }

  private void applyDead(Update u) {
    MemberRecord m = members.get(u.id());
    if (m == null) {
      return;
    }
    if (u.incarnation() < m.incarnation) {
      reannounceIfAlive(m);
      return;
    }
    boolean selfReported = u.kind() == Kind.LEFT && u.id().equals(u.from());
    if (u.incarnation() > m.incarnation && !selfReported) {
      stats.rejectedUpdates++;
      return;
    }
    if (!m.state.isLive()) {
      return;
    }
    Member before = m.snapshot();
    m.incarnation = u.incarnation();
    cancelSuspicion(m.id);
    setState(m, selfReported ? MemberState.LEFT : MemberState.DEAD);
    broadcasts.add(u);
    notify(before, m.snapshot());
    long since = m.stateSince;
    scheduler.schedule(config.deadRetentionMillis(), () -> forget(m.id, since));
  }

  /**
   * A stale accusation means its sender missed the member's refutation (each update is sent only
   * λ·log N times, and loss can hide all of them): queue the newer alive update again, so that
   * the laggard learns it before its own suspicion times out.
   */
  private void reannounceIfAlive(MemberRecord m) {
    if (m.state == MemberState.ALIVE) {
      broadcasts.add(new Update(Kind.ALIVE, m.id, m.address, m.incarnation, m.id));
    }
  }

  private void forget(NodeId id, long since) {
    MemberRecord m = members.get(id);
    if (m != null && !m.state.isLive() && m.stateSince == since) {
      members.remove(id);
      probeOrder.remove(id);
    }
  }

  private void rescheduleSuspicion(MemberRecord m, Suspicion s) {
    if (s.timer != null) {
      s.timer.cancel();
    }
    int n = liveCount;
    long min = config.suspicionMinMillis(n);
    long max = Math.round(min * config.suspicionMaxMult());
    int k = n - 2 < config.indirectProbes() ? 0 : config.indirectProbes();
    long timeout = min;
    if (k > 0) {
      double fraction = Math.log(s.confirmations.size()) / Math.log(k + 1);
      timeout = Math.max(min, Math.round(max - (max - min) * Math.min(1.0, fraction)));
    }
    long remaining = Math.max(0, s.startedAt + timeout - clock.currentTimeMillis());
    long incarnationAtStart = m.incarnation;
    s.timer =
        scheduler.schedule(
            remaining,
            () -> {
              MemberRecord current = members.get(m.id);
              if (running && current != null && current.state == MemberState.SUSPECT
                  && current.incarnation == incarnationAtStart && suspicions.get(m.id) == s) {
                stats.declaredDead++;
                apply(new Update(Kind.DEAD, m.id, null, incarnationAtStart, selfId));
              }
            });
  }

  private void cancelSuspicion(NodeId id) {
    Suspicion s = suspicions.remove(id);
    if (s != null && s.timer != null) {
      s.timer.cancel();
    }
  }

  private void setState(MemberRecord m, MemberState state) {
    if (m.state != state) {
      if (m.state.isLive() != state.isLive()) {
        liveCount += state.isLive() ? 1 : -1;
      }
      m.state = state;
      m.stateSince = clock.currentTimeMillis();
    }
  }

  private void notify(Member before, Member after) {
    for (MembershipListener l : listeners) {
      l.onMemberChanged(before, after);
    }
  }

  // ---------------------------------------------------------------- helpers

  private void adjustLocalHealth(int delta) {
    localHealth = Math.max(0, Math.min(config.maxLocalHealth(), localHealth + delta));
  }

  /** Lifeguard: our own timeouts stretch with our local health multiplier. */
  private long scaled(long millis) {
    return millis * (localHealth + 1);
  }

  private long jitter(long bound) {
    return random.nextLong(Math.max(1, bound));
  }

  private Update selfUpdate() {
    return new Update(Kind.ALIVE, selfId, selfAddress, incarnation, selfId);
  }

  private List<Update> piggyback(int reservedBytes) {
    int budget = config.maxDatagramBytes() - InternalFrame.HEADER - 2 - reservedBytes;
    return broadcasts.take(budget, config.retransmitLimit(members.size() + 1));
  }

  private List<Update> withPiggyback(List<Update> first, int reservedBytes) {
    if (first.isEmpty()) {
      return piggyback(reservedBytes);
    }
    int used = first.stream().mapToInt(SwimCodec::size).sum();
    List<Update> all = new ArrayList<>(first);
    all.addAll(piggyback(reservedBytes + used));
    return all;
  }

  private List<MemberRecord> randomMembers(
      int count, java.util.function.Predicate<MemberRecord> filter, NodeId exclude) {
    int n = probeOrder.size();
    List<MemberRecord> chosen = new ArrayList<>(count);
    if (n == 0 || count == 0) {
      return chosen;
    }
    if (n > 64) {
      // Random picks: O(count) however large the cluster, as long as most members qualify.
      for (int attempt = 0; attempt < 4 * count + 16 && chosen.size() < count; attempt++) {
        MemberRecord m = members.get(probeOrder.get(random.nextInt(n)));
        if (m != null && filter.test(m) && !m.id.equals(exclude) && !chosen.contains(m)) {
          chosen.add(m);
        }
      }
      if (chosen.size() == count) {
        return chosen;
      }
      chosen.clear();
    }
    List<MemberRecord> candidates = new ArrayList<>();
    for (NodeId id : probeOrder) {
      MemberRecord m = members.get(id);
      if (m != null && filter.test(m) && !m.id.equals(exclude)) {
        candidates.add(m);
      }
    }
    // Partial Fisher-Yates: the first `count` are a uniform sample.
    for (int i = 0; i < Math.min(count, candidates.size()); i++) {
      int j = i + random.nextInt(candidates.size() - i);
      Collections.swap(candidates, i, j);
    }
    return new ArrayList<>(candidates.subList(0, Math.min(count, candidates.size())));
  }

  private java.util.Random asRandom() {
    long seed = random.nextLong();
    return new java.util.Random(seed);
  }

  private void send(InetSocketAddress to, SwimMessage message) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    network.send(to, SwimCodec.encode(id, message));
  }

  // ---------------------------------------------------------------- state records

  private static final class MemberRecord {
    final NodeId id;
    InetSocketAddress address;
    long incarnation;
    MemberState state;
    long stateSince;

    MemberRecord(NodeId id, InetSocketAddress address, long incarnation, MemberState state, long since) {
      this.id = id;
      this.address = address;
      this.incarnation = incarnation;
      this.state = state;
      this.stateSince = since;
    }

    Member snapshot() {
      return new Member(id, address, incarnation, state, stateSince);
    }
  }

  private static final class Probe {
    final NodeId target;
    final long incarnation;
    boolean acked;
    int expectedNacks;
    int nacks;

    Probe(NodeId target, long incarnation) {
      this.target = target;
      this.incarnation = incarnation;
    }
  }

  private static final class Relay {
    final InetSocketAddress requester;
    final int requesterSeq;
    boolean acked;

    Relay(InetSocketAddress requester, int requesterSeq) {
      this.requester = requester;
      this.requesterSeq = requesterSeq;
    }
  }

  private static final class Suspicion {
    final long startedAt;
    final Set<NodeId> confirmations = new HashSet<>();
    Scheduler.Cancellable timer;

    Suspicion(long startedAt, NodeId accuser) {
      this.startedAt = startedAt;
      if (accuser != null) {
        confirmations.add(accuser);
      }
    }

    /** Records an independent confirmation; false if this accuser was already counted. */
    boolean confirm(NodeId accuser) {
      return confirmations.add(accuser);
    }
  }
}
