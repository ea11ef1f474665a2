package io.kvstore.node.cluster;

/** An internal datagram that does not decode. Counted and dropped, never answered. */
public final class MalformedMessageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message, null, false, false);
  }
}
