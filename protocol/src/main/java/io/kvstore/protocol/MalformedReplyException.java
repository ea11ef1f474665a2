package io.kvstore.protocol;

/** A reply datagram that does not follow the protocol. */
public final class MalformedReplyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedReplyException(String message) {
    super(message);
  }
}
