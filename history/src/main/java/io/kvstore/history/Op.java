package io.kvstore.history;

import java.nio.charset.StandardCharsets;

/**
 * One recorded client operation.
 *
 * @param process the client that ran it (one operation at a time per process is usual, not required)
 * @param value the value a PUT wrote or a GET read (OK_VALUE); null otherwise
 * @param completedNanos when its outcome was known; {@link #PENDING} while it is not
 * @param outcome null while pending (a pending write counts as UNKNOWN, a pending read is not checked)
 */
public record Op(
    long id,
    int process,
    Kind kind,
    byte[] key,
    byte[] value,
    long invokedNanos,
    long completedNanos,
    Outcome outcome) {

  public static final long PENDING = Long.MAX_VALUE;

  Op completed(Outcome how, byte[] readValue, long atNanos) {
    return new Op(id, process, kind, key, kind == Kind.GET ? readValue : value, invokedNanos, atNanos, how);
  }

  /** Acknowledged write: its end can hide older writes. */
  boolean acknowledgedWrite() {
    return outcome == Outcome.OK_WRITE;
  }

  /** A write that may have taken effect: acknowledged, unknown or never completed. */
  boolean mayHaveWritten() {
    return kind.writes() && outcome != Outcome.FAILED;
  }

  /** A read with an answer to check. */
  boolean answeredRead() {
    return outcome == Outcome.OK_VALUE || outcome == Outcome.OK_NOT_FOUND;
  }

  /** "PUT "v" [1.000 ms, 2.500 ms] OK_WRITE by process 3": the form violations are printed in. */
  public String describe() {
    String what = switch (kind) {
      case PUT -> "PUT " + text(value);
      case REMOVE -> "REMOVE";
      case GET -> "GET" + (outcome == Outcome.OK_VALUE ? " -> " + text(value)
          : outcome == Outcome.OK_NOT_FOUND ? " -> not found" : "");
    };
    String end = completedNanos == PENDING ? "never" : millis(completedNanos);
    return String.format("%s [%s, %s] %s by process %d (op %d)", what, millis(invokedNanos), end,
        outcome == null ? "PENDING" : outcome, process, id);
  }

  @Override
  public String toString() {
    return "key " + text(key) + ": " + describe();
  }

  static String millis(long nanos) {
    return String.format("%.3f ms", nanos / 1e6);
  }

  /** Printable ASCII as a quoted string, anything else as hex. */
  static String text(byte[] bytes) {
    if (bytes == null) {
      return "<absent>";
    }
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        StringBuilder hex = new StringBuilder("0x");
        for (byte h : bytes) {
          hex.append(String.format("%02x", h));
        }
        return hex.toString();
      }
    }
    return '"' + new String(bytes, StandardCharsets.US_ASCII) + '"';
  }
}
