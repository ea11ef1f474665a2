package io.kvstore.node.request;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.RateLimitedLog;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datagrams longer than {@link #LIMIT}: counted and logged (at most once per 10 s), then served
 * like their first {@code LIMIT} bytes. The largest well-formed request is 15,051 bytes and bytes
 * past a request's declared end are padding, which the protocol ignores, so a longer datagram
 * means the same; the count tells the operator that someone sends them (a client bug, a probe).
 *
 * <p>The transport's receive slot is {@code LIMIT + 1} bytes: the kernel truncates a longer
 * datagram to the slot without telling (recvmmsg reports only the bytes copied), so a datagram
 * that fills the slot exactly is one that was longer than {@code LIMIT}, and one of exactly
 * {@code LIMIT} bytes is still told apart from a truncated one.
 */
public final class OversizedDatagrams {
  private static final Logger log = LoggerFactory.getLogger(OversizedDatagrams.class);
  /** The longest datagram the node reads whole. */
  public static final int LIMIT = 16 * 1024;

  private final LongAdder count;
  private final RateLimitedLog warning;

  OversizedDatagrams(LongAdder count, Clock clock) {
    this.count = count;
    this.warning = new RateLimitedLog(log::warn, 10_000, clock);
  }

  /** Counts and logs {@code length} if it is over the limit; returns whether it was. */
  boolean check(int length, InetSocketAddress source) {
    if (length <= LIMIT) {
      return false;
    }
    count.increment();
    warning.warn("oversized datagram (more than 16 KiB, served as its first 16 KiB) from ", source);
    return true;
  }
}
