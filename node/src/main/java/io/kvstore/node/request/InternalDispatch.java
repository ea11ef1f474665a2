package io.kvstore.node.request;

import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The one dispatch of node-to-node frames (types 0x20-0xFF on the client port): authenticate
 * (before any decoding), check the framing version once, then hand the frame to the handler
 * registered for its type — membership, status rounds, request forwarding, later replication and
 * operations. A frame of a type nobody registered is counted and dropped.
 *
 * <p>A node builds one table of shared handlers (thread-safe: they hand frames to their own
 * thread); each pipeline extends a copy with its own forwarding handlers. Registration happens
 * before the first datagram, so lookups need no synchronisation beyond safe publication.
 */
public final class InternalDispatch {
  /** Receives one authenticated frame (tag removed) of a registered type. */
  @FunctionalInterface
  public interface Handler {
    void onFrame(InetSocketAddress from, byte[] frame);
  }

  private final FrameAuthenticator authenticator;
  private final RequestStats stats;
  private final Handler[] handlers;

  public InternalDispatch(FrameAuthenticator authenticator, RequestStats stats) {
    this(authenticator, stats, new Handler[256 - Command.INTERNAL_BASE]);
  }

  private InternalDispatch(FrameAuthenticator authenticator, RequestStats stats, Handler[] handlers) {
    this.authenticator = authenticator;
    this.stats = stats;
    this.handlers = handlers;
  }

  /** Registers the handler of {@code type}; a type has at most one. */
  public InternalDispatch register(int type, Handler handler) {
    if (type < Command.INTERNAL_BASE || type > 0xFF) {
      throw new IllegalArgumentException("internal frame types are 0x20-0xFF, not " + type);
    }
    if (handlers[type - Command.INTERNAL_BASE] != null) {
      throw new IllegalStateException("frame type 0x" + Integer.toHexString(type) + " already has a handler");
    }
    handlers[type - Command.INTERNAL_BASE] = handler;
    return this;
  }

  /** A copy of this table to which more handlers may be added without changing this one. */
  public InternalDispatch extend() {
    return new InternalDispatch(authenticator, stats, handlers.clone());
  }

  public FrameAuthenticator authenticator() {
    return authenticator;
  }

  /** One internal datagram (between position and limit, which are left unchanged). */
  public void onDatagram(InetSocketAddress from, ByteBuffer datagram) {
    byte[] frame = authenticator.open(datagram);
    if (frame == null) {
      stats.unauthenticated(from);
      return;
    }
    if (frame.length < InternalFrame.HEADER
        || (frame[InternalFrame.TYPE_OFFSET] & 0xFF) < Command.INTERNAL_BASE
        || (frame[InternalFrame.VERSION_OFFSET] & 0xFF) != InternalFrame.VERSION) {
      stats.internalMalformed.increment();
      return;
    }
    Handler handler = handlers[(frame[InternalFrame.TYPE_OFFSET] & 0xFF) - Command.INTERNAL_BASE];
    if (handler == null) {
      stats.internalUnhandled.increment();
      return;
    }
    handler.onFrame(from, frame);
  }
}
