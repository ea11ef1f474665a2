package io.kvstore.node.request;

import io.kvstore.protocol.Command;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/** Counters of the request pipeline, shared by all event loops (LongAdder). Read by monitoring. */
public final class RequestStats {
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
  /** Internal datagrams dropped for a missing or wrong HMAC tag (with a cluster secret). */
  public final LongAdder unauthenticated = new LongAdder();
  /** Internal datagrams that did not decode. */
  public final LongAdder internalMalformed = new LongAdder();
  /** Requests other nodes forwarded here because this node owns their keys. */
  public final LongAdder forwardedIn = new LongAdder();
  /** Internal (node-to-node) datagrams that no component handled. */
  public final LongAdder internalUnhandled = new LongAdder();
  /** Requests that failed inside the node (answered 0x04). */
  public final LongAdder internalFailures = new LongAdder();
  /** Forwarded requests whose owner did not answer in time (the client then retries). */
  public final LongAdder forwardsExpired = new LongAdder();
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

  public void executed(Command command) {
    byCommand[command.ordinal()].increment();
  }

  public long executedCount(Command command) {
    return byCommand[command.ordinal()].sum();
  }
}
