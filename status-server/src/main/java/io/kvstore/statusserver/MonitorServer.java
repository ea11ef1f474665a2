package io.kvstore.statusserver;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvException;
import io.kvstore.client.MemberList;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.runtime.SystemClock;
import io.kvstore.node.security.FrameAuthenticator;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import io.kvstore.node.runtime.Scheduler;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status server: learns the membership from any seed, starts a collection round every
 * interval at one random live node, takes the reports the round brings in, asks stragglers
 * directly, and serves the dashboard, JSON API and Prometheus metrics.
 */
public final class MonitorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MonitorServer.class);
  private static final int INTAKE_CAPACITY = 50_000;
  static final long CLOSE_TIMEOUT_MILLIS = 5_000;
  /** Bytes of reports waiting to be applied: the worker keeps up, so this only absorbs bursts. */
  private static final long INTAKE_BYTES =
      Math.max(1 << 20, Math.min(8 << 20, Runtime.getRuntime().maxMemory() / 16));

  /**
   * @param seeds nodes to learn the membership from (any live node will do)
   * @param udpBind where nodes send their reports (must be reachable from them)
   * @param interval time between collection rounds
   * @param spreadWindow nodes send their reports at a random time inside this window
   * @param fanout how many members each node passes a round on to
   */
  public record Settings(
      List<InetSocketAddress> seeds,
      String httpBind,
      int httpPort,
      InetSocketAddress udpBind,
      Duration interval,
      Duration spreadWindow,
      int fanout,
      FrameAuthenticator authenticator,
      MonitorSettings view) {

    /** The same with other view settings (e.g. a smaller memory budget inside a node's JVM). */
    public Settings withView(MonitorSettings newView) {
      return new Settings(seeds, httpBind, httpPort, udpBind, interval, spreadWindow, fanout,
          authenticator, newView);
    }
  }

  private final Settings settings;
  private final ClusterView view;
  private final ReportIntake intake;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "monitor-rounds");
            t.setDaemon(true);
            return t;
          });
  private final SplittableRandom random = new SplittableRandom();
  private final List<InetSocketAddress> known = new ArrayList<>();
  private Channel channel;
  private InetSocketAddress udpAddress;
  private StatusHttpServer http;
  private volatile CollectionRounds collection;
  private long rounds;
  private boolean closed; // guarded by this

  private MonitorServer(Settings settings) {
    this.settings = settings;
    this.view = new ClusterView(SystemClock.INSTANCE, settings.view());
    if (!settings.authenticator().enabled()) {
      view.markReportsUnauthenticated();
    }
    this.intake =
        new ReportIntake(settings.authenticator(), INTAKE_CAPACITY, INTAKE_BYTES, this::apply);
    known.addAll(settings.seeds());
  }

  /** Takes a report only once per node, for a recent round, and notes who answered it. */
  private ReportOutcome apply(StatusReport report) {
    if (!view.isMember(report.nodeId())) {
      return ReportOutcome.NOT_A_MEMBER;
    }
    CollectionRounds rounds = collection;
    if (rounds == null || !rounds.isFresh(report.round(), report.nodeId())) {
      return ReportOutcome.STALE_OR_REPLAYED;
    }
    ReportOutcome outcome = view.onReport(report);
    if (outcome == ReportOutcome.ACCEPTED) {
      rounds.onReport(report.round(), report.nodeId(), report.address());
    }
    return outcome;
  }

  /** Starts the UDP intake, the HTTP server and the rounds. */
  public static MonitorServer start(Settings settings) throws InterruptedException {
    if (!settings.authenticator().enabled()) {
      log.warn("status server runs WITHOUT a cluster secret: anyone who can send it a datagram"
          + " can forge reports of members; give it the cluster's secret");
    }
    MonitorServer server = new MonitorServer(settings);
    try {
      server.bind();
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bind() throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, 8 << 20)
            .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_536))
            .handler(
                new SimpleChannelInboundHandler<DatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                    intake.offer(p.content());
                  }
                })
            .bind(settings.udpBind())
            .sync()
            .channel();
    udpAddress = (InetSocketAddress) channel.localAddress();
    collection =
        new CollectionRounds(
            udpAddress,
            this::send,
            Scheduler.on(scheduler),
            new SplittableRandom(),
            (int) settings.spreadWindow().toMillis(),
            settings.fanout());
    http = new StatusHttpServer(view, settings.httpBind(), settings.httpPort());
    http.registerIntake(intake);
    http.counter("kvstore.monitor.rounds.unvouched.withheld", collection,
        CollectionRounds::unvouchedWithheld, "round frames not sent to listed members whose address"
            + " no authenticated report gave (beyond " + CollectionRounds.UNVOUCHED_FRAMES
            + " plus one per vouched member a round)");
    http.start();
    long interval = settings.interval().toMillis();
    scheduler.scheduleAtFixedRate(this::round, 0, interval, TimeUnit.MILLISECONDS);
    scheduler.scheduleAtFixedRate(view::tick, 1, 1, TimeUnit.SECONDS);
    log.info(
        "status server: dashboard on http://{}:{}/ , reports on udp {}, a round every {} ms",
        settings.httpBind(), http.port(), udpAddress, interval);
  }

  /** One collection round: refresh the membership, start the epidemic, repair stragglers. */
  private void round() {
    try {
      List<MemberList.Entry> members = pollMembership();
      if (members.isEmpty()) {
        log.warn("no node answered the membership query (tried {}); retrying next round", known);
        return;
      }
      Map<String, InetSocketAddress> alive = new LinkedHashMap<>();
      members.stream().filter(m -> m.state().equals("alive")).forEach(m -> alive.put(m.id(), m.address()));
      if (collection.start(alive) != 0) {
        rounds++;
        view.onRoundStarted(rounds); // the dashboard shows a count; the wire id stays random
      }
    } catch (RuntimeException e) {
      log.warn("collection round failed; retrying next round", e);
    }
  }

  /** Nodes asked for the membership in one round at most: each silent one costs 1.4 s. */
  static final int MAX_CANDIDATES_PER_ROUND = 8;
  /** How long one node may take to list the whole membership, page by page. */
  static final Duration LISTING_BUDGET = Duration.ofSeconds(10);

  /**
   * The membership as one live node sees it; tries known nodes in random order, a few a round.
   * Known nodes are the seeds and the members whose authenticated report gave their listed
   * address: the list itself is not authenticated, so a forged one must not fill the candidates
   * with addresses that never answer (each would hold the round thread 1.4 s and get datagrams).
   */
  private List<MemberList.Entry> pollMembership() {
    List<InetSocketAddress> candidates = new ArrayList<>(known);
    java.util.Collections.shuffle(candidates, new java.util.Random(random.nextLong()));
    for (InetSocketAddress node : candidates.subList(0, Math.min(MAX_CANDIDATES_PER_ROUND, candidates.size()))) {
      try (KvClient client =
          KvClient.open(
              KvClientConfig.builder().node(node).timeout(Duration.ofMillis(200)).retries(2).build())) {
        List<MemberList.Entry> members =
            client.blocking().listAllMembers(settings.view().maxNodes(), LISTING_BUDGET);
        view.onMembers(
            members.stream()
                .map(m -> new MemberInfo(m.id(), m.address(), m.state(), m.incarnation()))
                .toList());
        known.clear();
        known.addAll(settings.seeds()); // seeds stay candidates: the cluster may restart around them
        if (!known.contains(node)) {
          known.add(node); // it answered
        }
        members.stream()
            .filter(m -> m.state().equals("alive") && !known.contains(m.address())
                && collection.isVouched(m.id(), m.address()))
            .limit(64)
            .forEach(m -> known.add(m.address()));
        return members;
      } catch (KvException e) {
        log.debug("membership query to {} failed: {}", node, e.getMessage());
      }
    }
    return List.of();
  }

  private void send(InetSocketAddress to, byte[] frame) {
    channel.writeAndFlush(
        new DatagramPacket(Unpooled.wrappedBuffer(settings.authenticator().seal(frame)), to));
  }

  public ClusterView view() {
    return view;
  }

  public int httpPort() {
    return http.port();
  }

  public InetSocketAddress udpAddress() {
    return udpAddress;
  }

  public long rounds() {
    return rounds;
  }

  /**
   * Stops everything, each part on its own: one that fails (or was never started) does not keep
   * the others running. Idempotent, and bounded in time: the parts stop on a thread of their own,
   * and after {@link #CLOSE_TIMEOUT_MILLIS} the caller goes on (so a process stops on SIGTERM even
   * if a part hangs; every thread left is a daemon or dies with the process's exit).
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    Thread stopper = new Thread(this::stopParts, "monitor-close");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(CLOSE_TIMEOUT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (stopper.isAlive()) {
      log.warn("the status server did not stop within {} ms; leaving it to the process exit",
          CLOSE_TIMEOUT_MILLIS);
    }
  }

  private void stopParts() {
    quietly("rounds", scheduler::shutdownNow);
    if (http != null) {
      quietly("http", http::stop);
    }
    quietly("intake", intake::close);
    if (channel != null) {
      quietly("udp", () -> channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS));
    }
    quietly("event loop",
        () -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS));
  }

  private static void quietly(String part, Runnable stop) {
    try {
      stop.run();
    } catch (RuntimeException e) {
      log.warn("stopping the status server's {} failed", part, e);
    }
  }
}
