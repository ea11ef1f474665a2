package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Nack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.PingReq;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.node.runtime.Scheduler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SWIM's failure detector with Lifeguard: each probe period one member is pinged (in shuffled
 * round-robin order); without an ack within the probe timeout, k others are asked to ping it
 * (PING_REQ) and to nack if they get no ack either, and it is pinged directly once more; without
 * any ack by the end of the period it is suspected. Missing nacks count against our own
 * {@link LocalHealth}, which stretches our timeouts. Also answers other members' pings and relays their indirect probes.
 */
final class FailureDetector {
  private final SwimConfig config;
  private final MembershipLimits limits;
  private final Scheduler scheduler;
  private final LocalMember self;
  private final MemberTable table;
  private final LocalHealth health;
  private final Dissemination dissemination;
  private final StateMerge merge;
  private final Outbox outbox;
  private final SwimStats stats;
  private final Map<Integer, Probe> probes = new HashMap<>();
  private final Map<Integer, Relay> relays = new HashMap<>();
  private int nextSeq;
  private Scheduler.Cancellable probeTimer;

  FailureDetector(SwimConfig config, MembershipLimits limits, Scheduler scheduler, LocalMember self,
      MemberTable table, LocalHealth health, Dissemination dissemination, StateMerge merge, Outbox outbox,
      SwimStats stats) {
    this.config = config;
    this.limits = limits;
    this.scheduler = scheduler;
    this.self = self;
    this.table = table;
    this.health = health;
    this.dissemination = dissemination;
    this.merge = merge;
    this.outbox = outbox;
    this.stats = stats;
  }

  void start(long firstDelayMillis) {
    probeTimer = scheduler.schedule(firstDelayMillis, this::probeTick);
  }

  void stop() {
    if (probeTimer != null) {
      probeTimer.cancel();
    }
  }

  // ---------------------------------------------------------------- answering others

  void onPing(InetSocketAddress from, Ping ping) {
    if (!self.id.equals(ping.target())) {
      return; // meant for a previous owner of our address
    }
    if (ping.source() != null) {
      merge.apply(ping.source(), from);
    }
    // Our own alive update first: a prober admitting us takes our incarnation from it.
    List<Update> own = List.of(self.aliveUpdate());
    outbox.send(from, new Ack(ping.seq(), isLiveMemberAt(ping.source(), from) ? dissemination.withPiggyback(own, 4) : own));
  }

  /**
   * Whether {@code prober} is a live member of our view at {@code from}. Only such probers get
   * gossip on our ack: no cluster state goes to an address nobody vouched for, a spoofed ping
   * gets an ack no bigger than itself, and while a cluster forms (where nearly every ping is an
   * admission probe from a member we have not admitted yet) acks do not carry full datagrams of
   * updates that the prober could not admit at once anyway.
   */
  private boolean isLiveMemberAt(Update prober, InetSocketAddress from) {
    if (prober == null) {
      return false;
    }
    MemberTable.Record m = table.get(prober.id());
    return m != null && m.state.isLive() && m.address.equals(from);
  }

  void onPingReq(InetSocketAddress from, PingReq req) {
    if (req.source() != null) {
      merge.apply(req.source(), from);
    }
    MemberTable.Record target = table.get(req.target());
    if (target == null || !target.address.equals(req.targetAddress()) || relays.size() >= limits.maxRelays()) {
      // We ping only members we know, at the address we know: a PING-REQ cannot make us send
      // to a third party. The nack tells the requester that the failure is not its own.
      stats.relaysRefused++;
      outbox.send(from, new Nack(req.seq(), List.of()));
      return;
    }
    int seq = nextSeq++;
    Relay relay = new Relay(from, req.seq());
    relays.put(seq, relay);
    outbox.send(req.targetAddress(),
        new Ping(seq, req.target(), self.aliveUpdate(), dissemination.piggyback(4 + 2 * 70)));
    long timeout = health.scale(config.probeTimeoutMillis());
    scheduler.schedule(
        timeout * 8 / 10,
        () -> {
          if (relays.get(seq) == relay && !relay.acked) {
            outbox.send(relay.requester, new Nack(relay.requesterSeq, List.of()));
          }
        });
    scheduler.schedule(health.scale(config.probeIntervalMillis()), () -> relays.remove(seq, relay));
  }

  void onAck(Ack ack) {
    Probe probe = probes.remove(ack.seq());
    if (probe != null) {
      probe.acked = true;
      health.adjust(-1);
      return;
    }
    Relay relay = relays.get(ack.seq());
    if (relay != null && !relay.acked) {
      relay.acked = true;
      outbox.send(relay.requester, new Ack(relay.requesterSeq, dissemination.piggyback(4)));
    }
  }

  void onNack(Nack nack) {
    Probe probe = probes.get(nack.seq());
    if (probe != null) {
      probe.nacks++;
    }
  }

  // ---------------------------------------------------------------- probing

  private void probeTick() {
    if (!self.running) {
      return;
    }
    if (!self.leaving) {
      probeNext();
    }
    probeTimer = scheduler.schedule(health.scale(config.probeIntervalMillis()), this::probeTick);
  }

  private void probeNext() {
    MemberTable.Record target = table.nextProbeTarget();
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
      extra.add(new Update(Kind.SUSPECT, target.id, null, target.incarnation, self.id));
    }
    outbox.send(target.address,
        new Ping(seq, target.id, self.aliveUpdate(), dissemination.withPiggyback(extra, 4 + 70)));
    long timeout = health.scale(config.probeTimeoutMillis());
    long interval = health.scale(config.probeIntervalMillis());
    scheduler.schedule(timeout, () -> probeIndirectly(seq, probe, target));
    scheduler.schedule(interval - 1, () -> probeDeadline(seq, probe));
  }

  private void probeIndirectly(int seq, Probe probe, MemberTable.Record target) {
    if (probe.acked || !self.running) {
      return;
    }
    List<MemberTable.Record> helpers =
        table.randomMembers(config.indirectProbes(), m -> m.state == MemberState.ALIVE, target.id);
    probe.expectedNacks = helpers.size();
    for (MemberTable.Record helper : helpers) {
      outbox.send(
          helper.address,
          new PingReq(seq, target.id, target.address, self.aliveUpdate(), dissemination.piggyback(4 + 2 * 70 + 19)));
    }
    // A second direct ping beside the indirect ones (memberlist's fallback ping, over UDP here):
    // a lost ping or ack is the common cause of a missed ack, and every false suspicion is
    // gossiped to every node. No piggyback: it only has to be answered.
    stats.directRetries++;
    outbox.send(target.address, new Ping(seq, target.id, self.aliveUpdate(), List.of()));
  }

  private void probeDeadline(int seq, Probe probe) {
    probes.remove(seq);
    if (probe.acked || !self.running) {
      return;
    }
    stats.failedProbes++;
    // Lifeguard: nacks we expected but did not get mean our own network or CPU is the problem.
    int missedNacks = probe.expectedNacks - probe.nacks;
    health.adjust(probe.expectedNacks > 0 ? Math.max(0, missedNacks) : 1);
    MemberTable.Record target = table.get(probe.target);
    if (target == null || target.incarnation != probe.incarnation) {
      return;
    }
    Update suspect = new Update(Kind.SUSPECT, target.id, null, target.incarnation, self.id);
    if (target.state == MemberState.ALIVE) {
      stats.suspicionsRaised++;
      merge.apply(suspect);
      // Tell the suspect at once, so that it can refute long before anyone's timeout.
      outbox.send(target.address, new Gossip(List.of(suspect)));
    } else if (target.state == MemberState.SUSPECT) {
      // Our own failed probe is an independent confirmation (Lifeguard): it shortens every
      // suspecter's timeout towards the minimum.
      merge.apply(suspect);
    }
  }

  /** A probe of ours awaiting its ack. */
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

  /** An indirect probe we run for another member. */
  private static final class Relay {
    final InetSocketAddress requester;
    final int requesterSeq;
    boolean acked;

    Relay(InetSocketAddress requester, int requesterSeq) {
      this.requester = requester;
      this.requesterSeq = requesterSeq;
    }
  }
}
