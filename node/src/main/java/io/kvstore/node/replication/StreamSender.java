package io.kvstore.node.replication;

import io.kvstore.node.cluster.Ring;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.storage.StorageEngine;
import java.net.InetSocketAddress;
import java.util.Iterator;

/**
 * The sending side of a rebalance pass ({@link StreamPass}): at most {@link #WINDOW} batches
 * unacknowledged, each resent after {@link #RESEND_MILLIS} and given up after {@link #MAX_TRIES}
 * sends (the member asks by REQUEST for what it still misses), all within a token bucket of
 * {@code bytesPerSecond}; the store is scanned only while the window has room. Single-threaded,
 * on the {@link Rebalancer}'s thread.
 */
final class StreamSender {
  /** Batches sent and not acknowledged yet, at most. */
  static final int WINDOW = 8;
  /** Records scanned per step (the scan stops while a window's worth of batches waits). */
  static final int SCAN_CHUNK = 256;
  static final long RESEND_MILLIS = 500;
  /** A batch is given up after this many sends (the member will REQUEST what it still misses). */
  static final int MAX_TRIES = 20;

  private final StorageEngine storage;
  private final Network network;
  private final RebalanceConfig config;
  private final RebalanceStats stats;
  private double tokens;
  private long lastRefillNanos;

  StreamSender(StorageEngine storage, Network network, RebalanceConfig config, RebalanceStats stats, Clock clock) {
    this.storage = storage;
    this.network = network;
    this.config = config;
    this.stats = stats;
    this.lastRefillNanos = clock.nanoTime();
  }

  /** Resends what was lost, sends what the window and the byte budget allow, scans more. */
  void advance(StreamPass pass, Ring now, long nowNanos) {
    refill(nowNanos);
    for (Iterator<StreamPass.Outbound> it = pass.inFlight.values().iterator(); it.hasNext(); ) {
      StreamPass.Outbound out = it.next();
      Ring.Owner to = now.member(out.to.id());
      if (to == null || to.down() || out.tries >= MAX_TRIES) {
        if (out.tries >= MAX_TRIES) {
          stats.batchesAbandoned.increment();
        }
        it.remove(); // gone or unreachable: it asks for what it misses when it is back
      } else if (nowNanos - out.sentNanos >= RESEND_MILLIS * 1_000_000L && affordable(out)) {
        stats.batchesRetransmitted.increment();
        send(out, nowNanos);
      }
    }
    while (pass.inFlight.size() < WINDOW && tokens > 0) {
      if (!pass.ready.isEmpty() && !affordable(pass.ready.peek())) {
        break;
      }
      if (pass.ready.isEmpty()) {
        if (pass.scanned()) {
          pass.queueDones();
          if (pass.ready.isEmpty()) {
            break;
          }
        } else {
          pass.scanChunk(storage, SCAN_CHUNK);
          continue;
        }
      }
      StreamPass.Outbound out = pass.ready.peek();
      if (!affordable(out)) {
        break;
      }
      pass.ready.poll();
      Ring.Owner to = now.member(out.to.id());
      if (to == null || to.down()) {
        continue;
      }
      pass.inFlight.put(out.number, out);
      send(out, nowNanos);
    }
  }

  /** An ACK of {@code pass} from {@code from}: the batch leaves the window and counts as streamed. */
  void onAck(StreamPass pass, InetSocketAddress from, RangeStreamFrames.Ack ack) {
    StreamPass.Outbound out = pass.inFlight.get(ack.number());
    if (out == null || !out.to.address().equals(from)) {
      return;
    }
    pass.inFlight.remove(ack.number());
    if (!out.done) {
      stats.recordsStreamed.add(out.records);
      stats.bytesStreamed.add(out.frame.length);
    }
  }

  private void send(StreamPass.Outbound out, long nowNanos) {
    out.sentNanos = nowNanos;
    out.tries++;
    tokens -= out.frame.length;
    network.send(out.to.address(), out.frame);
  }

  private boolean affordable(StreamPass.Outbound out) {
    return tokens >= out.frame.length;
  }

  /** A token bucket of bytes: at most a tenth of a second's budget (or one batch) at once. */
  private void refill(long nowNanos) {
    double cap = Math.max(config.bytesPerSecond() / 10.0, RangeStreamFrames.MAX_BATCH_BODY + 64);
    tokens = Math.min(cap, tokens + (nowNanos - lastRefillNanos) * config.bytesPerSecond() / 1e9);
    lastRefillNanos = nowNanos;
  }
}
