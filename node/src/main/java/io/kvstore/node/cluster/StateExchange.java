package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.PushPull;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Scheduler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Anti-entropy by full-state exchange (memberlist's push-pull): periodically, and to join, a node
 * sends its whole member table to one member, which merges it and answers with its own. Gossip
 * alone can miss a member; this heals such gaps and partitions. Dead members are exchange
 * partners too, and so are seeds we do not see alive: that is how two halves of a healed
 * partition find each other again.
 */
final class StateExchange {
  /** Well under the transport's 16 KiB receive slot (32 KiB chunks were truncated there). */
  private static final int CHUNK_BYTES = 8 * 1024;

  private final SwimConfig config;
  private final Clock clock;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final LocalMember self;
  private final MemberTable table;
  private final StateMerge merge;
  private final Outbox outbox;
  private List<InetSocketAddress> seeds = List.of();
  /** Names remembered from replies, at most (the member table's own bound is far lower). */
  static final int MAX_NAMED = 65_536;
  private final Runnable onJoined;
  private long joinBackoffMillis;
  private Scheduler.Cancellable pushPullTimer;
  private Scheduler.Cancellable joinTimer;
  private boolean healSynced;
  private long lastHealSyncAt;

  /**
   * @param onJoined told once, after the first full state from a member was merged (the node's
   *     view is now as complete as that member's)
   */
  StateExchange(SwimConfig config, Clock clock, Scheduler scheduler, RandomGenerator random, LocalMember self,
      MemberTable table, StateMerge merge, Outbox outbox, Runnable onJoined) {
    this.onJoined = onJoined;
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
    this.random = random;
    this.self = self;
    this.table = table;
    this.merge = merge;
    this.outbox = outbox;
  }

  /** Schedules the periodic exchange and, with seeds, keeps asking them until one answers. */
  void start(long firstDelayMillis, List<InetSocketAddress> seedAddresses) {
    seeds = seedAddresses;
    pushPullTimer = scheduler.schedule(firstDelayMillis, this::pushPullTick);
    if (!self.joined) {
      joinBackoffMillis = Math.min(200, config.joinRetryMaxMillis());
      tryJoin();
    }
  }

  void stop() {
    if (pushPullTimer != null) {
      pushPullTimer.cancel();
    }
    if (joinTimer != null) {
      joinTimer.cancel();
    }
  }

  void onPushPull(InetSocketAddress from, PushPull p) {
    boolean joinedNow = p.reply() && !self.joined;
    if (p.reply() && p.chunk() == 0) {
      self.namedInReplies = new java.util.HashSet<>(); // the latest full state names the members, not all earlier ones
    }
    if (p.reply() && self.namedInReplies.size() < MAX_NAMED) {
      for (Update u : p.updates()) {
        if ((u.kind() == Kind.ALIVE || u.kind() == Kind.SUSPECT) && !u.id().equals(self.id)
            && table.get(u.id()) == null) {
          self.namedInReplies.add(u.id());
        }
      }
    }
    for (Update u : p.updates()) {
      // A remote "dead" is only a reason to suspect: we may know better.
      if (u.kind() == Kind.DEAD) {
        merge.apply(new Update(Kind.SUSPECT, u.id(), null, u.incarnation(), u.from()), from);
      } else {
        merge.apply(u, from);
      }
    }
    if (joinedNow) {
      self.joined = true;
      onJoined.run();
    }
    // Answer after merging, so that the answer carries any refutation the merge caused.
    if (!p.reply() && p.chunk() == 0 && !self.leaving) {
      sendState(from, p.exchange(), false, true);
    }
  }

  /**
   * A member we knew as dead answered its admission probe at a new incarnation: it was cut off
   * from us (a partition) or restarted, so our views differ in more than it. Exchanging states
   * with it at once tells each side which of its members the other holds dead, and they refute;
   * waiting for the periodic exchange (60 s at N = 50) left views split for tens of seconds after
   * a heal. At most one such exchange per probe interval: a healed cut re-admits many at once.
   */
  void syncWithReadmitted(InetSocketAddress member) {
    long now = clock.currentTimeMillis();
    if (!self.running || self.leaving || (healSynced && now - lastHealSyncAt < config.probeIntervalMillis())) {
      return;
    }
    healSynced = true;
    lastHealSyncAt = now;
    sendState(member, random.nextInt(), false, false);
  }

  /** Exchanges full states with a random alive member now (a node whose view is incomplete). */
  void resync() {
    if (!self.running || self.leaving) {
      return;
    }
    List<MemberTable.Record> partner = table.randomMembers(1, m -> m.state == MemberState.ALIVE, null);
    if (!partner.isEmpty()) {
      sendState(partner.get(0).address, random.nextInt(), false, false);
    }
  }

  private void pushPullTick() {
    if (!self.running) {
      return;
    }
    List<MemberTable.Record> partner =
        table.randomMembers(1, m -> m.state == MemberState.ALIVE || m.state == MemberState.DEAD, null);
    if (!partner.isEmpty() && !self.leaving) {
      sendState(partner.get(0).address, random.nextInt(), false, false);
    }
    List<InetSocketAddress> lostSeeds = new ArrayList<>();
    for (InetSocketAddress seed : seeds) {
      if (!table.isAliveAt(seed)) {
        lostSeeds.add(seed);
      }
    }
    if (!lostSeeds.isEmpty() && !self.leaving) {
      sendState(lostSeeds.get(random.nextInt(lostSeeds.size())), random.nextInt(), false, false);
    }
    pushPullTimer = scheduler.schedule(config.pushPullIntervalMillis(table.size() + 1), this::pushPullTick);
  }

  private void tryJoin() {
    if (!self.running || self.joined) {
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

  /** Sends our whole table, in chunks that each merge on their own. */
  private void sendState(InetSocketAddress to, int exchange, boolean join, boolean reply) {
    List<Update> state = new ArrayList<>(table.size() + 1);
    state.add(self.aliveUpdate());
    for (MemberTable.Record m : table.records()) {
      Kind kind =
          switch (m.state) {
            case ALIVE -> Kind.ALIVE;
            case SUSPECT -> Kind.SUSPECT;
            case DEAD -> Kind.DEAD;
            case LEFT -> Kind.LEFT;
          };
      if (kind == Kind.ALIVE) {
        state.add(new Update(kind, m.id, m.address, m.incarnation, self.id));
      } else {
        state.add(new Update(kind, m.id, null, m.incarnation, kind == Kind.LEFT ? m.id : self.id));
      }
    }
    int chunk = 0;
    List<Update> page = new ArrayList<>();
    int bytes = 0;
    for (Update u : state) {
      int size = SwimCodec.size(u);
      if (bytes + size > CHUNK_BYTES && !page.isEmpty()) {
        outbox.send(to, new PushPull(exchange, join, reply, chunk++, page));
        page = new ArrayList<>();
        bytes = 0;
      }
      page.add(u);
      bytes += size;
    }
    outbox.send(to, new PushPull(exchange, join, reply, chunk, page));
  }
}
