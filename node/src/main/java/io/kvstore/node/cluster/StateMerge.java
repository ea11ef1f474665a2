package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Scheduler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SWIM's precedence rules (memberlist's aliveNode/suspectNode/deadNode): merges one update, from
 * whatever message carried it, into the member table, starts and ends suspicions, refutes
 * accusations about this node, and queues every accepted change for dissemination.
 *
 * <p>Only a member raises its own incarnation, so suspect and dead updates naming an incarnation
 * newer than the one we know are rejected, and alive updates may not claim an incarnation far in
 * the future (incarnations start at the wall clock in milliseconds).
 */
final class StateMerge {
  /** Incarnations more than this ahead of our clock are implausible (forged or corrupt). */
  static final long MAX_INCARNATION_LEAD_MILLIS = 24L * 3600 * 1000;
  /** Bound on the members we track, so gossip cannot grow memory without limit. */
  private static final int MAX_MEMBERS = 100_000;

  private final SwimConfig config;
  private final Clock clock;
  private final Scheduler scheduler;
  private final LocalMember self;
  private final MemberTable table;
  private final LocalHealth health;
  private final Dissemination dissemination;
  private final Outbox outbox;
  private final SwimStats stats;
  private final List<MembershipListener> listeners;
  private final Map<NodeId, Suspicion> suspicions = new HashMap<>();

  StateMerge(SwimConfig config, Clock clock, Scheduler scheduler, LocalMember self, MemberTable table,
      LocalHealth health, Dissemination dissemination, Outbox outbox, SwimStats stats,
      List<MembershipListener> listeners) {
    this.config = config;
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

  void apply(Update u) {
    if (u.id().equals(self.id)) {
      applyAboutSelf(u);
      return;
    }
    switch (u.kind()) {
      case ALIVE -> applyAlive(u);
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
      if (u.incarnation() > clock.currentTimeMillis() + MAX_INCARNATION_LEAD_MILLIS) {
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

  private void applyAlive(Update u) {
    if (u.address() == null
        || u.incarnation() > clock.currentTimeMillis() + MAX_INCARNATION_LEAD_MILLIS) {
      stats.rejectedUpdates++;
      return;
    }
    MemberTable.Record m = table.get(u.id());
    if (m == null) {
      if (table.size() >= MAX_MEMBERS) {
        stats.rejectedUpdates++;
        return;
      }
      m = table.addAlive(u.id(), u.address(), u.incarnation(), clock.currentTimeMillis());
      dissemination.broadcast(u);
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
    table.setState(m, MemberState.ALIVE, clock.currentTimeMillis());
    dissemination.broadcast(u);
    notify(before, m.snapshot());
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
    table.setState(m, selfReported ? MemberState.LEFT : MemberState.DEAD, clock.currentTimeMillis());
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
