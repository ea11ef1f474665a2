package io.kvstore.client;

/** A request could not be completed: the client is closed, overloaded, or the network failed. */
public class KvException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KvException(String message) {
    super(message);
  }

  public KvException(String message, Throwable cause) {
    super(message, cause);
  }
}
