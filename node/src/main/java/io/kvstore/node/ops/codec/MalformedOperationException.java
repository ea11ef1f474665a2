package io.kvstore.node.ops.codec;

/** Bytes that are not a well-formed signed operation; the message says what is wrong. */
public final class MalformedOperationException extends Exception {
  public MalformedOperationException(String message) {
    super(message);
  }
}
