package io.kvstore.statusserver;

import io.kvstore.node.cluster.MalformedMessageException;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.protocol.InternalFrame;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status server's intake of REPORT datagrams: authenticated and size-checked on the network
 * thread, queued (bounded in count and bytes), then decoded and applied to the view by one worker
 * thread. A flood fills the queue and is dropped and counted; it cannot exhaust memory. Every
 * datagram ends in exactly one counter.
 */
public final class ReportIntake implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReportIntake.class);

  /** Applies a decoded report and says what became of it. */
  @FunctionalInterface
  public interface Sink {
    ReportOutcome apply(StatusReport report);
  }

  private final FrameAuthenticator authenticator;
  private final BlockingQueue<byte[]> queue;
  private final long maxQueuedBytes;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Sink sink;
  private final Thread worker;
  private volatile boolean running = true;

  public final LongAdder received = new LongAdder();
  public final LongAdder accepted = new LongAdder();
  public final LongAdder dropped = new LongAdder();
  public final LongAdder malformed = new LongAdder();
  public final LongAdder unauthenticated = new LongAdder();
  /** Refused by the view or the rounds: see {@link ReportOutcome}. */
  public final LongAdder notMember = new LongAdder();
  public final LongAdder staleOrReplayed = new LongAdder();
  public final LongAdder overLimits = new LongAdder();
  public final LongAdder overMemoryBudget = new LongAdder();

  /**
   * @param capacity the most datagrams queued
   * @param maxQueuedBytes the most bytes queued
   */
  public ReportIntake(FrameAuthenticator authenticator, int capacity, long maxQueuedBytes, Sink sink) {
    this.authenticator = authenticator;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.maxQueuedBytes = maxQueuedBytes;
    this.sink = sink;
    this.worker = new Thread(this::drain, "report-intake");
    worker.setDaemon(true);
    worker.start();
  }

  /** Network thread: check and queue one datagram. */
  public void offer(ByteBuf datagram) {
    received.increment();
    if (datagram.readableBytes() > StatusCodec.MAX_REPORT_BYTES + InternalFrame.TAG_LENGTH) {
      malformed.increment();
      return;
    }
    byte[] frame = authenticator.open(datagram.nioBuffer());
    if (frame == null) {
      unauthenticated.increment();
      return;
    }
    if (frame.length < InternalFrame.HEADER
        || (frame[InternalFrame.TYPE_OFFSET] & 0xFF) != StatusCodec.REPORT
        || (frame[InternalFrame.VERSION_OFFSET] & 0xFF) != InternalFrame.VERSION) {
      malformed.increment();
      return;
    }
    if (queuedBytes.addAndGet(frame.length) > maxQueuedBytes) {
      queuedBytes.addAndGet(-frame.length);
      dropped.increment();
      return;
    }
    if (!queue.offer(frame)) {
      queuedBytes.addAndGet(-frame.length);
      dropped.increment();
    }
  }

  private void drain() {
    while (running) {
      byte[] frame;
      try {
        frame = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (frame == null) {
        continue;
      }
      queuedBytes.addAndGet(-frame.length);
      try {
        StatusReport report =
            StatusCodec.decodeReport(
                ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER));
        count(sink.apply(report));
      } catch (MalformedMessageException e) {
        malformed.increment();
      } catch (RuntimeException e) {
        malformed.increment();
        log.warn("could not apply a status report", e);
      }
    }
  }

  private void count(ReportOutcome outcome) {
    switch (outcome) {
      case ACCEPTED -> accepted.increment();
      case NOT_A_MEMBER -> notMember.increment();
      case STALE_OR_REPLAYED -> staleOrReplayed.increment();
      case OVER_LIMITS -> overLimits.increment();
      case OVER_MEMORY_BUDGET -> overMemoryBudget.increment();
    }
  }

  /** Datagrams counted as refused for any reason, or dropped. */
  public long refused() {
    return dropped.sum() + malformed.sum() + unauthenticated.sum() + notMember.sum()
        + staleOrReplayed.sum() + overLimits.sum() + overMemoryBudget.sum();
  }

  public long queuedBytes() {
    return queuedBytes.get();
  }

  public int queued() {
    return queue.size();
  }

  @Override
  public void close() {
    running = false;
    worker.interrupt();
  }
}
