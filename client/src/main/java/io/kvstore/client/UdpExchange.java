package io.kvstore.client;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.MalformedReplyException;
import io.kvstore.protocol.Reply;
import io.kvstore.protocol.RequestEncoder;
import io.kvstore.protocol.RequestId;
import io.kvstore.protocol.Wire;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One UDP socket to one node: sends requests, matches replies to them by request id, and retries on
 * timeout with the same id and bytes (the node's at-most-once cache depends on both).
 *
 * <p>Threads: callers send directly; one receiver thread reads replies and completes futures; one
 * timer thread runs the timeouts. The outstanding map is the single arbiter of who finishes a
 * request: whoever removes it (reply, last timeout, close) completes its future.
 */
final class UdpExchange implements AutoCloseable {
  private final KvClientConfig config;
  private final String node;
  private final DatagramChannel channel;
  private final byte[] localIpv4;
  private final int localPort;
  private final ConcurrentHashMap<RequestId, PendingRequest> outstanding =
      new ConcurrentHashMap<>();
  private final Semaphore permits;
  private final ScheduledThreadPoolExecutor timer;
  private final Thread receiver;

  private final LongAdder requests = new LongAdder();
  private final LongAdder retransmissions = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder unknownReplies = new LongAdder();
  private final LongAdder malformedReplies = new LongAdder();

  /** When the host last answered "port unreachable"; lets a timeout say why it happened. */
  private volatile long lastRefusedNanos;

  private volatile boolean closed;

  UdpExchange(KvClientConfig config) throws IOException {
    this.config = config;
    this.node = NodeAddress.format(config.node());
    this.permits = new Semaphore(config.maxOutstanding());
    // Connecting picks the local address the route uses (for the request id) and makes the
    // kernel drop datagrams from anyone but the node.
    this.channel = DatagramChannel.open().connect(config.node());
    InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
    this.localIpv4 = local.getAddress() instanceof Inet4Address v4 ? v4.getAddress() : new byte[4];
    this.localPort = local.getPort();
    this.lastRefusedNanos = System.nanoTime() - Duration.ofDays(1).toNanos();

    this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "kvclient-timer-" + node));
    timer.setRemoveOnCancelPolicy(true);
    this.receiver = daemon(this::receiveLoop, "kvclient-receiver-" + node);
    receiver.start();
  }

  String node() {
    return node;
  }

  boolean isReceiverThread() {
    return Thread.currentThread() == receiver;
  }

  /** Sends a request; the future completes with the reply or fails with a {@link KvException}. */
  CompletableFuture<KvResult> submit(Command command, byte[] key, byte[] value) {
    if (command.hasKey) {
      RequestEncoder.requireKey(key);
    }
    if (command.hasValue) {
      RequestEncoder.requireValue(value);
    }
    if (closed) {
      return CompletableFuture.failedFuture(closedException(command));
    }
    if (!permits.tryAcquire()) {
      return CompletableFuture.failedFuture(
          new TooManyOutstandingRequestsException(node, config.maxOutstanding()));
    }
    requests.increment();
    PendingRequest request = register(command, key, value);
    transmit(request, 0);
    return request.future;
  }

  /** Registers under an id no other outstanding request has (ids carry only 2 random bytes). */
  private PendingRequest register(Command command, byte[] key, byte[] value) {
    while (true) {
      RequestId id =
          RequestId.generate(
              localIpv4, localPort, ThreadLocalRandom.current(), System.currentTimeMillis());
      byte[] datagram = RequestEncoder.encode(id.bytes(), command, key, value);
      PendingRequest request = new PendingRequest(id, command, datagram, System.nanoTime());
      if (outstanding.putIfAbsent(id, request) == null) {
        return request;
      }
    }
  }

  private void transmit(PendingRequest request, int attempt) {
    try {
      channel.write(ByteBuffer.wrap(request.datagram));
    } catch (PortUnreachableException e) {
      // The kernel reports an ICMP error caused by an earlier datagram here; the retry covers it.
      lastRefusedNanos = System.nanoTime();
    } catch (ClosedChannelException e) {
      fail(request, closedException(request.command));
      return;
    } catch (IOException e) {
      fail(
          request,
          new KvException("could not send " + request.command + " to " + node + ": " + e, e));
      return;
    }
    try {
      request.timeout =
          timer.schedule(
              () -> onTimeout(request, attempt),
              config.attemptTimeoutNanos(attempt),
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      fail(request, closedException(request.command));
    }
  }

  private void onTimeout(PendingRequest request, int attempt) {
    if (request.future.isDone()) {
      finish(request); // cancelled by the caller: free its slot
      return;
    }
    if (outstanding.get(request.id) != request) {
      return; // the reply won the race
    }
    if (attempt < config.retries()) {
      retransmissions.increment();
      transmit(request, attempt + 1);
      return;
    }
    long waited = System.nanoTime() - request.firstSentNanos;
    boolean refused = lastRefusedNanos - request.firstSentNanos >= 0;
    if (finish(request)) {
      timeouts.increment();
      request.future.completeExceptionally(
          new KvTimeoutException(
              node, request.command.name(), attempt + 1, Duration.ofNanos(waited), refused));
    }
  }

  private void receiveLoop() {
    ByteBuffer buffer = ByteBuffer.allocate(Wire.MAX_DATAGRAM);
    while (!closed) {
      buffer.clear();
      try {
        channel.read(buffer);
      } catch (PortUnreachableException e) {
        lastRefusedNanos = System.nanoTime();
        continue;
      } catch (IOException e) {
        if (!channel.isOpen()) {
          return; // closed: close() fails whatever is still outstanding
        }
        continue; // a transient socket error; the timeouts retry what it cost
      }
      onDatagram(buffer.array(), buffer.position());
    }
  }

  private void onDatagram(byte[] datagram, int length) {
    if (length < Wire.REQUEST_ID_LENGTH) {
      malformedReplies.increment();
      return;
    }
    PendingRequest request =
        outstanding.get(RequestId.of(Arrays.copyOf(datagram, Wire.REQUEST_ID_LENGTH)));
    if (request == null) {
      unknownReplies.increment();
      return;
    }
    Reply reply;
    try {
      reply = Reply.decode(datagram, length, request.command);
    } catch (MalformedReplyException e) {
      malformedReplies.increment(); // a valid copy may still come, or the retry gets one
      return;
    }
    if (finish(request)) {
      request.future.complete(
          new KvResult(request.command, reply.code(), reply.value(), reply.intValue()));
    } else {
      unknownReplies.increment();
    }
  }

  /** Removes a request from the outstanding set; true for the one caller that gets to finish it. */
  private boolean finish(PendingRequest request) {
    if (!outstanding.remove(request.id, request)) {
      return false;
    }
    permits.release();
    ScheduledFuture<?> timeout = request.timeout;
    if (timeout != null) {
      timeout.cancel(false);
    }
    return true;
  }

  private void fail(PendingRequest request, KvException failure) {
    if (finish(request)) {
      request.future.completeExceptionally(failure);
    }
  }

  private KvException closedException(Command command) {
    return new KvException(
        "the client for " + node + " is closed; " + command + " was not answered");
  }

  ClientStats stats() {
    return new ClientStats(
        requests.sum(),
        retransmissions.sum(),
        timeouts.sum(),
        unknownReplies.sum(),
        malformedReplies.sum(),
        outstanding.size());
  }

  @Override
  public void close() {
    closed = true;
    try {
      channel.close(); // wakes the receiver, which then exits
    } catch (IOException e) {
      // nothing left to release
    }
    timer.shutdownNow();
    for (PendingRequest request : outstanding.values()) {
      fail(request, closedException(request.command));
    }
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
