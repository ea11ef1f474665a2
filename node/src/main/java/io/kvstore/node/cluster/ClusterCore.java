package io.kvstore.node.cluster;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership and routing without a thread of its own: the {@link SwimMembership}, and the ring
 * that routes keys, rebuilt (coalesced over {@value #REBUILD_DELAY_MILLIS} ms) on every membership
 * change. Sans-IO: driven through {@link Network}, {@link Scheduler} and {@link Clock}, so a real
 * node ({@link ClusterService} runs it on one thread) and the simulator run the same code. Every
 * method but the snapshot readers ({@link #remoteOwner}, {@link #members}, {@link #liveMembers})
 * must be called on the scheduler's thread; those read immutable snapshots, from any thread.
 */
public final class ClusterCore {
  private static final Logger log = LoggerFactory.getLogger(ClusterCore.class);
  /** Bursts of membership changes within this window cost one ring rebuild. */
  static final long REBUILD_DELAY_MILLIS = 20;
  /** How often a joined node whose view still lacks named members asks for a full state again. */
  static final long RESYNC_MILLIS = 2_000;

  private final SwimMembership membership;
  private final Scheduler scheduler;
  private final int virtualNodes;
  private final long forgetMillis;
  private volatile Ring ring;
  private volatile List<Member> snapshot;
  private boolean rebuildScheduled;
  /**
   * True until {@link #start} has run, and then while a node started with seeds has not settled.
   * A real node's transport serves before its membership thread has run {@link #start} (it binds
   * first): requests in that gap would otherwise be answered from the ring of one it starts with.
   */
  private volatile boolean joining = true;
  private boolean settleTimerSet;

  public ClusterCore(
      NodeId self,
      InetSocketAddress advertised,
      SwimConfig config,
      MembershipLimits limits,
      Clock clock,
      RandomGenerator random,
      Network network,
      Scheduler scheduler,
      int virtualNodes) {
    this.scheduler = scheduler;
    this.virtualNodes = virtualNodes;
    this.forgetMillis = config.deadRetentionMillis();
    this.membership = new SwimMembership(self, advertised, config, limits, clock, random, network, scheduler);
    membership.addListener(this::onChange);
    publish(List.of(membership.self()));
  }

  /** Starts the protocol and joins through the seeds (none: this node starts a cluster). */
  public void start(List<InetSocketAddress> seeds) {
    joining = !seeds.isEmpty();
    membership.start(seeds);
  }

  /**
   * Not started yet (so its ring is itself alone), or started with seeds and not settled yet: no
   * member has sent it a full membership state
   * (push-pull), or some members that state named are not admitted yet (each is probed first), so
   * its ring may hold only some of the members, and its preference lists would name the wrong
   * replicas ("not found" for keys its cluster holds, writes where no reader looks). Such a node
   * answers no key. It settles when its table holds every live member the latest full state named;
   * while it has not, it asks a member for its full state again every {@value #RESYNC_MILLIS} ms
   * (a member that is really gone drops out of the states it gets). Any thread.
   */
  public boolean isJoining() {
    return joining;
  }

  /** Announces a graceful leave. */
  public void leave() {
    membership.leave();
  }

  public void stop() {
    membership.stop();
  }

  /**
   * A membership frame (any of {@link SwimCodec#TYPES}, authenticated, tag removed).
   *
   * @throws MalformedMessageException if it does not decode
   */
  public void onMembershipFrame(InetSocketAddress from, byte[] frame) {
    membership.onDatagram(from, frame);
  }

  private void resyncUntilSettled() {
    if (!joining) {
      return;
    }
    if (membership.namedButUnknown().isEmpty()) {
      rebuildSoon(); // settles at the rebuild
      return;
    }
    log.info("not answering keys yet: members {} named by the cluster are not admitted here;"
        + " asking for the cluster's state again", membership.namedButUnknown());
    membership.resync();
    scheduler.schedule(RESYNC_MILLIS, this::resyncUntilSettled);
  }

  /** Up to {@code count} random alive members but this node. */
  public List<InetSocketAddress> randomAliveAddresses(int count) {
    return membership.randomAliveAddresses(count);
  }

  /** The timers this core runs on, for cores that share its thread (status gossip). */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** The owner's address if another node owns {@code key}; null if this node does. Any thread. */
  public InetSocketAddress remoteOwner(byte[] key) {
    Ring r = ring;
    Ring.Owner owner = r.ownerOf(key);
    return r.isSelf(owner) ? null : owner.address();
  }

  /** The ring as of the last rebuild: replica placement. Any thread. */
  public Ring ring() {
    return ring;
  }

  /** Live members in this node's view (GET_MEMBERSHIP_COUNT). */
  public int liveMembers() {
    return membership.liveCount();
  }

  /** Every member this node knows of, as of the last ring rebuild. Any thread. */
  public List<Member> members() {
    return snapshot;
  }

  public NodeId selfId() {
    return membership.selfId();
  }

  /** The protocol state itself, for queries on the scheduler's thread (tests, tools, simulator). */
  public SwimMembership membership() {
    return membership;
  }

  private void onChange(Member before, Member after) {
    if (before == null || after.state() != before.state()) {
      log.info(
          "member {} at {} is now {} (incarnation {})",
          after.id(), after.address(), after.state(), after.incarnation());
    }
    if (!after.state().isLive()) {
      // Forgetting a member notifies nobody; its place on the ring goes at the next rebuild.
      scheduler.schedule(forgetMillis + REBUILD_DELAY_MILLIS, this::rebuildSoon);
    }
    rebuildSoon();
  }

  private void rebuildSoon() {
    if (!rebuildScheduled) {
      rebuildScheduled = true;
      scheduler.schedule(
          REBUILD_DELAY_MILLIS,
          () -> {
            rebuildScheduled = false;
            publish(membership.members());
          });
    }
  }

  private void publish(List<Member> members) {
    snapshot = new ArrayList<>(members);
    ring = Ring.of(members, membership.selfId(), virtualNodes);
    if (joining && membership.isJoined()) {
      if (!settleTimerSet) {
        settleTimerSet = true;
        scheduler.schedule(RESYNC_MILLIS, this::resyncUntilSettled);
      }
      if (membership.namedButUnknown().isEmpty()) {
        joining = false; // this ring holds every member the cluster named: keys may be answered
        log.info("joined: {} members known; answering keys", members.size());
      }
    }
  }
}
