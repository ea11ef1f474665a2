package io.kvstore.statusserver;

import io.kvstore.node.cluster.MalformedMessageException;
import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.node.transport.FrameAuthenticator;
import io.kvstore.protocol.InternalFrame;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status server's intake of REPORT datagrams: authenticated and size-checked on the network
 * thread, queued (bounded), then decoded and applied to the view by one worker thread. A flood
 * fills the queue and is dropped and counted; it cannot exhaust memory.
 */
public final class ReportIntake implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReportIntake.class);

  private final FrameAuthenticator authenticator;
  private final BlockingQueue<byte[]> queue;
  private final Consumer<StatusReport> sink;
  private final Thread worker;
  private volatile boolean running = true;

  public final LongAdder received = new LongAdder();
  public final LongAdder accepted = new LongAdder();
  public final LongAdder dropped = new LongAdder();
  public final LongAdder malformed = new LongAdder();
  public final LongAdder unauthenticated = new LongAdder();

  public ReportIntake(FrameAuthenticator authenticator, int capacity, Consumer<StatusReport> sink) {
    this.authenticator = authenticator;
    this.queue = new ArrayBlockingQueue<>(capacity);
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
    byte[] frame = authenticator.open(datagram);
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
    if (!queue.offer(frame)) {
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
      try {
        StatusReport report =
            StatusCodec.decodeReport(
                ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER));
        sink.accept(report);
        accepted.increment();
      } catch (MalformedMessageException e) {
        malformed.increment();
      } catch (RuntimeException e) {
        malformed.increment();
        log.warn("could not apply a status report", e);
      }
    }
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
