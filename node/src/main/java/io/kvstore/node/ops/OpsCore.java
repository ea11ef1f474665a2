package io.kvstore.node.ops;

import io.kvstore.node.ops.run.OperationRunner;
import io.kvstore.node.ops.seen.SeenOperations;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.sources.SourceBuckets;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * A node's fleet operations, assembled: replay memory, verifier and dissemination over the
 * node's ports. Frames are handled on the membership thread ({@link #onFrame}); client
 * submissions are verified on the event loop that received them ({@link #submit}) and then
 * handed to the membership thread to spread.
 */
public final class OpsCore {
  /**
   * Signature checks for submissions per second at most; beyond, 0x03. Only submissions that
   * reach the check (well-formed, trusted key) count.
   */
  static final int SUBMITS_PER_SECOND = 32;
  /**
   * Of those, one source address (an IPv6 /64) may ask for this many per second, with a burst of
   * {@link #SUBMIT_BURST_PER_SOURCE}: one client flooding forged submissions cannot spend the whole
   * node's checks and keep an operator elsewhere out (an operator's CLI submits one per command).
   */
  static final int SUBMITS_PER_SOURCE_PER_SECOND = 4;
  static final int SUBMIT_BURST_PER_SOURCE = 8;
  /** Sources the per-source budget remembers at once (a fixed table; evictions counted). */
  static final int SUBMIT_SOURCES = 1024;
  private static final long NANOS_PER_SOURCE_CHECK = 1_000_000_000L / SUBMITS_PER_SOURCE_PER_SECOND;

  private final OpsConfig config;
  private final Clock clock;
  private final OpsStats stats = new OpsStats();
  private final SeenOperations seen;
  private final OperationVerifier verifier;
  private final OpsDissemination dissemination;
  private final Executor clusterThread;
  private final SourceBuckets perSource;
  private long windowStartNanos;
  private int submitsInWindow;

  /**
   * @param store where accepted operations are remembered across restarts
   * @param runner runs operations that target this node (membership thread)
   * @param scheduler the membership thread's timers
   * @param clusterThread runs work on the membership thread (from any thread)
   */
  public OpsCore(OpsConfig config, String selfId, Map<String, String> labels, SeenStore store,
      OperationRunner runner, OpsMembers members, Network network, Scheduler scheduler, Clock clock,
      RandomGenerator random, Executor clusterThread) {
    this.config = config;
    this.clock = clock;
    this.clusterThread = clusterThread;
    this.seen = new SeenOperations(config.maxActive(), clock, store, config.maxTtlMillis() + config.maxClockSkewMillis());
    this.verifier = new OperationVerifier(config, clock, seen, selfId, labels, stats);
    this.dissemination =
        new OpsDissemination(config, verifier, seen, runner, members, network, scheduler, random, stats);
    this.perSource = new SourceBuckets(SUBMIT_BURST_PER_SOURCE * NANOS_PER_SOURCE_CHECK, SUBMIT_SOURCES, clock);
    this.windowStartNanos = clock.nanoTime();
  }

  /** Starts the digest rounds (on the membership thread). */
  public void start() {
    dissemination.start();
  }

  public void stop() {
    dissemination.stop();
  }

  /** An authenticated OP, DIGEST or WANT frame; membership thread. */
  public void onFrame(InetSocketAddress from, byte[] frame) {
    dissemination.onFrame(from, frame);
  }

  /**
   * OPS_SUBMIT from a client: verifies (and remembers) the operation on the calling thread; an
   * accepted one is spread from the membership thread. Returns the verdict, or null when too many
   * signature checks were asked for this second, by this source or by all (the client is told
   * 0x03 and may retry).
   */
  public OperationVerifier.Verdict submit(byte[] operation, InetSocketAddress from) {
    OperationVerifier.Verdict verdict = verifier.verify(operation, from, () -> admitSubmission(from));
    if (verdict == null) {
      stats.submitsThrottled.increment();
      return null;
    }
    if (verdict.accepted()) {
      dissemination.submitted(verdict);
      clusterThread.execute(dissemination::drainSubmitted);
    }
    return verdict;
  }

  /** The source's budget first (so a flooding source spends only its own), then the node's. */
  private boolean admitSubmission(InetSocketAddress from) {
    if (from != null && from.getAddress() != null && !perSource.tryCharge(from.getAddress(), NANOS_PER_SOURCE_CHECK)) {
      stats.submitsThrottledPerSource.increment();
      return false;
    }
    return admitNodeWide();
  }

  private synchronized boolean admitNodeWide() {
    long now = clock.nanoTime();
    if (now - windowStartNanos >= 1_000_000_000L) {
      windowStartNanos = now;
      submitsInWindow = 0;
    }
    return ++submitsInWindow <= SUBMITS_PER_SECOND;
  }

  public OpsStats stats() {
    return stats;
  }

  /** Sources dropped from the per-source submission table while in debt (they start again with a full burst). */
  public long submitSourcesEvicted() {
    return perSource.evictions();
  }

  /** The held operations and replay memory. */
  public SeenOperations seen() {
    return seen;
  }

  public OpsConfig config() {
    return config;
  }
}
