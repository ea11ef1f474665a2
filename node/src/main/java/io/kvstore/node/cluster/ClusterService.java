package io.kvstore.node.cluster;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the membership and routing of a real node ({@link ClusterCore}, sans-IO) on one thread of
 * its own: that thread's event loop is the core's {@link Scheduler}, and membership frames from the
 * node's dispatch table are handed to it. Request pipelines read the ring and the member list from
 * the core's published immutable snapshots, never from protocol state. Other sans-IO cores that
 * share the thread (status gossip) get its {@link #scheduler()} and {@link #execute}.
 */
public final class ClusterService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterService.class);
  /** Datagrams waiting for the membership thread; beyond this they are dropped (and counted). */
  private static final int MAX_QUEUED = 10_000;
  /**
   * And at most these bytes of them (1/32 of the heap): 10,000 queued 16 KiB datagrams would
   * otherwise be 160 MB, and a flood of forged gossip could exhaust a 64 MB heap before the
   * membership thread even decodes it.
   */
  static final long MAX_QUEUED_BYTES = Math.max(1 << 20, Runtime.getRuntime().maxMemory() / 32);

  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "membership");
            t.setDaemon(true);
            return t;
          });
  private final ClusterCore core;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Scheduler scheduler;
  private volatile SwimStats publishedStats = new SwimStats();

  public ClusterService(
      NodeId self,
      InetSocketAddress advertised,
      SwimConfig config,
      Clock clock,
      Network network,
      int virtualNodes) {
    this(self, advertised, config, MembershipLimits.defaults(), clock, network, virtualNodes);
  }

  public ClusterService(
      NodeId self,
      InetSocketAddress advertised,
      SwimConfig config,
      MembershipLimits limits,
      Clock clock,
      Network network,
      int virtualNodes) {
    Scheduler onLoop = Scheduler.on(loop);
    this.scheduler = (delay, task) -> onLoop.schedule(delay, logged(task));
    this.core =
        new ClusterCore(
            self, advertised, config, limits, clock, new SplittableRandom(), network, scheduler,
            virtualNodes);
  }

  /** Starts the protocol and joins through the seeds (none: this node starts a cluster). */
  public void start(List<InetSocketAddress> seeds) {
    start(seeds, () -> { });
  }

  /**
   * Starts the protocol, then runs {@code thenOnLoop} on the membership thread in the same task
   * (before any datagram or timer of the started protocol). Waited for, so that a node without
   * seeds answers keys once this returns (until the core has started, it answers none:
   * {@link ClusterCore#isJoining}).
   */
  public void start(List<InetSocketAddress> seeds, Runnable thenOnLoop) {
    try {
      loop.submit(() -> {
        core.start(seeds);
        thenOnLoop.run();
      }).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("the membership did not start", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the membership thread did not start the membership in 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the membership", e);
    }
    loop.scheduleWithFixedDelay(
        () -> publishedStats = core.membership().stats().copy(), 1, 1, TimeUnit.SECONDS);
    if (!seeds.isEmpty()) {
      log.info("joining the cluster through {}", seeds);
    }
  }

  /** Graceful leave: announce it and give the announcement time to spread. */
  public void leave(long waitMillis) {
    try {
      loop.submit(core::leave).get(1, TimeUnit.SECONDS);
      Thread.sleep(waitMillis);
    } catch (Exception e) {
      log.warn("could not announce the leave; the others will detect it", e);
    }
  }

  /** The membership and routing this service runs; call its protocol methods on its thread only. */
  public ClusterCore core() {
    return core;
  }

  /** The membership thread as a {@link Scheduler}, for cores that share it. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** A membership frame (any of {@link SwimCodec#TYPES}) from the dispatch table; any thread. */
  public void onMembershipFrame(InetSocketAddress from, byte[] frame) {
    execute(() -> core.onMembershipFrame(from, frame), frame.length);
  }

  /** Up to {@code count} random alive members but this node; on the membership thread only. */
  public List<InetSocketAddress> randomAliveAddresses(int count) {
    return core.randomAliveAddresses(count);
  }

  /**
   * Runs work on the membership thread; any thread. Bounded: beyond {@value #MAX_QUEUED} waiting,
   * work is dropped (and counted); work that throws {@link MalformedMessageException} is counted.
   */
  public void execute(Runnable work) {
    execute(work, 0);
  }

  /**
   * Runs work that holds {@code bytes} of a datagram on the membership thread: also bounded by
   * {@link #MAX_QUEUED_BYTES} in all.
   */
  public void execute(Runnable work, int bytes) {
    long bytesAfter = queuedBytes.addAndGet(bytes);
    if (queued.incrementAndGet() > MAX_QUEUED || bytesAfter > MAX_QUEUED_BYTES) {
      queued.decrementAndGet();
      queuedBytes.addAndGet(-bytes);
      dropped.incrementAndGet();
      return;
    }
    try {
      loop.execute(
          logged(
              () -> {
                queued.decrementAndGet();
                queuedBytes.addAndGet(-bytes);
                try {
                  work.run();
                } catch (MalformedMessageException e) {
                  dropped.incrementAndGet();
                }
              }));
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet(); // closed
      queuedBytes.addAndGet(-bytes);
    }
  }

  /** The membership's counters as of at most a second ago; any thread. */
  public SwimStats stats() {
    return publishedStats;
  }

  /** Work dropped because the membership thread was too far behind, or malformed frames. */
  public int droppedDatagrams() {
    return dropped.get();
  }

  /** The executor would keep a task's exception in its future, unseen: log it instead. */
  private static Runnable logged(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("membership task failed", e);
      }
    };
  }

  /** The owner's address if another node owns {@code key}; null if this node does. Any thread. */
  public InetSocketAddress remoteOwner(byte[] key) {
    return core.remoteOwner(key);
  }

  /** Live members in this node's view (GET_MEMBERSHIP_COUNT). */
  public int liveMembers() {
    return core.liveMembers();
  }

  /** Every member this node knows of, as of the last change. */
  public List<Member> members() {
    return core.members();
  }

  public NodeId selfId() {
    return core.selfId();
  }

  /** Runs a query on the membership thread (for tests and tools). */
  public <T> CompletableFuture<T> query(java.util.function.Function<SwimMembership, T> q) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.execute(() -> result.complete(q.apply(core.membership())));
    return result;
  }

  @Override
  public void close() {
    try {
      loop.submit(core::stop).get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("membership did not stop cleanly", e);
    }
    loop.shutdownNow();
    try {
      loop.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
