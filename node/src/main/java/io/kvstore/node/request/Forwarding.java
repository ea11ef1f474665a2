package io.kvstore.node.request;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.protocol.DecodedRequest;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.RequestDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request forwarding, both sides (frames in {@link ForwardFrames}). The coordinator — the node a
 * client asked — sends a request for a key it does not own to the owner and remembers in a
 * bounded table whom to answer; the owner executes it (its reply cache keyed by the client's
 * address keeps it at-most-once) and sends the reply back; the coordinator relays it to the
 * client, on the pipeline that took the request (which owns that client's reply cache). Entries
 * expire if the owner never answers; the client then retries.
 *
 * <p>One per node, shared by its pipelines: the owner's reply may arrive on any socket.
 */
public final class Forwarding {
  /** How often expired forwards are dropped. */
  static final long EXPIRY_PERIOD_MILLIS = 100;

  /** What to do when the owner answers. */
  record Pending(RequestPipeline origin, InetSocketAddress client, long idHi, long idLo,
      long fingerprint, boolean cacheable, int requestBytes, long createdNanos) {}

  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong numbers;
  private final int capacity;
  private final long timeoutNanos;
  private final Clock clock;
  private final RequestStats stats;

  /**
   * @param capacity forwards awaiting their owner's reply, at most
   * @param timeoutMillis how long an owner has to answer
   * @param firstNumber where forward numbers start (random in a node, so a restarted node does
   *     not accept late replies meant for its previous life)
   */
  public Forwarding(int capacity, long timeoutMillis, Clock clock, RequestStats stats, long firstNumber) {
    this.capacity = capacity;
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    this.clock = clock;
    this.stats = stats;
    this.numbers = new AtomicLong(firstNumber);
  }

  /** Starts dropping expired forwards every {@value #EXPIRY_PERIOD_MILLIS} ms on {@code timers}. */
  public void start(Scheduler timers) {
    timers.schedule(
        EXPIRY_PERIOD_MILLIS,
        () -> {
          expire();
          start(timers);
        });
  }

  // ------------------------------------------------------------------ coordinator side

  /**
   * Sends {@code request} to {@code owner} on behalf of {@code origin}. Returns false if too many
   * forwards are outstanding (the caller answers 0x03).
   */
  boolean forward(ClientRequest request, InetSocketAddress owner, RequestPipeline origin) {
    if (pending.size() >= capacity) {
      return false;
    }
    long number = numbers.incrementAndGet();
    pending.put(number, new Pending(origin, request.source(), request.idHi(), request.idLo(),
        request.fingerprint(), request.cached(), request.declaredLength(), clock.nanoTime()));
    origin.sendInternal(owner,
        ForwardFrames.forward(number, request.source(), request.buffer(), request.start(),
            request.declaredLength()));
    return true;
  }

  /** A FORWARD_REPLY arrived (on any pipeline): relay it on the pipeline that forwarded. */
  void onForwardReply(byte[] frame) {
    Pending p = pending.remove(ForwardFrames.number(frame));
    if (p == null) {
      return; // expired, or not ours
    }
    if (frame.length - InternalFrame.HEADER < ReplyEncoder.CODE_ONLY) {
      stats.internalMalformed.increment();
      return;
    }
    p.origin().relayLater(p, frame);
  }

  /** Drops forwards whose owner did not answer in time. */
  void expire() {
    long now = clock.nanoTime();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      if (now - it.next().createdNanos() > timeoutNanos) {
        it.remove();
        stats.forwardsExpired.increment();
      }
    }
  }

  int outstanding() {
    return pending.size();
  }

  // ------------------------------------------------------------------ owner side

  /**
   * A FORWARD arrived: execute the request here (never forwarding it again, whatever our ring
   * says) through {@code owner}'s cache and executor, and send the reply back.
   */
  void onForward(InetSocketAddress coordinator, byte[] frame, RequestPipeline owner,
      DecodedRequest decoded) {
    ByteBuffer body = ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER);
    InetSocketAddress client = ForwardFrames.client(body);
    if (client == null) {
      stats.internalMalformed.increment();
      return;
    }
    RequestDecoder.decode(body.slice(), decoded);
    if (decoded.outcome() != DecodedRequest.Outcome.CLIENT_REQUEST || decoded.command().isAdmin()) {
      stats.internalMalformed.increment();
      return;
    }
    stats.forwardedIn.increment();
    ByteBuffer reply = owner.answerForwarded(decoded, client, coordinator, frame.length);
    owner.sendInternal(coordinator, ForwardFrames.reply(frame, reply));
  }
}
