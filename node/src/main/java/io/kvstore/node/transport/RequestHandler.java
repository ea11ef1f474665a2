package io.kvstore.node.transport;

import io.kvstore.node.service.KeyValueService;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.DecodedRequest;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.ReplyEncoder;
import io.kvstore.protocol.RequestDecoder;
import io.kvstore.protocol.ResponseCode;
import io.kvstore.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request pipeline of one UDP socket, run on its event loop: decode, answer retransmissions
 * from the reply cache, admit or shed (0x03), execute, reply.
 *
 * <p>Each turn of the event loop executes at most {@code batchSize} requests inline; the rest
 * wait in a bounded queue drained by a task between reads. When requests arrive faster than they
 * execute the queue fills, and further requests are answered 0x03 at once rather than being
 * dropped silently by the kernel. Writes of a turn are made durable together (group commit)
 * before their replies are flushed.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

  private final KeyValueService service;
  private final NodeControl node;
  private final InternalMessageHandler internal;
  private final KeyRouter router;
  private final FrameAuthenticator authenticator;
  private final Forwarder forwarder;
  private final TransportSettings settings;
  private final TransportStats stats;
  private final ReplyCache replyCache;
  private final ErrorReplyLimiter errorLimiter;
  private final DecodedRequest decoded = new DecodedRequest();
  private final ArrayDeque<DatagramPacket> queue;
  private final Runnable drainTask;

  private ChannelHandlerContext ctx;
  private InetSocketAddress localAddress;
  private int executedThisTurn;
  private boolean unsyncedWrites;
  private boolean unflushedReplies;
  private boolean drainScheduled;

  RequestHandler(
      TransportWiring wiring,
      TransportSettings settings,
      TransportStats stats,
      ReplyCache replyCache,
      Forwarder forwarder) {
    this.service = wiring.service();
    this.node = wiring.node();
    this.internal = wiring.internal();
    this.router = wiring.router();
    this.authenticator = wiring.authenticator();
    this.forwarder = forwarder;
    this.settings = settings;
    this.stats = stats;
    this.replyCache = replyCache;
    this.errorLimiter =
        new ErrorReplyLimiter(settings.errorRepliesPerSecond(), settings.errorRepliesPerSecond());
    this.queue = new ArrayDeque<>(settings.queueCapacity());
    this.drainTask = this::drainQueue;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.localAddress =
        ctx.channel().localAddress() instanceof InetSocketAddress a ? a : settings.bindAddress();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    DatagramPacket packet = (DatagramPacket) msg;
    boolean queued = false;
    try {
      queued = onDatagram(packet);
    } catch (RuntimeException e) {
      stats.internalFailures.increment();
      log.error("request from {} failed", packet.sender(), e);
    } finally {
      if (!queued) {
        packet.release();
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    endTurn();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    DatagramPacket p;
    while ((p = queue.poll()) != null) {
      p.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("UDP socket error (the node keeps serving)", cause);
  }

  /** Returns true if the packet was queued (and so must not be released yet). */
  private boolean onDatagram(DatagramPacket packet) {
    stats.received.increment();
    InetSocketAddress sender = packet.sender();
    if (isSelf(sender)) {
      stats.selfSourced.increment(); // a reply to ourselves could be read as a command
      return false;
    }
    ByteBuf buf = packet.content();
    DecodedRequest request = decode(buf);
    switch (request.outcome()) {
      case DROP -> stats.tooShort.increment();
      case INTERNAL -> onInternal(buf, sender);
      case REJECT -> {
        stats.rejected.increment();
        replyError(buf, sender, request.errorCode());
      }
      case CLIENT_REQUEST -> {
        return admit(packet, request);
      }
    }
    return false;
  }

  /** A datagram that claims to come from this node's own socket. */
  private boolean isSelf(InetSocketAddress sender) {
    if (sender.getPort() != localAddress.getPort()) {
      return false;
    }
    return localAddress.getAddress().isAnyLocalAddress()
        ? sender.getAddress().isLoopbackAddress()
        : sender.getAddress().equals(localAddress.getAddress());
  }

  private boolean admit(DatagramPacket packet, DecodedRequest request) {
    Command command = request.command();
    ByteBuf buf = packet.content();
    if (command.isAdmin() && !settings.adminAllowList().permits(packet.sender().getAddress())) {
      stats.notPermitted.increment();
      replyCode(buf, packet.sender(), ResponseCode.NOT_PERMITTED);
      return false;
    }
    if (isCached(command) && answerFromCache(buf, packet.sender(), request)) {
      return false;
    }
    if (queue.isEmpty() && executedThisTurn < settings.batchSize()) {
      execute(buf, packet.sender(), request);
      return false;
    }
    if (queue.size() >= settings.queueCapacity()) {
      stats.overloaded.increment();
      replyCode(buf, packet.sender(), ResponseCode.OVERLOAD);
      return false;
    }
    // Copy out of the receive buffer: a queued slice would pin a whole batch-receive buffer.
    ByteBuf copy = ctx.alloc().directBuffer(buf.readableBytes()).writeBytes(buf, buf.readerIndex(),
        buf.readableBytes());
    queue.add(new DatagramPacket(copy, packet.recipient(), packet.sender()));
    scheduleDrain();
    return false;
  }

  private void drainQueue() {
    drainScheduled = false;
    DatagramPacket packet;
    while (executedThisTurn < settings.batchSize() && (packet = queue.poll()) != null) {
      try {
        ByteBuf buf = packet.content();
        DecodedRequest request = decode(buf);
        // The original may have run while its retransmission waited here.
        if (!isCached(request.command()) || !answerFromCache(buf, packet.sender(), request)) {
          execute(buf, packet.sender(), request);
        }
      } catch (RuntimeException e) {
        stats.internalFailures.increment();
        log.error("queued request from {} failed", packet.sender(), e);
      } finally {
        packet.release();
      }
    }
    endTurn();
  }

  /** Ends a turn: make writes durable, then send the replies, then let the loop read again. */
  private void endTurn() {
    executedThisTurn = 0;
    if (unsyncedWrites) {
      unsyncedWrites = false;
      if (settings.syncWrites()) {
        service.sync();
      }
    }
    if (unflushedReplies) {
      unflushedReplies = false;
      ctx.flush();
    }
    if (!queue.isEmpty()) {
      scheduleDrain();
    }
  }

  private void scheduleDrain() {
    if (!drainScheduled) {
      drainScheduled = true;
      ctx.channel().eventLoop().execute(drainTask);
    }
  }

  private DecodedRequest decode(ByteBuf buf) {
    ByteBuffer view = buf.nioBuffer(buf.readerIndex(), buf.readableBytes());
    return RequestDecoder.decode(view, decoded);
  }

  private static boolean isCached(Command command) {
    return command == Command.PUT
        || command == Command.GET
        || command == Command.REMOVE
        || command == Command.WIPEOUT;
  }

  private boolean answerFromCache(ByteBuf buf, InetSocketAddress sender, DecodedRequest request) {
    int start = buf.readerIndex();
    long fingerprint = RequestFingerprint.of(buf, start, request.declaredLength());
    int handle =
        replyCache.find(
            ReplyCache.sourceKey(sender), buf.getLong(start), buf.getLong(start + 8), fingerprint);
    if (handle < 0) {
      return false;
    }
    stats.retransmissions.increment();
    ByteBuf out = ctx.alloc().directBuffer(replyCache.replySize(handle));
    replyCache.copyReply(handle, buf, start, out);
    send(out, sender);
    return true;
  }

  /** Executes a client request here, or forwards it to the key's owner. */
  private void execute(ByteBuf buf, InetSocketAddress sender, DecodedRequest request) {
    long started = System.nanoTime();
    try {
      route(buf, sender, request);
    } finally {
      long micros = (System.nanoTime() - started) / 1000;
      stats.latencyMicros.recordValue(Math.max(1, Math.min(micros, 60_000_000L)));
    }
  }

  private void route(ByteBuf buf, InetSocketAddress sender, DecodedRequest request) {
    executedThisTurn++;
    if (request.command().hasKey) {
      InetSocketAddress owner = router.remoteOwner(request.key());
      if (owner != null) {
        forward(buf, sender, request, owner);
        return;
      }
    }
    ByteBuf reply = executeLocally(buf, sender, request);
    if (reply == null) {
      return;
    }
    if (request.command() == Command.SHUTDOWN) {
      ctx.writeAndFlush(new DatagramPacket(reply, sender)).addListener(f -> node.haltNow());
      return;
    }
    send(reply, sender);
  }

  /**
   * Runs a request against local storage and caches its reply under the client's address.
   * Returns the reply, or null if an internal failure was already answered.
   */
  private ByteBuf executeLocally(ByteBuf buf, InetSocketAddress client, DecodedRequest request) {
    Command command = request.command();
    stats.executed(command);
    int start = buf.readerIndex();
    ByteBuf reply;
    try {
      reply = executeCommand(buf, request, command);
    } catch (RuntimeException e) {
      stats.internalFailures.increment();
      log.error("{} from {} failed", command, client, e);
      reply = ctx.alloc().directBuffer(ReplyEncoder.CODE_ONLY);
      reply.writeBytes(buf, start, Wire.REQUEST_ID_LENGTH).writeByte(ResponseCode.INTERNAL_FAILURE.code);
      return reply;
    }
    if (isCached(command)) {
      long fingerprint = RequestFingerprint.of(buf, start, request.declaredLength());
      replyCache.insert(
          ReplyCache.sourceKey(client),
          buf.getLong(start),
          buf.getLong(start + 8),
          fingerprint,
          reply,
          System.currentTimeMillis());
    }
    return reply;
  }

  // ------------------------------------------------------------------ internal frames

  private void onInternal(ByteBuf buf, InetSocketAddress sender) {
    byte[] frame = authenticator.open(buf);
    if (frame == null) {
      stats.unauthenticated.increment();
      return;
    }
    if (frame.length < InternalFrame.HEADER || (frame[InternalFrame.VERSION_OFFSET] & 0xFF) != InternalFrame.VERSION) {
      stats.internalMalformed.increment();
      return;
    }
    int type = frame[InternalFrame.TYPE_OFFSET] & 0xFF;
    if (type == ForwardFrames.FORWARD) {
      executeForwarded(frame, sender);
    } else if (type == ForwardFrames.FORWARD_REPLY) {
      Forwarder.Pending p = forwarder.complete(ForwardFrames.number(frame));
      if (p != null) {
        p.handler().ctx.channel().eventLoop().execute(() -> p.handler().relay(p, frame));
      }
    } else if (!internal.onInternal(frame, sender)) {
      stats.internalUnhandled.increment();
    }
  }

  /** Sends a client's request to the key's owner and remembers whom to answer. */
  private void forward(ByteBuf buf, InetSocketAddress client, DecodedRequest request, InetSocketAddress owner) {
    int start = buf.readerIndex();
    boolean cacheable = isCached(request.command());
    long fingerprint = cacheable ? RequestFingerprint.of(buf, start, request.declaredLength()) : 0;
    long number =
        forwarder.register(
            new Forwarder.Pending(this, client, buf.getLong(start), buf.getLong(start + 8),
                fingerprint, cacheable, System.nanoTime()));
    if (number < 0) {
      stats.overloaded.increment();
      replyCode(buf, client, ResponseCode.OVERLOAD);
      return;
    }
    byte[] bytes = new byte[request.declaredLength()];
    buf.getBytes(start, bytes);
    sendInternal(ForwardFrames.forward(number, client, bytes, 0, bytes.length), owner);
  }

  /** The owner's side: execute a forwarded request here and send the reply back. */
  private void executeForwarded(byte[] frame, InetSocketAddress coordinator) {
    InetSocketAddress client = ForwardFrames.client(frame);
    if (client == null) {
      stats.internalMalformed.increment();
      return;
    }
    int offset = ForwardFrames.requestOffset(frame);
    ByteBuf buf = Unpooled.wrappedBuffer(frame, offset, frame.length - offset);
    DecodedRequest request = decode(buf);
    if (request.outcome() != DecodedRequest.Outcome.CLIENT_REQUEST || request.command().isAdmin()) {
      stats.internalMalformed.increment();
      return;
    }
    stats.forwardedIn.increment();
    ByteBuf reply;
    int handle =
        isCached(request.command())
            ? replyCache.find(
                ReplyCache.sourceKey(client),
                buf.getLong(0),
                buf.getLong(8),
                RequestFingerprint.of(buf, 0, request.declaredLength()))
            : -1;
    if (handle >= 0) {
      stats.retransmissions.increment();
      reply = ctx.alloc().heapBuffer(replyCache.replySize(handle));
      replyCache.copyReply(handle, buf, 0, reply);
    } else {
      executedThisTurn++;
      // Always local: a forwarded request is never forwarded again, whatever our ring says.
      reply = executeLocally(buf, client, request);
    }
    byte[] bytes = new byte[reply.readableBytes()];
    reply.readBytes(bytes).release();
    sendInternal(ForwardFrames.reply(frame, bytes), coordinator);
  }

  /** The coordinator's side, on this handler's event loop: answer the client and cache. */
  private void relay(Forwarder.Pending p, byte[] frame) {
    int length = frame.length - InternalFrame.HEADER;
    if (length < ReplyEncoder.CODE_ONLY) {
      stats.internalMalformed.increment();
      return;
    }
    ByteBuf reply = ctx.alloc().directBuffer(length).writeBytes(frame, InternalFrame.HEADER, length);
    if (p.cacheable() && (reply.getByte(16) & 0xFF) != ResponseCode.OVERLOAD.code) {
      replyCache.insert(
          ReplyCache.sourceKey(p.client()), p.idHi(), p.idLo(), p.fingerprint(), reply,
          System.currentTimeMillis());
    }
    ctx.writeAndFlush(new DatagramPacket(reply, p.client()), ctx.voidPromise());
  }

  private void sendInternal(byte[] frame, InetSocketAddress to) {
    send(Unpooled.wrappedBuffer(authenticator.seal(frame)), to);
  }

  private ByteBuf executeCommand(ByteBuf buf, DecodedRequest request, Command command) {
    ByteBuffer view = request.buffer();
    return switch (command) {
      case PUT -> {
        unsyncedWrites = true;
        yield codeReply(view, service.put(request.key(), request.value()));
      }
      case GET -> {
        byte[] value = service.get(request.key());
        if (value == null) {
          yield codeReply(view, ResponseCode.NOT_FOUND);
        }
        ByteBuf out = ctx.alloc().directBuffer(ReplyEncoder.sizeWithValue(value.length));
        ByteBuffer nio = out.nioBuffer(0, ReplyEncoder.sizeWithValue(value.length));
        ReplyEncoder.valueHeader(nio, view, view.position(), value.length);
        nio.put(value);
        yield out.writerIndex(nio.position());
      }
      case REMOVE -> {
        unsyncedWrites = true;
        yield codeReply(view, service.remove(request.key()));
      }
      case WIPEOUT -> {
        service.wipeout();
        yield codeReply(view, ResponseCode.SUCCESS);
      }
      case SHUTDOWN, IS_ALIVE -> codeReply(view, ResponseCode.SUCCESS);
      case GET_PID -> intReply(view, node.pid());
      case GET_MEMBERSHIP_COUNT -> intReply(view, node.liveMembers());
      case LIST_MEMBERS -> membersReply(view, request);
    };
  }

  private ByteBuf membersReply(ByteBuffer view, DecodedRequest request) {
    int start = 0;
    int at = view.position() + Wire.KEY_OFFSET;
    if (view.limit() >= at + 4) {
      start = (view.get(at) & 0xFF) | (view.get(at + 1) & 0xFF) << 8
          | (view.get(at + 2) & 0xFF) << 16 | (view.get(at + 3) & 0x7F) << 24;
    }
    byte[] page = node.membersPage(start, UdpTransport.DATAGRAM_SLOT * 3);
    ByteBuf out = ctx.alloc().directBuffer(ReplyEncoder.CODE_ONLY + page.length);
    ByteBuffer nio = out.nioBuffer(0, ReplyEncoder.CODE_ONLY);
    ReplyEncoder.code(nio, view, view.position(), ResponseCode.SUCCESS);
    return out.writerIndex(ReplyEncoder.CODE_ONLY).writeBytes(page);
  }

  private ByteBuf codeReply(ByteBuffer request, ResponseCode code) {
    ByteBuf out = ctx.alloc().directBuffer(ReplyEncoder.CODE_ONLY);
    ByteBuffer nio = out.nioBuffer(0, ReplyEncoder.CODE_ONLY);
    ReplyEncoder.code(nio, request, request.position(), code);
    return out.writerIndex(ReplyEncoder.CODE_ONLY);
  }

  private ByteBuf intReply(ByteBuffer request, int value) {
    ByteBuf out = ctx.alloc().directBuffer(ReplyEncoder.WITH_INT);
    ByteBuffer nio = out.nioBuffer(0, ReplyEncoder.WITH_INT);
    ReplyEncoder.withInt(nio, request, request.position(), value);
    return out.writerIndex(ReplyEncoder.WITH_INT);
  }

  private void replyError(ByteBuf request, InetSocketAddress sender, ResponseCode code) {
    if (!errorLimiter.tryAcquire(ReplyCache.sourceKey(sender), System.nanoTime())) {
      stats.errorRepliesSuppressed.increment();
      return;
    }
    replyCode(request, sender, code);
  }

  private void replyCode(ByteBuf request, InetSocketAddress sender, ResponseCode code) {
    ByteBuf out = ctx.alloc().directBuffer(ReplyEncoder.CODE_ONLY);
    out.writeBytes(request, request.readerIndex(), Wire.REQUEST_ID_LENGTH);
    out.writeByte(code.code);
    send(out, sender);
  }

  private void send(ByteBuf reply, InetSocketAddress recipient) {
    ctx.write(new DatagramPacket(reply, recipient), ctx.voidPromise());
    unflushedReplies = true;
  }
}
