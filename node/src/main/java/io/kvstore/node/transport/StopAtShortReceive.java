package io.kvstore.node.transport;

import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The epoll sockets' receive allocator: fixed buffers of {@code bufferSize}, at most
 * {@code maxMessagesPerRead} datagrams per read batch as before, but the batch ends as soon as a
 * {@code recvmmsg} returns fewer datagrams than it had slots for. A short receive means the
 * kernel ran out of queued datagrams (the socket is non-blocking), so the call Netty makes next,
 * until one returns nothing, is a system call that finds nothing: one per wake-up, which at the
 * small batches of an open loop was a large part of the event loop's {@code recvmmsg} time
 * (BENCHMARKS.md, "Hot path, session 6").
 *
 * <p>Safe because Netty 4.2's epoll is level-triggered: a datagram that arrives after the short
 * receive keeps the socket readable, and the next {@code epoll_wait} returns at once for it.
 * Epoll only: Netty's datagram channel reports a receive of {@code n} datagrams as {@code n}
 * slots' worth of bytes, so "short" is "fewer bytes than attempted"; NIO reads one datagram per
 * call and would stop after the first.
 */
final class StopAtShortReceive extends DefaultMaxMessagesRecvByteBufAllocator {
  private final int bufferSize;

  StopAtShortReceive(int bufferSize, int maxMessagesPerRead) {
    super(maxMessagesPerRead);
    this.bufferSize = bufferSize;
    respectMaybeMoreData(false);
  }

  @Override
  public RecvByteBufAllocator.Handle newHandle() {
    return new MaxMessageHandle() {
      @Override
      public int guess() {
        return bufferSize;
      }

      @Override
      public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
        return lastBytesRead() == attemptedBytesRead() && super.continueReading(maybeMoreDataSupplier);
      }
    };
  }
}
