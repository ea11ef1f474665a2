package io.kvstore.history;

/**
 * How an operation ended, as far as the client can know. Anything ambiguous is {@link #UNKNOWN}:
 * a write with that outcome may have been applied (now or later) or not.
 */
public enum Outcome {
  /** A GET answered with a value. */
  OK_VALUE,
  /** A GET answered "non-existent key". */
  OK_NOT_FOUND,
  /** A PUT or REMOVE acknowledged (a REMOVE of an absent key included: the key is absent after it). */
  OK_WRITE,
  /** No answer (timeout), or an answer that does not say whether the operation ran. */
  UNKNOWN,
  /** The protocol says the operation was rejected before it could run. */
  FAILED;

  /** Never-run replies: the request was rejected by validation, before any storage or forwarding. */
  private static boolean rejectedBeforeRunning(int code) {
    return code == 0x05 // unrecognized command
        || code == 0x06 // invalid key
        || code == 0x07 // invalid value length
        || code == 0x09 // malformed datagram
        || code == 0x21; // not permitted
  }

  /**
   * The outcome a client reply code means (docs/PROTOCOL.md). 0x02 (out of space), 0x03
   * (overload), 0x04 (internal failure) and 0x22 (replicas unavailable) are UNKNOWN: with
   * forwarding or replication some node may have run the write before the error was decided.
   *
   * @param code the reply code, or a negative number for "no reply" (timeout)
   */
  public static Outcome ofReply(Kind kind, int code) {
    if (code == 0x00) {
      return kind == Kind.GET ? OK_VALUE : OK_WRITE;
    }
    if (code == 0x01) {
      return kind == Kind.GET ? OK_NOT_FOUND : kind == Kind.REMOVE ? OK_WRITE : UNKNOWN;
    }
    return code >= 0 && rejectedBeforeRunning(code) ? FAILED : UNKNOWN;
  }

  boolean fits(Kind kind) {
    return switch (this) {
      case OK_VALUE, OK_NOT_FOUND -> kind == Kind.GET;
      case OK_WRITE -> kind.writes();
      case UNKNOWN, FAILED -> true;
    };
  }
}
