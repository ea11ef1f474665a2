package io.kvstore.node.sources;

import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.RateLimitedLog;
import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who the node answers, and how much: the allow-list ({@code allow-clients}: datagrams from other
 * sources get nothing), the trusted ranges ({@code trusted-clients}: replies not budgeted) and the
 * per-source {@link ReplyBudget} for everyone else. Applied where reply bytes leave toward a
 * client: on the node that took the client's datagram, also for replies it relays from the key's
 * owner. Thread-safe.
 */
public final class ClientSources {
  private static final Logger log = LoggerFactory.getLogger(ClientSources.class);

  private final SourceAllowList allowed;
  private final SourceAllowList trusted;
  private final ReplyBudget budget;
  private final LongAdder refused = new LongAdder();
  private final RateLimitedLog refusals;
  private final String refusal;

  public ClientSources(
      SourceAllowList allowed, SourceAllowList trusted, ReplyBudget budget, Clock clock) {
    this.allowed = allowed;
    this.trusted = trusted;
    this.budget = budget;
    this.refusals = new RateLimitedLog(log::warn, 10_000, clock);
    this.refusal = "datagram dropped: source not in allow-clients (" + allowed + "): ";
  }

  /** Whether a datagram from {@code source} is read at all; counts and logs it if not. */
  public boolean admits(InetAddress source) {
    if (allowed.permits(source)) {
      return true;
    }
    refused.increment();
    refusals.warn(refusal, source);
    return false;
  }

  /**
   * Whether a reply of {@code replyBytes} to a request of {@code requestBytes} may go to {@code
   * client} (charging its budget), or must be replaced by a 17-byte 0x03.
   */
  public boolean mayReply(InetAddress client, int requestBytes, int replyBytes) {
    return ReplyBudget.isFree(requestBytes, replyBytes)
        || trusted.permits(client)
        || budget.tryCharge(client, requestBytes, replyBytes);
  }

  /** Datagrams dropped because their source is not in the allow-list. */
  public long refused() {
    return refused.sum();
  }

  public ReplyBudget budget() {
    return budget;
  }

  public SourceAllowList allowed() {
    return allowed;
  }

  public SourceAllowList trusted() {
    return trusted;
  }
}
