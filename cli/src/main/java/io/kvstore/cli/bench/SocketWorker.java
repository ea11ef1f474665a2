package io.kvstore.cli.bench;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * One socket's share of the closed loop, run by one thread: sends a request for every slot, and
 * whenever a reply frees a slot sends the slot's next request straight away. Slots live in
 * preallocated arrays indexed by the slot number each request carries, so the hot path allocates
 * nothing. Slots whose request got no reply within the timeout are re-sent under a fresh tag.
 */
final class SocketWorker implements Runnable {
  /** How often slots are scanned for timeouts. */
  private static final long SCAN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final DatagramChannel channel;
  private final BenchWire wire;
  private final RequestSource source;
  private final WorkerStats stats;
  private final long timeoutNanos;
  private final long measureFromNanos;
  private final long endNanos;

  private final long[] tags;
  private final long[] sentAtNanos;
  private final int[] keys;
  private final boolean[] gets;
  private final boolean[] busy;
  private final int[] partsSeen;
  private int busySlots;
  private long nextTag;

  private final ByteBuffer in = ByteBuffer.allocateDirect(65_536);
  private final ByteBuffer out = ByteBuffer.allocateDirect(65_536);
  private final BenchWire.ReplyHeader header = new BenchWire.ReplyHeader();

  private volatile boolean stopRequested;
  private volatile IOException failure;

  /**
   * @param channel a connected, non-blocking channel this worker owns and closes
   * @param measureFromNanos replies and timeouts before this {@link System#nanoTime()} are not
   *     recorded (warm-up)
   * @param endNanos when to stop sending and return
   */
  SocketWorker(
      DatagramChannel channel,
      BenchWire wire,
      RequestSource source,
      WorkerStats stats,
      int slots,
      long timeoutNanos,
      long measureFromNanos,
      long endNanos,
      long firstTag) {
    this.channel = channel;
    this.wire = wire;
    this.source = source;
    this.stats = stats;
    this.timeoutNanos = timeoutNanos;
    this.measureFromNanos = measureFromNanos;
    this.endNanos = endNanos;
    this.nextTag = firstTag;
    this.tags = new long[slots];
    this.sentAtNanos = new long[slots];
    this.keys = new int[slots];
    this.gets = new boolean[slots];
    this.busy = new boolean[slots];
    this.partsSeen = new int[slots];
  }

  /** Asks the worker to return soon; requests in flight are abandoned. */
  void stop() {
    stopRequested = true;
  }

  /** The socket error that ended the worker early, or null. */
  IOException failure() {
    return failure;
  }

  @Override
  public void run() {
    try (Selector selector = Selector.open();
        channel) {
      channel.register(selector, SelectionKey.OP_READ);
      long now = System.nanoTime();
      for (int slot = 0; slot < busy.length; slot++) {
        sendNext(slot, now);
      }
      long nextScan = now + SCAN_INTERVAL_NANOS;
      while (!stopRequested && busySlots > 0 && now - endNanos < 0) {
        long waitNanos = Math.min(nextScan, endNanos) - now;
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
        selector.selectedKeys().clear();
        receiveAll();
        now = System.nanoTime();
        if (now - nextScan >= 0) {
          resendTimedOut(now);
          nextScan = now + SCAN_INTERVAL_NANOS;
        }
      }
    } catch (IOException e) {
      failure = e;
    }
  }

  private void receiveAll() throws IOException {
    while (true) {
      in.clear();
      try {
        if (channel.read(in) <= 0) {
          return;
        }
      } catch (PortUnreachableException e) {
        continue; // the ICMP error of an earlier send; the timeout scan re-sends
      }
      in.flip();
      onReply(System.nanoTime());
    }
  }

  private void onReply(long now) throws IOException {
    boolean measuring = now - measureFromNanos >= 0;
    if (!wire.decodeHeader(in, header)
        || header.slot >= busy.length
        || !busy[header.slot]
        || header.tag != tags[header.slot]) {
      stats.recordUnmatchedReply(measuring);
      return;
    }
    int slot = header.slot;
    String outcome = wire.check(in, header, gets[slot]);
    if (outcome == BenchWire.OK && ++partsSeen[slot] < header.parts) {
      return; // more datagrams of this reply to come
    }
    stats.recordReply(outcome, now - sentAtNanos[slot], measuring);
    busy[slot] = false;
    busySlots--;
    sendNext(slot, now);
  }

  private void sendNext(int slot, long now) throws IOException {
    int key = source.nextKey();
    if (key >= 0) {
      send(slot, key, source.nextIsGet(), now);
    }
  }

  private void resendTimedOut(long now) throws IOException {
    boolean measuring = now - measureFromNanos >= 0;
    for (int slot = 0; slot < busy.length; slot++) {
      if (busy[slot] && now - sentAtNanos[slot] > timeoutNanos) {
        stats.recordTimeout(measuring);
        busy[slot] = false;
        busySlots--;
        send(slot, keys[slot], gets[slot], now);
      }
    }
  }

  private void send(int slot, int key, boolean get, long now) throws IOException {
    out.clear();
    tags[slot] = wire.encode(out, slot, nextTag++, get, key);
    out.flip();
    keys[slot] = key;
    gets[slot] = get;
    sentAtNanos[slot] = now;
    partsSeen[slot] = 0;
    busy[slot] = true;
    busySlots++;
    try {
      channel.write(out); // a datagram the kernel drops shows up as a timeout
    } catch (PortUnreachableException e) {
      // reported for an earlier datagram; this one times out and is re-sent
    }
  }
}
