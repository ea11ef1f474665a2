package io.kvstore.node.request;

import io.kvstore.node.runtime.SystemClock;
import io.kvstore.node.security.UnauthenticatedSources;
import io.kvstore.protocol.Command;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counters of the request pipeline, shared by all event loops (LongAdder). Read by monitoring. */
public final class RequestStats {
  private static final Logger log = LoggerFactory.getLogger(RequestStats.class);
  public final LongAdder received = new LongAdder();
  /** Datagrams shorter than a request id: nobody to answer. */
  public final LongAdder tooShort = new LongAdder();
  /** Malformed, unknown or wrongly sized requests (answered 0x05/0x06/0x07/0x09). */
  public final LongAdder rejected = new LongAdder();
  /** Error replies not sent because the source exceeded its error-reply rate. */
  public final LongAdder errorRepliesSuppressed = new LongAdder();
  /** Admin commands from sources outside the allow-list (answered 0x21). */
  public final LongAdder notPermitted = new LongAdder();
  /** Requests answered 0x03 because the node was behind. */
  public final LongAdder overloaded = new LongAdder();
  /** Of those, requests that waited longer than the queue allows (answered 0x03 unexecuted). */
  public final LongAdder queueExpired = new LongAdder();
  /** Retransmissions answered from the reply cache. */
  public final LongAdder retransmissions = new LongAdder();
  /** Datagrams that claimed to come from this node's own address (possible reflection attack). */
  public final LongAdder selfSourced = new LongAdder();
  /**
   * Client-protocol datagrams from a ring member's address, dropped unanswered: a member's reply
   * to a request spoofed in this node's name (a reply code read as a command), or a spoof of it.
   */
  public final LongAdder memberSourced = new LongAdder();
  /** Datagrams dropped unsent: the socket held 8 MB the kernel had refused (EAGAIN). */
  public final LongAdder unsent = new LongAdder();
  /** Internal datagrams dropped for a missing or wrong HMAC tag (with a cluster secret). */
  public final LongAdder unauthenticated = new LongAdder();
  /** The same per source, logged at most every 10 s per source. */
  private final UnauthenticatedSources unauthenticatedSources =
      new UnauthenticatedSources(
          SystemClock.INSTANCE,
          (from, frames) ->
              log.warn(
                  "rejected {} internal frame(s) from {}: wrong or missing cluster secret? (every"
                      + " node and the status server need the same one)",
                  frames, from == null ? "other sources" : from.getAddress().getHostAddress() + ":" + from.getPort()));
  /** Set when the node runs --insecure (internal traffic unauthenticated); shown by monitoring. */
  private volatile boolean insecure;
  /** Internal datagrams that did not decode. */
  public final LongAdder internalMalformed = new LongAdder();
  /** Internal (node-to-node) datagrams that no component handled. */
  public final LongAdder internalUnhandled = new LongAdder();
  /** Requests that failed inside the node (answered 0x04). */
  public final LongAdder internalFailures = new LongAdder();
  /** Datagrams longer than 16 KiB (served as their first 16 KiB). */
  public final LongAdder oversized = new LongAdder();
  /** Bytes of every reply sent to a client (the amplification the node offers, in total). */
  public final LongAdder clientReplyBytes = new LongAdder();
  /** Time from a datagram's arrival to its reply being written, in microseconds. */
  public final Recorder latencyMicros = new Recorder(1, 60_000_000L, 2);
  private final LongAdder[] byCommand = new LongAdder[Command.values().length];

  public RequestStats() {
    for (int i = 0; i < byCommand.length; i++) {
      byCommand[i] = new LongAdder();
    }
  }

  /** An internal datagram from {@code from} failed authentication: counted, and logged rarely. */
  public void unauthenticated(InetSocketAddress from) {
    unauthenticated.increment();
    unauthenticatedSources.record(from);
  }

  /** Sources of rejected internal frames dropped from the full per-source table, quiet for 20 s. */
  public long unauthenticatedSourcesEvicted() {
    return unauthenticatedSources.evicted();
  }

  public void markInsecure() {
    insecure = true;
  }

  public boolean insecure() {
    return insecure;
  }

  public void executed(Command command) {
    byCommand[command.ordinal()].increment();
  }

  public long executedCount(Command command) {
    return byCommand[command.ordinal()].sum();
  }
}
