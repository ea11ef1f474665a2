package io.kvstore.node.ops.keys;

/** A key file that cannot be read, parsed or written; the message names the file and the fault. */
public final class KeyFileException extends RuntimeException {
  public KeyFileException(String message) {
    super(message);
  }

  public KeyFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
