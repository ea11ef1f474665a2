package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Scheduler;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SWIM's precedence rules (memberlist's aliveNode/suspectNode/deadNode): merges one update, from
 * whatever message carried it, into the member table, starts and ends suspicions, refutes
 * accusations about this node, and queues every accepted change for dissemination.
 *
 * <p>Rules against forged or buggy updates (docs/SECURITY.md "Membership"):
 * <ul>
 *   <li>Only a member raises its own incarnation: suspect and dead updates naming a newer
 *       incarnation than the one we know are rejected (a dead declaration at the known one is
 *       legitimate SWIM: the member refutes it).
 *   <li>Only a member announces its own leave: a LEFT whose sender is not the member is rejected,
 *       and one that raises the incarnation more than {@code maxIncarnationStep} too.
 *   <li>No incarnation beyond a day ahead of the clock is accepted, and an alive update relayed
 *       by a third party raises a live member's incarnation by at most {@code maxIncarnationStep}
 *       (the member's own word, from its own address, may go further, as after a restart).
 *   <li>A member unknown, dead or left becomes alive only through {@link Admission} (a direct
 *       probe it answers), and the table holds at most {@code maxMembers}.
 *   <li>This node refutes every accusation it can, so it can always get back into the view.
 * </ul>
 */
final class StateMerge {
  /** Incarnations more than this ahead of our clock are implausible (forged or corrupt). */
  static final long MAX_INCARNATION_LEAD_MILLIS = 24L * 3600 * 1000;

  private final SwimConfig config;
  private final MembershipLimits limits;
  private final Clock clock;
  private final Scheduler scheduler;
  private final LocalMember self;
  private final MemberTable table;
  private final LocalHealth health;
  private final Dissemination dissemination;
  private final Outbox outbox;
  private final Admission admission;
  private final SwimStats stats;
  private final List<MembershipListener> listeners;
  private final Map<NodeId, Suspicion> suspicions = new HashMap<>();
  private java.util.function.Consumer<InetSocketAddress> readmitted = a -> {};

  StateMerge(SwimConfig config, MembershipLimits limits, Clock clock, Scheduler scheduler, LocalMember self,
      MemberTable table, LocalHealth health, Dissemination dissemination, Outbox outbox, Admission admission,
      SwimStats stats, List<MembershipListener> listeners) {
    this.config = config;
    this.limits = limits;
    this.admission = admission;
    admission.onAdmitted(this::admit);
    admission.onTurnOfDeferred(this::offerIfStillNeeded);
    this.clock = clock;
    this.scheduler = scheduler;
    this.self = self;
    this.table = table;
    this.health = health;
    this.dissemination = dissemination;
    this.outbox = outbox;
    this.stats = stats;
    this.listeners = listeners;
  }

  /** Where a member we knew as dead or left, and just admitted again, goes (the state exchange). */
  void onReadmitted(java.util.function.Consumer<InetSocketAddress> readmitted) {
    this.readmitted = readmitted;
  }

  /** Merges an update whose datagram's sender is unknown (or generated here). */
  void apply(Update u) {
    apply(u, null);
  }

  /** Merges an update that arrived in a datagram from {@code sender}. */
  void apply(Update u, java.net.InetSocketAddress sender) {
    if (u.incarnation() > clock.currentTimeMillis() + MAX_INCARNATION_LEAD_MILLIS || u.incarnation() < 0) {
      stats.rejectedUpdates++;
      return;
    }
    if (u.id().equals(self.id)) {
      applyAboutSelf(u);
      return;
    }
    switch (u.kind()) {
      case ALIVE -> applyAlive(u, sender);
      case SUSPECT -> applySuspect(u);
      case DEAD, LEFT -> applyDead(u);
    }
  }

  /** Cancels every suspicion timer (the node stops). */
  void stop() {
    suspicions.values().forEach(Suspicion::cancel);
  }

  private void applyAboutSelf(Update u) {
    if (self.leaving) {
      return;
    }
    boolean accusation = u.kind() != Kind.ALIVE;
    if (accusation && u.incarnation() < self.incarnation) {
      // The accuser missed our refutation: tell it directly, and everyone again.
      dissemination.broadcast(self.aliveUpdate());
      MemberTable.Record accuser = u.from() == null ? null : table.get(u.from());
      if (accuser != null && accuser.state.isLive()) {
        outbox.send(accuser.address, new Gossip(List.of(self.aliveUpdate())));
      }
      return;
    }
    boolean staleClaim = u.kind() == Kind.ALIVE && u.incarnation() > self.incarnation;
    if ((accusation && u.incarnation() >= self.incarnation) || staleClaim) {
      if (u.incarnation() > clock.currentTimeMillis() + MAX_INCARNATION_LEAD_MILLIS / 2) {
        // So far ahead that others (whose clocks may lag ours by up to half a day) would reject
        // our refutation: nobody accepted this claim, so there is nothing to refute.
        stats.rejectedUpdates++;
        return;
      }
      // Only we may refute: raise our incarnation above the claim and say so.
      self.incarnation = u.incarnation() + 1;
      stats.refutations++;
      if (accusation) {
        health.adjust(1);
      }
      dissemination.broadcast(self.aliveUpdate());
    }
  }

  private void applyAlive(Update u, java.net.InetSocketAddress sender) {
    if (u.address() == null) {
      stats.rejectedUpdates++;
      return;
    }
    if (table.isLiveAtLeast(u.id(), u.incarnation())) {
      return; // old news (nearly every update a message carries): decided without the record
    }
    MemberTable.Record m = table.get(u.id());
    if (m == null || !m.state.isLive()) {
      if (m != null && u.incarnation() <= m.incarnation) {
        return; // an old alive about a member since declared dead or gone
      }
      if (m == null && table.size() >= limits.maxMembers()) {
        stats.tableFull++;
        return;
      }
      admission.offer(u, m != null && u.address().equals(m.address));
      return;
    }
    if (u.incarnation() <= m.incarnation) {
      return;
    }
    if (!u.address().equals(m.address)) {
      stats.rejectedUpdates++; // a live member does not move; someone else claims its id
      return;
    }
    boolean ownWord = m.address.equals(sender);
    if (u.incarnation() - m.incarnation > limits.maxIncarnationStep() && !ownWord) {
      stats.rejectedUpdates++; // a refutation is +1; a relayed jump this large is forged or corrupt
      return;
    }
    Member before = m.snapshot();
    m.incarnation = u.incarnation();
    cancelSuspicion(m.id);
    table.setState(m, MemberState.ALIVE, clock.currentTimeMillis());
    dissemination.broadcast(u);
    notify(before, m.snapshot());
  }

  /** A deferred claim's turn: offered again only if its member is still unknown, dead or left. */
  private void offerIfStillNeeded(Update u) {
    MemberTable.Record m = table.get(u.id());
    if (m == null ? table.size() < limits.maxMembers() : !m.state.isLive() && u.incarnation() > m.incarnation) {
      admission.offer(u, m != null && u.address().equals(m.address));
    }
  }

  /** A candidate answered its admission probe: {@code u} is its own word about itself. */
  private void admit(Update u) {
    MemberTable.Record m = table.get(u.id());
    if (m == null) {
      if (table.size() >= limits.maxMembers()) {
        stats.tableFull++;
        return;
      }
      stats.admitted++;
      m = table.addAlive(u.id(), u.address(), u.incarnation(), clock.currentTimeMillis());
      self.admittedNamed(u.id());
      dissemination.broadcast(u);
      notify(null, m.snapshot());
      return;
    }
    if (u.incarnation() <= m.incarnation) {
      return; // it has not refuted (yet) what made it dead or left here
    }
    if (m.state.isLive() && !u.address().equals(m.address)) {
      stats.rejectedUpdates++;
      return;
    }
    stats.admitted++;
    Member before = m.snapshot();
    boolean wasGone = !m.state.isLive();
    m.address = u.address();
    m.incarnation = u.incarnation();
    cancelSuspicion(m.id);
    table.setState(m, MemberState.ALIVE, clock.currentTimeMillis());
    dissemination.broadcast(u);
    notify(before, m.snapshot());
    if (wasGone) {
      readmitted.accept(m.address);
    }
  }

  private void applySuspect(Update u) {
    MemberTable.Record m = table.get(u.id());
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
        dissemination.broadcast(u);
        armSuspicion(m, s);
      }
      return;
    }
    if (m.state != MemberState.ALIVE) {
      return;
    }
    Member before = m.snapshot();
    table.setState(m, MemberState.SUSPECT, clock.currentTimeMillis());
    Suspicion s = new Suspicion(clock.currentTimeMillis(), m.incarnation, u.from());
    suspicions.put(m.id, s);
    armSuspicion(m, s);
    dissemination.broadcast(u);
    notify(before, m.snapshot());
  }

  private void applyDead(Update u) {
    MemberTable.Record m = table.get(u.id());
    if (m == null) {
      return;
    }
    boolean left = u.kind() == Kind.LEFT;
    if (left && !u.id().equals(u.from())) {
      stats.rejectedUpdates++; // only a member announces its own leave
      return;
    }
    if (u.incarnation() < m.incarnation) {
      reannounceIfAlive(m);
      return;
    }
    long step = u.incarnation() - m.incarnation;
    if (left ? step > limits.maxIncarnationStep() : step > 0) {
      stats.rejectedUpdates++;
      return;
    }
    if (!m.state.isLive()) {
      return;
    }
    Member before = m.snapshot();
    m.incarnation = u.incarnation();
    cancelSuspicion(m.id);
    table.setState(m, left ? MemberState.LEFT : MemberState.DEAD, clock.currentTimeMillis());
    dissemination.broadcast(u);
    notify(before, m.snapshot());
    long since = m.stateSince;
    NodeId id = m.id;
    scheduler.schedule(config.deadRetentionMillis(), () -> table.forget(id, since));
  }

  /**
   * A stale accusation means its sender missed the member's refutation (each update is sent only
   * λ·log N times, and loss can hide all of them): queue the newer alive update again, so that
   * the laggard learns it before its own suspicion times out.
   */
  private void reannounceIfAlive(MemberTable.Record m) {
    if (m.state == MemberState.ALIVE) {
      dissemination.broadcast(new Update(Kind.ALIVE, m.id, m.address, m.incarnation, m.id));
    }
  }

  private void armSuspicion(MemberTable.Record m, Suspicion s) {
    int n = table.liveCount();
    long min = config.suspicionMinMillis(n);
    long max = Math.round(min * config.suspicionMaxMult());
    int expected = n - 2 < config.indirectProbes() ? 0 : config.indirectProbes();
    long timeout = Suspicion.timeoutMillis(min, max, expected, s.confirmations());
    NodeId id = m.id;
    s.arm(scheduler, clock.currentTimeMillis(), timeout, () -> {
      MemberTable.Record current = table.get(id);
      if (self.running && current != null && current.state == MemberState.SUSPECT
          && current.incarnation == s.incarnation && suspicions.get(id) == s) {
        stats.declaredDead++;
        apply(new Update(Kind.DEAD, id, null, s.incarnation, self.id));
      }
    });
  }

  private void cancelSuspicion(NodeId id) {
    Suspicion s = suspicions.remove(id);
    if (s != null) {
      s.cancel();
    }
  }

  private void notify(Member before, Member after) {
    for (MembershipListener l : listeners) {
      l.onMemberChanged(before, after);
    }
  }
}
