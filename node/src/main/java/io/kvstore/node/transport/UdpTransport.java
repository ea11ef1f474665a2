package io.kvstore.node.transport;

import io.kvstore.node.request.PipelineWiring;
import io.kvstore.node.request.ReplyCache;
import io.kvstore.node.request.RequestPipeline;
import io.kvstore.node.request.RequestStats;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.security.FrameAuthenticator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's UDP front end on Netty: the outermost layer, which binds the sockets and runs one
 * sans-IO {@link RequestPipeline} per socket through a thin {@link PipelineHandler}. On Linux it uses native epoll with one socket per event loop
 * sharing the port (SO_REUSEPORT: the kernel spreads sources across sockets and keeps each source
 * on one socket, so each reply cache sees all retransmissions of its sources) and batched
 * receive (recvmmsg). Elsewhere it falls back to one NIO socket.
 */
public final class UdpTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdpTransport.class);
  /**
   * Receive slot per datagram: 16 KiB and one sentinel byte. The largest well-formed request is
   * 15,051 bytes; anything beyond 16 KiB is padding, which the protocol ignores, so a longer
   * datagram decodes the same. The kernel truncates a longer datagram to the slot silently; the
   * sentinel makes it visible (a datagram that fills the slot was longer than 16 KiB), so the
   * pipeline can count it ({@link io.kvstore.node.request.OversizedDatagrams}).
   */
  public static final int DATAGRAM_SLOT = io.kvstore.node.request.OversizedDatagrams.LIMIT + 1;
  private static final int DATAGRAMS_PER_RECEIVE = 16;
  /**
   * Datagrams per read batch (Netty counts each datagram of a recvmmsg as one message): many more
   * than a pipeline executes per batch, so that under overload the loop empties its socket each
   * time round, answering the excess 0x03, rather than leaving the kernel to drop it.
   */
  private static final int DATAGRAMS_PER_BATCH = 1024;
  private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
  /**
   * Bytes a socket may hold unsent in Netty's queue (the kernel refused more: EAGAIN) before it
   * drops what it would send (counted, {@code datagrams.unsent}); far above one batch's replies
   * (at most 64 executed requests of 15 KB plus 17-byte answers), so only a stuck socket reaches it.
   */
  static final int UNSENT_HIGH_BYTES = 8 * 1024 * 1024;
  /**
   * Buffers of the sockets, pooled. Each receive takes one buffer of 16 slots (256 KiB) for its
   * recvmmsg; Netty 4.2's default (adaptive) allocator does not pool buffers that large and falls
   * back to a new {@code ByteBuffer.allocateDirect} per receive, which zero-fills all 256 KiB:
   * 17% of the event loop's CPU in an open loop at 50k GET/s, where a receive returns a few
   * datagrams (BENCHMARKS.md, issue 12). The pooled allocator hands the same memory back.
   */
  private static final ByteBufAllocator SOCKET_BUFFERS = new PooledByteBufAllocator(true);
  private final EventLoopGroup group;
  private final List<Channel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final RequestStats stats;
  private final List<ReplyCache> caches = new ArrayList<>();
  private final boolean nativeEpoll;
  private final boolean busyPolling;

  private final FrameAuthenticator authenticator;
  private volatile KernelUdpDrops kernelDrops;

  private UdpTransport(EventLoopGroup group, RequestStats stats, boolean nativeEpoll,
      boolean busyPolling, FrameAuthenticator authenticator) {
    this.group = group;
    this.stats = stats;
    this.nativeEpoll = nativeEpoll;
    this.busyPolling = busyPolling;
    this.authenticator = authenticator;
  }

  /**
   * The event loops' I/O: epoll, where each loop after a datagram or a wake-up polls epoll without
   * blocking for {@code idleSpinMicros} more before it sleeps in epoll_wait ({@link SpinThenSleep};
   * 0: sleep at once), or with {@code busyPoll} polls without a timeout forever (Netty's
   * {@link SelectStrategy#BUSY_WAIT}), so that a datagram is read as soon as it arrives, without
   * the wake-up of a sleeping thread; timers and tasks still run between two polls. NIO otherwise.
   */
  static IoHandlerFactory ioHandlerFactory(boolean epoll, boolean busyPoll, int idleSpinMicros) {
    if (!epoll) {
      return NioIoHandler.newFactory();
    }
    if (busyPoll) {
      return EpollIoHandler.newFactory(0, BUSY_WAIT);
    }
    return idleSpinMicros > 0
        ? EpollIoHandler.newFactory(0, SpinThenSleep.factory(idleSpinMicros))
        : EpollIoHandler.newFactory();
  }

  /** Always busy-wait, tasks pending or not: the loop never blocks. */
  static final SelectStrategyFactory BUSY_WAIT =
      () -> (selectSupplier, hasTasks) -> SelectStrategy.BUSY_WAIT;

  /**
   * Sends a node-to-node frame (sealed with the cluster secret, if any). Safe from any thread;
   * never blocks.
   */
  public void sendInternal(InetSocketAddress to, byte[] frame) {
    Channel channel = channels.get(0);
    if (!channel.isWritable()) {
      stats.unsent.increment();
      return;
    }
    channel.writeAndFlush(
        new DatagramPacket(Unpooled.wrappedBuffer(authenticator.seal(frame)), to),
        channel.voidPromise());
  }

  /** Binds the port and starts serving. Fails with a clear message if the port is taken. */
  public static UdpTransport start(TransportSettings settings, PipelineWiring wiring)
      throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    int sockets = epoll ? settings.ioThreads() : 1;
    boolean fixedPort = settings.bindAddress().getPort() != 0;
    if (fixedPort) {
      PortExclusivity.probe(settings.bindAddress()); // one process per port: see PortExclusivity
    }
    boolean busyPoll = settings.busyPoll() && epoll;
    if (settings.busyPoll() && !epoll) {
      log.warn("busy-poll needs native epoll; the NIO fallback sleeps in select as usual");
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(
            sockets, ioHandlerFactory(epoll, busyPoll, settings.idleSpinMicros()));
    UdpTransport transport =
        new UdpTransport(group, wiring.stats(), epoll, busyPoll, wiring.dispatch().authenticator());
    long cachePerSocket = replyCacheBudget(settings.replyCacheBytes()) / sockets;
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
            .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
            .option(ChannelOption.ALLOCATOR, SOCKET_BUFFERS)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(UNSENT_HIGH_BYTES / 2, UNSENT_HIGH_BYTES))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ReplyCache cache =
                        new ReplyCache(
                            (int) Math.min(Integer.MAX_VALUE, cachePerSocket),
                            settings.pipeline().replyRetentionMillis());
                    synchronized (transport.caches) {
                      transport.caches.add(cache);
                    }
                    ch.pipeline()
                        .addLast(
                            new PipelineHandler(
                                (loop, sink, local) ->
                                    new RequestPipeline(wiring, cache, loop, sink, local),
                                settings.bindAddress(),
                                epoll && SegmentedDatagramPacket.isSupported(),
                                wiring.stats().unsent));
                  }
                });
    if (epoll) {
      bootstrap
          .channel(EpollDatagramChannel.class)
          .option(EpollChannelOption.SO_REUSEPORT, true)
          .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM_SLOT)
          .option(
              ChannelOption.RECVBUF_ALLOCATOR,
              new StopAtShortReceive(DATAGRAM_SLOT * DATAGRAMS_PER_RECEIVE, DATAGRAMS_PER_BATCH));
    } else {
      bootstrap
          .channel(NioDatagramChannel.class)
          .option(
              ChannelOption.RECVBUF_ALLOCATOR,
              new FixedRecvByteBufAllocator(65_536)
                  .respectMaybeMoreData(false)
                  .maxMessagesPerRead(DATAGRAMS_PER_BATCH));
    }
    try {
      for (int i = 0; i < sockets; i++) {
        transport.channels.add(bootstrap.bind(settings.bindAddress()).sync().channel());
      }
      if (epoll && fixedPort) {
        transport.requireExclusive(settings.bindAddress());
      }
    } catch (Exception e) {
      transport.close();
      if (hasCause(e, java.net.BindException.class)) {
        throw new PortUnavailableException(settings.bindAddress(), e);
      }
      throw new IllegalStateException("could not start the UDP transport: " + e, e);
    }
    transport.kernelDrops =
        new KernelUdpDrops(((InetSocketAddress) transport.channels.get(0).localAddress()).getPort());
    log.info(
        "listening on udp {} ({} socket{}, {}{})",
        settings.bindAddress(),
        sockets,
        sockets == 1 ? "" : "s",
        epoll ? "native epoll" : "NIO",
        busyPoll
            ? ", busy-poll: each event loop keeps a core busy"
            : epoll && settings.idleSpinMicros() > 0
                ? ", polling " + settings.idleSpinMicros() + " µs before sleeping"
                : "");
    return transport;
  }

  /**
   * After binding: no other process may share the port (two nodes started at once both pass the
   * probe). Then every 10 s: a process that joined later is reported, loudly.
   */
  private void requireExclusive(InetSocketAddress address) throws java.net.BindException {
    List<Integer> fds = new ArrayList<>();
    for (Channel ch : channels) {
      fds.add(((EpollDatagramChannel) ch).fd().intValue());
    }
    java.util.Set<Long> ours = PortExclusivity.inodesOf(fds);
    if (ours.size() != fds.size()) {
      return; // no /proc: the probe is all we can do
    }
    List<Long> foreign = PortExclusivity.foreignSockets(address, ours);
    if (!foreign.isEmpty()) {
      throw new java.net.BindException(
          "another process bound the same port at the same time (socket inodes " + foreign + ")");
    }
    long[] reported = {0};
    group.scheduleAtFixedRate(
        () -> {
          List<Long> now = PortExclusivity.foreignSockets(address, ours);
          if (!now.isEmpty() && now.hashCode() != reported[0]) {
            log.error(
                "another process shares udp {} with this node (SO_REUSEPORT, same user; socket"
                    + " inodes {}) and receives part of its traffic: stop it", address, now);
          }
          reported[0] = now.isEmpty() ? 0 : now.hashCode();
        },
        10, 10, TimeUnit.SECONDS);
  }

  /**
   * The reply cache lives in direct memory, which the JVM caps (by default at the heap size): a
   * cache that does not fit is shrunk to half the cap, with a warning, rather than failing.
   */
  private static long replyCacheBudget(long configured) {
    long max = io.netty.util.internal.PlatformDependent.maxDirectMemory();
    if (max > 0 && configured > max / 2) {
      log.warn(
          "reply-cache {} MB does not fit in {} MB of direct memory; using {} MB."
              + " Raise -XX:MaxDirectMemorySize (./kvstore sets 256m) to keep replies longer.",
          configured >> 20, max >> 20, (max / 2) >> 20);
      return max / 2;
    }
    return configured;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Datagrams the kernel dropped because a receive buffer of this node's sockets was full (they
   * never reached the node); -1 where the kernel does not say. Reads /proc: call it seldom.
   */
  public long kernelReceiveDrops() {
    KernelUdpDrops drops = kernelDrops;
    return drops == null ? -1 : drops.total();
  }

  public boolean isNativeEpoll() {
    return nativeEpoll;
  }

  /** The event loops spin on epoll instead of sleeping in it (busy-poll, native epoll only). */
  public boolean isBusyPolling() {
    return busyPolling;
  }

  public RequestStats stats() {
    return stats;
  }

  /** Sum over sockets of reply-cache segments reused before the promised retention. */
  public long replyCacheEarlyEvictions() {
    synchronized (caches) {
      return caches.stream().mapToLong(ReplyCache::earlyEvictions).sum();
    }
  }

  @Override
  public void close() {
    for (Channel ch : channels) {
      ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }
}
