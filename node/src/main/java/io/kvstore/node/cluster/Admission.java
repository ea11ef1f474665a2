package io.kvstore.node.cluster;

import io.kvstore.node.cluster.SwimMessage.Ack;
import io.kvstore.node.cluster.SwimMessage.Ping;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Scheduler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Admission control: a member we do not know, or know as dead or left, becomes alive in our view
 * only after it answers a direct probe at the address claimed for it, naming its own id, and
 * then at the incarnation it states itself in that ack. So a datagram listing fake members adds
 * none (they never answer), cannot resurrect a crashed node, and cannot put absurd incarnations
 * into the view. Candidates wait in a bounded table, and probes go out at a bounded rate; claims
 * beyond the rate or the table wait, in a second table of the same bound, for their turn instead
 * of being dropped until gossip happens to repeat them (a node joining thousands heard of most
 * members once, while its rate was spent).
 */
final class Admission {
  private final SwimConfig config;
  private final MembershipLimits limits;
  private final Clock clock;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final LocalMember self;
  private final Outbox outbox;
  private final SwimStats stats;
  /**
   * Probes out, by claimed id and address (a false address claimed first must not block the true
   * one) and by nonce.
   */
  private final PendingCandidates pending = new PendingCandidates();
  /** Most candidates pending at once since the tables were last made anew. */
  private int peakPending;
  private Consumer<Update> admit = u -> {};
  /** Offers a deferred claim again, if its member still needs admitting (the state merge decides). */
  private Consumer<Update> reoffer = u -> {};
  /** Claims that found no token or no room, oldest first; at most {@code maxPending}. */
  private final ArrayDeque<Update> deferred = new ArrayDeque<>();
  private Set<Claim> deferredClaims = new HashSet<>();
  private int peakDeferred;
  private Scheduler.Cancellable drainTimer;
  private double tokens;
  private long refilledAt;

  Admission(SwimConfig config, MembershipLimits limits, Clock clock, Scheduler scheduler, RandomGenerator random,
      LocalMember self, Outbox outbox, SwimStats stats) {
    this.config = config;
    this.limits = limits;
    this.clock = clock;
    this.scheduler = scheduler;
    this.random = random;
    this.self = self;
    this.outbox = outbox;
    this.stats = stats;
    this.tokens = burst();
    this.refilledAt = clock.currentTimeMillis();
  }

  /** Where a candidate goes once its probe is answered (the member table's merge). */
  void onAdmitted(Consumer<Update> admit) {
    this.admit = admit;
  }

  /** Where a deferred claim goes when its turn comes (the merge, which offers it again if still needed). */
  void onTurnOfDeferred(Consumer<Update> reoffer) {
    this.reoffer = reoffer;
  }

  /** Claims waiting for a token or for room in the pending table. */
  int deferred() {
    return deferred.size();
  }

  int pending() {
    return pending.size();
  }

  /**
   * A lost probe or ack of a member we knew at the claimed address is tried again this many
   * times: each refutation reaches a node only a few times, so after a healed partition a single
   * lost datagram left the member dead in that view until the next push-pull (60 s at N = 50).
   * Strangers get one probe: forged claims cost no more than before.
   */
  static final int KNOWN_ADDRESS_ATTEMPTS = 3;

  /** Pending tables that held more than this are made anew once empty. */
  private static final int SMALL_TABLE = 64;

  /** How often deferred claims are looked at while some wait: 20 tokens at the default rate. */
  static final long DRAIN_INTERVAL_MILLIS = 100;

  /** Offers an alive claim about a member not alive in our view; probes it if room and rate allow. */
  void offer(Update claim) {
    offer(claim, false);
  }

  /**
   * As {@link #offer(Update)}; {@code knownAddress}: we knew this member (dead or left) at the
   * claimed address, so a probe lost on the way is retried, each retry within the same rate.
   */
  void offer(Update claim, boolean knownAddress) {
    if (pending.byClaim(claim.id(), claim.address()) != null) {
      return; // its probe is out; the ack will state its incarnation
    }
    boolean full = pending.size() >= limits.maxPending();
    if (full || !takeToken()) {
      Claim key = new Claim(claim.id(), claim.address());
      if (!deferredClaims.contains(key) && deferred.size() < limits.maxPending()) {
        deferred.add(claim);
        deferredClaims.add(key);
        peakDeferred = Math.max(peakDeferred, deferred.size());
        stats.admissionsDeferred++;
        if (drainTimer == null) {
          drainTimer = scheduler.schedule(DRAIN_INTERVAL_MILLIS, this::drainDeferred);
        }
      } else if (full) {
        stats.pendingFull++;
      } else {
        stats.admissionsRateLimited++;
      }
      return;
    }
    int nonce = random.nextInt();
    while (pending.byNonce(nonce) != null) {
      nonce = random.nextInt();
    }
    Candidate c = new Candidate(claim.id(), claim.address(), nonce, knownAddress ? KNOWN_ADDRESS_ATTEMPTS : 1);
    pending.add(c);
    peakPending = Math.max(peakPending, pending.size());
    probe(c);
  }

  /** Offers deferred claims again, oldest first, while tokens and room last. */
  private void drainDeferred() {
    drainTimer = null;
    if (!self.running) {
      return;
    }
    for (int n = deferred.size(); n > 0 && !deferred.isEmpty() && pending.size() < limits.maxPending()
        && hasToken(); n--) {
      Update claim = deferred.poll();
      deferredClaims.remove(new Claim(claim.id(), claim.address()));
      reoffer.accept(claim); // takes the token, unless the member was admitted meanwhile
    }
    if (deferred.isEmpty()) {
      if (peakDeferred > SMALL_TABLE) {
        deferredClaims = new HashSet<>(); // a HashSet never shrinks either
        peakDeferred = 0;
      }
    } else {
      drainTimer = scheduler.schedule(DRAIN_INTERVAL_MILLIS, this::drainDeferred);
    }
  }

  private void probe(Candidate c) {
    c.attemptsLeft--;
    stats.admissionProbes++;
    // No piggyback: nothing about the cluster goes to an address nobody vouched for yet.
    outbox.send(c.address, new Ping(c.nonce, c.id, self.aliveUpdate(), List.of()));
    c.expiry = scheduler.schedule(config.probeIntervalMillis(), () -> expire(c));
  }

  /**
   * Consumes the ack of an admission probe: true if {@code ack} answered one (from the probed
   * address), whether or not it admitted the member.
   */
  boolean onAck(InetSocketAddress from, Ack ack) {
    Candidate c = pending.byNonce(ack.seq());
    if (c == null || !c.address.equals(from)) {
      return false;
    }
    remove(c);
    for (Update u : ack.updates()) {
      if (u.kind() == Kind.ALIVE && u.id().equals(c.id) && c.address.equals(u.address())) {
        // Its own word about itself, as decoded (and possibly shared: WireNames#update).
        admit.accept(c.id.equals(u.from()) ? u : new Update(Kind.ALIVE, c.id, c.address, u.incarnation(), c.id));
        return true;
      }
    }
    stats.admissionsFailed++; // it answered but did not say who it is: not one of us
    return true;
  }

  private void expire(Candidate c) {
    if (pending.byClaim(c.id, c.address) == c) {
      if (c.attemptsLeft > 0) {
        if (takeToken()) {
          probe(c); // same nonce: a late ack to an earlier attempt still counts
          return;
        }
        stats.admissionsRateLimited++;
      }
      remove(c);
      stats.admissionsFailed++;
    }
  }

  private void remove(Candidate c) {
    pending.remove(c);
    if (pending.isEmpty() && peakPending > SMALL_TABLE) {
      // The tables of a join's burst (up to maxPending) would stay at their peak size.
      pending.shrinkIfEmpty();
      peakPending = 0;
    }
    // An answered candidate is not kept for its timer's full second: a node joining a cluster
    // of thousands probes them all within that second.
    c.expiry.cancel();
  }

  private boolean takeToken() {
    if (!hasToken()) {
      return false;
    }
    tokens--;
    return true;
  }

  private boolean hasToken() {
    long now = clock.currentTimeMillis();
    int rate = limits.admissionsPerSecond();
    tokens = Math.min(burst(), tokens + Math.max(0, now - refilledAt) * rate / 1000.0);
    refilledAt = now;
    return tokens >= 1;
  }

  /**
   * A full pending table at once: a node joining a large cluster learns every member from its
   * seed's state and must probe them all; the rate bounds a sustained flood.
   */
  private int burst() {
    return Math.max(limits.admissionsPerSecond(), limits.maxPending());
  }

  private record Claim(NodeId id, InetSocketAddress address) {}

  static final class Candidate {
    final NodeId id;
    final InetSocketAddress address;
    final int nonce;
    int attemptsLeft;
    Scheduler.Cancellable expiry;

    Candidate(NodeId id, InetSocketAddress address, int nonce, int attempts) {
      this.id = id;
      this.address = address;
      this.nonce = nonce;
      this.attemptsLeft = attempts;
    }
  }
}
