package io.kvstore.node.cluster;

import io.kvstore.node.runtime.Scheduler;

import io.kvstore.node.runtime.Network;

import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusGossip;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.runtime.Clock;
import java.util.function.Function;
import io.kvstore.node.transport.InternalMessageHandler;
import io.kvstore.node.transport.KeyRouter;
import io.kvstore.protocol.InternalFrame;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the membership protocol of a real node: one thread owns {@link SwimMembership} (its
 * {@link Scheduler} is that thread's event loop), datagrams from the transport are handed to it,
 * and every change rebuilds the ring that routes keys. The transport reads the ring and the member
 * list from published immutable snapshots, never from protocol state.
 */
public final class ClusterService implements InternalMessageHandler, KeyRouter, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterService.class);
  /** Datagrams waiting for the membership thread; beyond this they are dropped (and counted). */
  private static final int MAX_QUEUED = 10_000;

  private final EventLoop loop =
      new DefaultEventLoop((java.util.concurrent.ThreadFactory) r -> new Thread(r, "membership"));
  private final SwimMembership membership;
  private final int virtualNodes;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final Network network;
  private final Scheduler scheduler;
  private volatile StatusGossip statusGossip;
  private volatile Ring ring;
  private volatile List<Member> snapshot;
  private boolean rebuildScheduled;

  public ClusterService(
      NodeId self,
      InetSocketAddress advertised,
      SwimConfig config,
      Clock clock,
      Network network,
      int virtualNodes) {
    this.virtualNodes = virtualNodes;
    this.network = network;
    this.scheduler =
        (delay, task) -> {
          var future = loop.schedule(task, delay, TimeUnit.MILLISECONDS);
          return () -> future.cancel(false);
        };
    this.membership =
        new SwimMembership(
            self, advertised, config, clock, new SplittableRandom(), network, scheduler);
    membership.addListener(this::onChange);
    rebuild();
  }

  /** Starts the protocol and joins through the seeds (none: this node starts a cluster). */
  public void start(List<InetSocketAddress> seeds) {
    loop.execute(() -> membership.start(seeds));
    if (!seeds.isEmpty()) {
      log.info("joining the cluster through {}", seeds);
    }
  }

  /** Graceful leave: announce it and give the announcement time to spread. */
  public void leave(long waitMillis) {
    try {
      loop.submit(membership::leave).get(1, TimeUnit.SECONDS);
      Thread.sleep(waitMillis);
    } catch (Exception e) {
      log.warn("could not announce the leave; the others will detect it", e);
    }
  }

  /** Takes part in status collection rounds, reporting what {@code reports} returns. */
  public void enableStatusReports(Function<Long, StatusReport> reports) {
    statusGossip =
        new StatusGossip(network, scheduler, new SplittableRandom(), membership::randomAliveAddresses, reports);
  }

  @Override
  public boolean onInternal(byte[] frame, InetSocketAddress sender) {
    int type = frame[InternalFrame.TYPE_OFFSET] & 0xFF;
    if (type == StatusCodec.ROUND) {
      StatusGossip gossip = statusGossip;
      if (gossip != null) {
        enqueue(() -> gossip.onRound(StatusCodec.decodeRound(ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER))));
      }
      return true;
    }
    if (!SwimCodec.handles(type)) {
      return false;
    }
    enqueue(() -> membership.onDatagram(sender, frame));
    return true;
  }

  /** Runs work on the membership thread, dropping it when too much is already waiting. */
  private void enqueue(Runnable work) {
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    loop.execute(
        () -> {
          queued.decrementAndGet();
          try {
            work.run();
          } catch (MalformedMessageException e) {
            dropped.incrementAndGet();
          }
        });
  }

  @Override
  public InetSocketAddress remoteOwner(byte[] key) {
    Ring r = ring;
    Ring.Owner owner = r.ownerOf(key);
    return r.isSelf(owner) ? null : owner.address();
  }

  /** Live members in this node's view (GET_MEMBERSHIP_COUNT). */
  public int liveMembers() {
    return membership.liveCount();
  }

  /** Every member this node knows of, as of the last change. */
  public List<Member> members() {
    return snapshot;
  }

  public NodeId selfId() {
    return membership.selfId();
  }

  /** Runs a query on the membership thread (for tests and tools). */
  public <T> CompletableFuture<T> query(java.util.function.Function<SwimMembership, T> q) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.execute(() -> result.complete(q.apply(membership)));
    return result;
  }

  /**
   * A page of the member list for LIST_MEMBERS: total (uint32 LE), count (uint16 LE), then per
   * member: state (1), incarnation (8 LE), id length (1), id, address length (1), address, port
   * (2 LE). See docs/PROTOCOL.md.
   */
  public byte[] membersPage(int start, int maxBytes) {
    List<Member> all = snapshot;
    ByteBuffer out = ByteBuffer.allocate(maxBytes);
    out.put(le32(all.size()));
    int countAt = out.position();
    out.putShort((short) 0);
    int count = 0;
    for (int i = Math.max(0, start); i < all.size(); i++) {
      Member m = all.get(i);
      byte[] id = m.id().value().getBytes(StandardCharsets.UTF_8);
      byte[] ip = m.address().getAddress().getAddress();
      int size = 1 + 8 + 1 + id.length + 1 + ip.length + 2;
      if (out.remaining() < size || count == 0xFFFF) {
        break;
      }
      out.put((byte) m.state().ordinal());
      out.put(le64(m.incarnation()));
      out.put((byte) id.length).put(id);
      out.put((byte) ip.length).put(ip);
      out.put((byte) m.address().getPort()).put((byte) (m.address().getPort() >>> 8));
      count++;
    }
    out.put(countAt, (byte) count).put(countAt + 1, (byte) (count >>> 8));
    byte[] page = new byte[out.position()];
    out.flip().get(page);
    return page;
  }

  private static byte[] le32(int v) {
    return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
  }

  private static byte[] le64(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  /** Membership thread: coalesce bursts of changes into one ring rebuild. */
  private void onChange(Member before, Member after) {
    if (before == null || after.state() != before.state()) {
      log.info(
          "member {} at {} is now {} (incarnation {})",
          after.id(), after.address(), after.state(), after.incarnation());
    }
    if (!rebuildScheduled) {
      rebuildScheduled = true;
      loop.schedule(
          () -> {
            rebuildScheduled = false;
            rebuild();
          },
          20,
          TimeUnit.MILLISECONDS);
    }
  }

  private void rebuild() {
    List<Member> members = loop.inEventLoop() ? membership.members() : List.of(membership.self());
    snapshot = new ArrayList<>(members);
    ring = Ring.of(members, membership.selfId(), virtualNodes);
  }

  @Override
  public void close() {
    try {
      loop.submit(membership::stop).get(1, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("membership did not stop cleanly", e);
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
