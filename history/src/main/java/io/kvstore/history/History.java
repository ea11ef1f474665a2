package io.kvstore.history;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A thread-safe, bounded recorder of client operations: {@link #invoke} before sending a request,
 * {@link #complete} when its outcome is known. Times come from the supplied clock in nanoseconds
 * (a simulation passes its virtual time); only their order matters to the checker, so every
 * recorder of one history must share the clock.
 *
 * <p>At most {@code maxOps} operations are recorded. Invocations past the cap are counted and
 * dropped (their handle is {@link #DROPPED}, which {@link #complete} ignores), and the instant of
 * the first one is kept: a read completing after it might have seen a dropped write, so the
 * checker skips such reads instead of calling them phantoms.
 */
public final class History {
  /** The handle of an invocation past the cap. */
  public static final long DROPPED = -1;

  private final LongSupplier nanoClock;
  private final int maxOps;
  private final List<Op> ops = new ArrayList<>();
  private final AtomicLong uniqueCounter = new AtomicLong();
  private long dropped;
  private long truncatedAtNanos = Long.MAX_VALUE;

  public History(LongSupplier nanoClock, int maxOps) {
    if (maxOps < 1) {
      throw new IllegalArgumentException("maxOps must be at least 1: " + maxOps);
    }
    this.nanoClock = nanoClock;
    this.maxOps = maxOps;
  }

  /**
   * Records the start of an operation.
   *
   * @param value the value of a PUT (must be non-null then); ignored otherwise
   * @return the handle for {@link #complete}, or {@link #DROPPED} past the cap
   */
  public synchronized long invoke(int process, Kind kind, byte[] key, byte[] value) {
    if (key == null || (kind == Kind.PUT && value == null)) {
      throw new IllegalArgumentException(kind + " needs a key" + (kind == Kind.PUT ? " and a value" : ""));
    }
    long now = nanoClock.getAsLong();
    if (ops.size() >= maxOps) {
      dropped++;
      truncatedAtNanos = Math.min(truncatedAtNanos, now);
      return DROPPED;
    }
    long handle = ops.size();
    ops.add(new Op(handle, process, kind, key.clone(), kind == Kind.PUT ? value.clone() : null, now,
        Op.PENDING, null));
    return handle;
  }

  /**
   * Records how an operation ended.
   *
   * @param readValue the value a GET returned with {@link Outcome#OK_VALUE}; ignored otherwise
   * @throws IllegalArgumentException if the outcome does not fit the operation (OK_VALUE for a PUT,
   *     OK_VALUE without a value)
   * @throws IllegalStateException if the operation was already completed
   */
  public synchronized void complete(long handle, Outcome outcome, byte[] readValue) {
    if (handle == DROPPED) {
      return;
    }
    Op op = ops.get(Math.toIntExact(handle));
    if (op.outcome() != null) {
      throw new IllegalStateException("operation completed twice: " + op.describe());
    }
    if (!outcome.fits(op.kind()) || (outcome == Outcome.OK_VALUE && readValue == null)) {
      throw new IllegalArgumentException(outcome + " does not fit " + op.describe());
    }
    byte[] read = outcome == Outcome.OK_VALUE ? readValue.clone() : null;
    ops.set((int) handle, op.completed(outcome, read, Math.max(op.invokedNanos(), nanoClock.getAsLong())));
  }

  /**
   * A value no other call of this recorder returns: {@code prefix#n}. Writes must write unique
   * values for a read to name the one write it saw.
   */
  public byte[] uniqueValue(String prefix) {
    return (prefix + "#" + uniqueCounter.getAndIncrement()).getBytes(StandardCharsets.UTF_8);
  }

  /** A copy of every recorded operation, in invocation order. */
  public synchronized List<Op> ops() {
    return List.copyOf(ops);
  }

  public synchronized int size() {
    return ops.size();
  }

  /** Invocations dropped past the cap. */
  public synchronized long dropped() {
    return dropped;
  }

  /** When the first invocation was dropped; Long.MAX_VALUE if none was. */
  public synchronized long truncatedAtNanos() {
    return truncatedAtNanos;
  }
}
