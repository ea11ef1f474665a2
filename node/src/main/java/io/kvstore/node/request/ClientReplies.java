package io.kvstore.node.request;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.ResponseCode;
import io.kvstore.protocol.Wire;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What leaves a {@link RequestPipeline}: replies to clients, each paid for by its source's reply
 * budget, rate-limited error replies, and node-to-node frames, all through one
 * {@link DatagramSink}; and whether any of them still waits for the sink's flush, which the
 * pipeline gives only once the batch's writes are durable. Single-threaded, as the pipeline is.
 */
final class ClientReplies {
  /** Largest datagram the pipeline sends: a LIST_MEMBERS page or a GET reply. */
  private static final int OUT_BUFFER = 64 * 1024;

  private final DatagramSink sink;
  private final ClientSources sources;
  private final RequestStats stats;
  private final Clock clock;
  private final ErrorReplyLimiter errorLimiter;
  private final ByteBuffer out = ByteBuffer.allocateDirect(OUT_BUFFER);
  private boolean unflushed;

  ClientReplies(DatagramSink sink, ClientSources sources, RequestStats stats, Clock clock,
      ErrorReplyLimiter errorLimiter) {
    this.sink = sink;
    this.sources = sources;
    this.stats = stats;
    this.clock = clock;
    this.errorLimiter = errorLimiter;
  }

  /** The one buffer replies are encoded into; the sink copies what it keeps. */
  ByteBuffer buffer() {
    return out;
  }

  /** A code-only reply to a datagram that did not decode, unless its source had its share of them. */
  void error(InetSocketAddress to, ByteBuffer datagram, ResponseCode code) {
    if (!errorLimiter.tryAcquire(to.getAddress(), clock.nanoTime())) {
      stats.errorRepliesSuppressed.increment();
      return;
    }
    out.clear();
    ReplyEncoder.code(out, datagram, datagram.position(), code);
    stats.clientReplyBytes.add(ReplyEncoder.CODE_ONLY);
    send(to, out.flip());
  }

  /** Code-only replies (17 bytes) are never larger than their request: no budget to check. */
  void code(ClientRequest r, ResponseCode code) {
    out.clear();
    ReplyEncoder.code(out, r.buffer(), r.start(), code);
    stats.clientReplyBytes.add(ReplyEncoder.CODE_ONLY);
    send(r.source(), out.flip());
  }

  /**
   * Sends a reply to a client if its source's reply budget pays for it; otherwise a 17-byte 0x03
   * in its place (the request ran and its reply is cached: the client's retry gets it).
   */
  void toClient(InetSocketAddress client, int requestBytes, ByteBuffer reply) {
    if (!sources.mayReply(client.getAddress(), requestBytes, reply.remaining())) {
      toOverload(reply);
    }
    stats.clientReplyBytes.add(reply.remaining());
    send(client, reply);
  }

  /** Turns the reply between position and limit into 0x03 under the same id, in place. */
  private static void toOverload(ByteBuffer reply) {
    reply.limit(reply.position() + ReplyEncoder.CODE_ONLY);
    reply.put(reply.position() + Wire.REQUEST_ID_LENGTH, (byte) ResponseCode.OVERLOAD.code);
  }

  void send(InetSocketAddress to, ByteBuffer datagram) {
    sink.send(to, datagram);
    unflushed = true;
  }

  /** Whether anything was sent since the last flush. */
  boolean waiting() {
    return unflushed;
  }

  /** Hands everything sent since the last flush to the network. */
  void flush() {
    unflushed = false;
    sink.flush();
  }

  /** Sends the reply in {@link #buffer()} with everything before it, then runs {@code then}. */
  void sendLastThen(InetSocketAddress to, Runnable then) {
    unflushed = false;
    sink.sendThen(to, out, then);
  }

  /** Forgets what waits for a flush: the node halts, and none of it may leave. */
  void discard() {
    unflushed = false;
  }
}
