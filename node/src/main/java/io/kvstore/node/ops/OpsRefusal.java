package io.kvstore.node.ops;

/**
 * Why an operation is not run here, in the order the verifier checks (docs/OPERATIONS.md). Each
 * is counted as {@code ops.refused.<reason>} and logged, rate-limited, with the operation's id and
 * source. {@link #NOT_TARGETED} alone still stores and spreads the operation.
 */
public enum OpsRefusal {
  MALFORMED,
  /** The node trusts no operator key: operations are off. */
  DISABLED,
  UNTRUSTED_KEY,
  BAD_SIGNATURE,
  EXPIRED,
  /** Issued further in the future than the allowed clock skew. */
  NOT_YET_VALID,
  /** Valid for longer than {@code ops.max-ttl-ms}. */
  TTL_TOO_LONG,
  /**
   * Issued before this node's replay memory began (a {@code --memory} node's starts with the
   * process, plus the clock skew): it may have run here before the restart, so it never runs.
   */
  ISSUED_BEFORE_START,
  /** The id was accepted before (and is remembered until it expires): nothing runs twice. */
  REPLAYED,
  /** {@code ops.max-active} operations are held and none has expired: ids are never dropped early. */
  TABLE_FULL,
  /** The operation could not be remembered durably, so it is not run (it could run twice). */
  STORE_FAILED,
  /** Accepted, stored and spread, but the selector does not name this node. */
  NOT_TARGETED;

  /** The reason as stats, logs and NOT_PERMITTED replies spell it: {@code untrusted-key}. */
  public String wireName() {
    return name().toLowerCase().replace('_', '-');
  }
}
