package io.kvstore.node.request;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.storage.StorageException;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.DecodedRequest;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.RequestDecoder;
import io.kvstore.protocol.ResponseCode;
import io.kvstore.node.replication.Coordinator;
import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.replication.ReplicationStats;
import io.kvstore.node.replication.ReplicationWiring;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path of one socket, sans-IO: datagrams in ({@link #onDatagram}), datagrams out
 * (through a {@link DatagramSink}), timers through a {@link Scheduler}, time through a
 * {@link Clock}. Stages: decode → who is heard ({@link DatagramScreen}: not itself, not a member
 * speaking the client protocol, sources in allow-clients) → internal frames to
 * the {@link InternalDispatch} → at-most-once {@link ReplyCache} → {@link Admission} → queue or
 * shed (0x03) → execute: a key whose replicas are on other nodes is coordinated by this node's
 * {@link Coordinator} (quorum writes and reads; the reply is sent when they complete), anything
 * else by the {@link CommandExecutor} (execute and encode) → reply budget (a reply the client's source cannot pay for goes out as a
 * 17-byte 0x03).
 *
 * <p>Overload: each batch executes at most {@code batchSize} requests; the rest wait in a bounded
 * {@link RequestQueue}, drained {@code batchSize} at a time by a task scheduled through the
 * {@link Scheduler} — a timer, not an immediate task, so that the loop reads its socket between
 * two drains. A request that waited longer than {@code maxQueueMillis} is answered 0x03
 * unexecuted, so full service returns that soon after a burst. Reading therefore keeps up with arrivals however slow execution is, and when the
 * queue is full the excess is answered 0x03 at once (17 bytes, nothing executed) instead of
 * overflowing the kernel's socket buffer silently. Writes of a batch are made durable together
 * (group commit) before its replies are flushed.
 *
 * <p>Single-threaded: every method runs on the pipeline's thread.
 */
public final class RequestPipeline {
  private static final Logger log = LoggerFactory.getLogger(RequestPipeline.class);
  private final PipelineSettings settings;
  private final RequestStats stats;
  private final Clock clock;
  private final InternalDispatch dispatch;
  private final ClientCoordination coordination;
  private final ReplicationStats replicationStats;
  private final BooleanSupplier joining;
  private final ReplyCache replyCache;
  private final Admission admission;
  private final CommandExecutor executor;
  private final RequestQueue queue;
  private final Scheduler loop;
  private final NodeControl node;
  private final ClientSources sources;
  private final DatagramScreen screen;
  private final DecodedRequest decoded = new DecodedRequest();
  private final ClientRequest request = new ClientRequest();
  private final ClientReplies replies;
  private final BatchedPuts puts;
  private final ByteBuffer out;
  private final Runnable drainTask = this::drain;

  private int executedThisBatch;
  private boolean drainScheduled;

  /**
   * @param replyCache this pipeline's own (the kernel keeps each source on one socket)
   * @param loop this pipeline's thread: drains and relays run there
   * @param localAddress the socket's address, to drop datagrams that claim to come from it
   */
  public RequestPipeline(PipelineWiring wiring, ReplyCache replyCache, Scheduler loop,
      DatagramSink sink, InetSocketAddress localAddress) {
    this.settings = wiring.settings();
    this.stats = wiring.stats();
    this.clock = wiring.clock();
    this.node = wiring.node();
    this.sources = wiring.sources();
    this.replyCache = replyCache;
    this.loop = loop;
    this.admission = new Admission(settings.adminAllowList(), stats);
    this.executor = new CommandExecutor(wiring.service(), wiring.node(), stats);
    this.replies = new ClientReplies(sink, sources, stats, clock,
        new ErrorReplyLimiter(settings.errorRepliesPerSecond(), settings.errorRepliesPerSecond()));
    this.out = replies.buffer();
    this.puts = new BatchedPuts(Math.max(1, settings.batchSize()), wiring.service(), replyCache,
        replies, stats, this::recordLatency);
    this.queue = new RequestQueue(settings.queueCapacity(), settings.queueBytes());
    ReplicationWiring replication = wiring.replication();
    this.replicationStats = replication.stats();
    this.joining = replication.joining();
    this.screen = new DatagramScreen(localAddress, replication.ring(), sources,
        wiring.dispatch().authenticator(), stats, clock);
    Scheduler flushingLoop = new Scheduler() {
      @Override
      public Cancellable schedule(long delayMillis, Runnable task) {
        return loop.schedule(delayMillis, () -> runAndFlush(task));
      }

      @Override
      public void execute(Runnable task) {
        loop.execute(() -> runAndFlush(task));
      }
    };
    Coordinator coordinator =
        new Coordinator(replication.registry().nextIndex(), replication.config(), replication.ring(),
            replication.replica(), replication.hlc(), clock, flushingLoop, this::sendInternal,
            replication.hints(), replication.stats(), replication.firstOperation());
    replication.registry().register(coordinator.index(), coordinator, flushingLoop::execute);
    this.coordination =
        new ClientCoordination(coordinator, replicationStats, executor,
            new ClientCoordination.Replies() {
              @Override
              public void coordinated(ClientCoordination.PendingReply p, ResponseCode code, byte[] value) {
                finishCoordinated(p, code, value);
              }

              @Override
              public void overloaded(ClientRequest r) {
                stats.overloaded.increment();
                replies.code(r, ResponseCode.OVERLOAD);
              }
            });
    ReplicaAnswers replica =
        new ReplicaAnswers(replication.replica(), replyCache, clock, executor, sources,
            wiring.dispatch().authenticator().enabled(), replicationStats, this::sendInternal);
    this.dispatch =
        wiring.dispatch().extend()
            .register(ReplicaFrames.WRITE, replica::onWrite)
            .register(ReplicaFrames.READ, replica::onRead);
  }

  /**
   * One datagram from {@code from}: the bytes between position and limit, valid only during the
   * call (whatever must wait is copied).
   */
  public void onDatagram(InetSocketAddress from, ByteBuffer datagram) {
    stats.received.increment();
    if (!screen.hearsUndecoded(from, datagram.remaining())) {
      return;
    }
    try {
      RequestDecoder.decode(datagram, decoded);
      if (!screen.hears(decoded.outcome(), from)) {
        return;
      }
      switch (decoded.outcome()) {
        case DROP -> stats.tooShort.increment();
        case INTERNAL -> {
          puts.commit(); // replica frames and streams use the store: in arrival order
          dispatch.onDatagram(from, datagram);
        }
        case REJECT -> {
          stats.rejected.increment();
          replies.error(from, datagram, decoded.errorCode());
        }
        case CLIENT_REQUEST -> onClientRequest(request.fill(decoded, from));
      }
    } catch (RuntimeException e) {
      stats.internalFailures.increment();
      log.error("datagram from {} failed", from, e);
    }
  }

  /** The end of a read batch: make its writes durable, send its replies, drain the rest later. */
  public void endBatch() {
    executedThisBatch = 0;
    puts.commit();
    if (!makeWritesDurable()) {
      return;
    }
    if (replies.waiting()) {
      replies.flush();
    }
    if (!queue.isEmpty()) {
      scheduleDrain();
    }
  }

  /** The socket closed: forget what is queued. */
  public void close() {
    queue.clear();
  }

  /** Requests waiting to execute. */
  public int queued() {
    return queue.size();
  }

  private void onClientRequest(ClientRequest r) {
    ResponseCode refusal = admission.refusal(r);
    if (refusal != null) {
      replies.code(r, refusal);
      return;
    }
    if (r.cached() && answerFromCache(r)) {
      return;
    }
    if (queue.isEmpty() && executedThisBatch < settings.batchSize()) {
      execute(r);
    } else if (queue.offer(r, clock.nanoTime())) {
      scheduleDrain();
    } else {
      stats.overloaded.increment();
      replies.code(r, ResponseCode.OVERLOAD);
    }
  }

  private void drain() {
    drainScheduled = false;
    long staleBefore = clock.nanoTime() - settings.maxQueueMillis() * 1_000_000;
    while (!queue.isEmpty() && queue.oldestEnqueuedNanos() - staleBefore < 0) {
      queue.poll(request); // waited too long: shed unexecuted, cheaply
      stats.overloaded.increment();
      stats.queueExpired.increment();
      replies.code(request, ResponseCode.OVERLOAD);
    }
    while (executedThisBatch < settings.batchSize() && queue.poll(request)) {
      try {
        // The original may have run while its retransmission waited here.
        if (!request.cached() || !answerFromCache(request)) {
          execute(request);
        }
      } catch (RuntimeException e) {
        stats.internalFailures.increment();
        log.error("queued request from {} failed", request.source(), e);
      }
    }
    endBatch();
  }

  private void scheduleDrain() {
    if (!drainScheduled) {
      drainScheduled = true;
      loop.schedule(0, drainTask);
    }
  }

  private boolean answerFromCache(ClientRequest r) {
    if (puts.holds(r)) {
      puts.commit(); // a retransmission of a PUT held for this batch: its reply is cached then
    }
    int handle = replyCache.find(r.sourceKey(), r.idHi(), r.idLo(), r.fingerprint());
    if (handle < 0) {
      return false;
    }
    stats.retransmissions.increment();
    out.clear();
    replyCache.copyReply(handle, r.buffer(), r.start(), out);
    replies.toClient(r.source(), r.declaredLength(), out.flip());
    return true;
  }

  /**
   * Executes a client request here, or coordinates it with the key's replicas; a PUT executed here
   * waits in {@link BatchedPuts} for the batch's other PUTs.
   */
  private void execute(ClientRequest r) {
    long started = clock.nanoTime();
    executedThisBatch++;
    if (r.command().isKeyOperation()) { // OPS_SUBMIT has a key too, but is never routed
      if (joining.getAsBoolean()) {
        replicationStats.refusedWhileJoining.increment();
        replies.code(r, ResponseCode.REPLICAS_UNAVAILABLE); // do not answer from an empty ring of one
        return;
      }
      io.kvstore.node.cluster.Ring.Owner[] replicas = coordination.replicasElsewhere(r.lookupKey());
      if (replicas != null) {
        puts.commit();
        coordination.coordinate(r, replicas, started);
        return;
      }
    }
    if (r.command() == Command.PUT) {
      executor.writesToSync(); // --sync: the batch fsyncs
      puts.add(r, started); // stored with the batch's other PUTs, answered in order (BatchedPuts)
      return;
    }
    puts.commit(); // every other command sees the PUTs before it
    executeHere(r, started);
    if (r.command() == Command.SHUTDOWN) {
      // sendThen flushes what this batch queued before: its writes must be in the WAL first.
      if (!makeWritesDurable()) {
        return;
      }
      replies.sendLastThen(r.source(), node::haltNow);
    } else {
      replies.toClient(r.source(), r.declaredLength(), out);
    }
    recordLatency(started);
  }

  private void recordLatency(long startedNanos) {
    long micros = (clock.nanoTime() - startedNanos) / 1000;
    stats.latencyMicros.recordValue(Math.max(1, Math.min(micros, 60_000_000L)));
  }

  /** Executes locally, caching the reply under the client's address; the reply is left in {@link #out}. */
  private void executeHere(ClientRequest r, long startedNanos) {
    if (executor.execute(r, out) && r.cached()) {
      replyCache.insert(r.sourceKey(), r.idHi(), r.idLo(), r.fingerprint(), out,
          startedNanos / 1_000_000);
    }
  }

  // ------------------------------------------------------------------ coordination

  /** The replicas answered (or did not in time): reply, and cache what a retry must see again. */
  private void finishCoordinated(ClientCoordination.PendingReply p, ResponseCode code, byte[] value) {
    ByteBuffer id = ByteBuffer.wrap(p.id());
    out.clear();
    if (value != null) {
      ReplyEncoder.valueHeader(out, id, 0, value.length);
      out.put(value);
    } else {
      ReplyEncoder.code(out, id, 0, code);
    }
    out.flip();
    if (isFinal(code)) {
      replyCache.insert(p.identity().sourceKey(), p.identity().idHi(), p.identity().idLo(),
          p.fingerprint(), out, p.startedNanos() / 1_000_000);
    }
    replies.toClient(p.client(), p.requestBytes(), out);
    recordLatency(p.startedNanos());
  }

  /** Replies a retransmission must get again; the others are worth a new try. */
  private static boolean isFinal(ResponseCode code) {
    return code != ResponseCode.REPLICAS_UNAVAILABLE
        && code != ResponseCode.OVERLOAD
        && code != ResponseCode.INTERNAL_FAILURE;
  }

  /** Coordinator work outside a read batch (answers, timers) sends its frames when it is done. */
  private void runAndFlush(Runnable task) {
    try {
      puts.commit();
      task.run();
    } catch (RuntimeException e) {
      stats.internalFailures.increment();
      log.error("coordination task failed", e);
    }
    if (replies.waiting() && makeWritesDurable()) {
      replies.flush();
    }
  }

  /**
   * Makes the writes executed so far as durable as the node promises (in the OS; on disk with
   * --sync) before anything queued leaves. If the WAL cannot be written, nothing queued may leave,
   * and it would with the next flush of this socket: the node halts as SHUTDOWN does (a restart
   * replays what reached the WAL; no write that was lost had been acknowledged).
   */
  private boolean makeWritesDurable() {
    try {
      executor.endBatch(settings.syncWrites());
      return true;
    } catch (StorageException e) {
      stats.internalFailures.increment();
      log.error("the WAL could not be written: halting before this batch's replies leave", e);
      replies.discard();
      node.haltNow();
      return false;
    }
  }

  /** Sends a node-to-node frame, sealed with the cluster secret. */
  void sendInternal(InetSocketAddress to, byte[] frame) {
    replies.send(to, ByteBuffer.wrap(dispatch.authenticator().seal(frame)));
  }
}
