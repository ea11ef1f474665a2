package io.kvstore.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link KvClient} talks to its node. Defaults follow DESIGN.md §2: 100 ms first timeout,
 * doubling, 3 retries (waits of 100, 200, 400 and 800 ms).
 *
 * @param node the node every request goes to
 * @param timeout how long the first attempt waits for a reply
 * @param retries how many times a request is sent again after a timeout
 * @param backoffMultiplier each retry waits this many times longer than the attempt before
 * @param maxOutstanding requests that may wait for replies at once; more fail fast
 */
public record KvClientConfig(
    InetSocketAddress node,
    Duration timeout,
    int retries,
    double backoffMultiplier,
    int maxOutstanding) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
  public static final int DEFAULT_RETRIES = 3;
  public static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;
  public static final int DEFAULT_MAX_OUTSTANDING = 1024;

  public KvClientConfig {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be 0 or more, got " + retries);
    }
    if (!(backoffMultiplier >= 1.0)) {
      throw new IllegalArgumentException(
          "backoffMultiplier must be at least 1.0, got " + backoffMultiplier);
    }
    if (maxOutstanding < 1) {
      throw new IllegalArgumentException(
          "maxOutstanding must be at least 1, got " + maxOutstanding);
    }
  }

  /** A configuration with every default, for the node at HOST:PORT. */
  public static KvClientConfig of(String hostPort) {
    return builder().node(hostPort).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How long attempt {@code attempt} (0 = first send) waits before the next retry or failure. */
  public long attemptTimeoutNanos(int attempt) {
    return (long) (timeout.toNanos() * Math.pow(backoffMultiplier, attempt));
  }

  /** Total time a request may wait before it fails: the sum over all attempts. */
  public Duration totalTimeout() {
    long nanos = 0;
    for (int attempt = 0; attempt <= retries; attempt++) {
      nanos += attemptTimeoutNanos(attempt);
    }
    return Duration.ofNanos(nanos);
  }

  /** Builds a {@link KvClientConfig}; only the node is required. */
  public static final class Builder {
    private InetSocketAddress node;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int retries = DEFAULT_RETRIES;
    private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;
    private int maxOutstanding = DEFAULT_MAX_OUTSTANDING;

    private Builder() {}

    public Builder node(InetSocketAddress node) {
      this.node = node;
      return this;
    }

    /** The node as HOST:PORT, e.g. 127.0.0.1:4000. */
    public Builder node(String hostPort) {
      return node(NodeAddress.parse(hostPort));
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder retries(int retries) {
      this.retries = retries;
      return this;
    }

    public Builder backoffMultiplier(double backoffMultiplier) {
      this.backoffMultiplier = backoffMultiplier;
      return this;
    }

    public Builder maxOutstanding(int maxOutstanding) {
      this.maxOutstanding = maxOutstanding;
      return this;
    }

    public KvClientConfig build() {
      if (node == null) {
        throw new IllegalStateException("a client needs a node address: call node(\"HOST:PORT\")");
      }
      return new KvClientConfig(node, timeout, retries, backoffMultiplier, maxOutstanding);
    }
  }
}
