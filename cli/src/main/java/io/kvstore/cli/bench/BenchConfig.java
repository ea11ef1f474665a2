package io.kvstore.cli.bench;

import io.kvstore.client.NodeAddress;
import io.kvstore.protocol.Wire;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What to measure and how hard to push.
 *
 * @param target the server under test
 * @param protocol what it speaks
 * @param workload which requests to send
 * @param getRatio fraction of GETs in a {@link Workload#MIXED} workload (0..1)
 * @param valueSize bytes per value
 * @param keyCount keys 0..keyCount-1; requests pick among them uniformly
 * @param window requests in flight at any time (closed loop)
 * @param sockets UDP sockets the window is spread over, one thread each
 * @param duration measured time, after the warm-up
 * @param warmup time spent loading the server before measuring
 * @param preload whether to PUT every key once before the run, so that GETs hit
 * @param requestTimeout a request with no reply after this long counts as a timeout
 * @param seed makes the key and operation sequence reproducible
 */
public record BenchConfig(
    InetSocketAddress target,
    Protocol protocol,
    Workload workload,
    double getRatio,
    int valueSize,
    int keyCount,
    int window,
    int sockets,
    Duration duration,
    Duration warmup,
    boolean preload,
    Duration requestTimeout,
    long seed) {

  /** The largest window: memcached's 2-byte request id must hold a slot number and a tag. */
  public static final int MAX_WINDOW = 16_384;

  public enum Protocol {
    KVSTORE,
    MEMCACHED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public enum Workload {
    PUT,
    GET,
    MIXED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public BenchConfig {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(workload, "workload");
    require(
        getRatio >= 0 && getRatio <= 1, "the GET ratio must be between 0 and 1, got " + getRatio);
    require(
        valueSize >= 0 && valueSize <= Wire.MAX_VALUE_LENGTH,
        "the value size must be 0 to 15000 bytes (the KVStore limit), got " + valueSize);
    require(keyCount >= 1, "the key count must be at least 1, got " + keyCount);
    require(
        window >= 1 && window <= MAX_WINDOW,
        "the window must be 1 to " + MAX_WINDOW + " requests, got " + window);
    require(sockets >= 1, "at least one socket is needed, got " + sockets);
    require(isPositive(duration), "the duration must be positive, got " + duration);
    require(warmup != null && !warmup.isNegative(), "the warm-up cannot be negative: " + warmup);
    require(isPositive(requestTimeout), "the request timeout must be positive: " + requestTimeout);
  }

  public static Builder builder(InetSocketAddress target) {
    return new Builder(target);
  }

  /** Builder for the node as HOST:PORT. */
  public static Builder builder(String hostPort) {
    return new Builder(NodeAddress.parse(hostPort));
  }

  /** Sockets actually used: never more than the window, so every socket has a request. */
  public int effectiveSockets() {
    return Math.min(sockets, window);
  }

  /** The share of GETs among the requests sent. */
  public double getFraction() {
    return switch (workload) {
      case PUT -> 0.0;
      case GET -> 1.0;
      case MIXED -> getRatio;
    };
  }

  private static boolean isPositive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Builds a {@link BenchConfig}; every setting except the target has a default. */
  public static final class Builder {
    private final InetSocketAddress target;
    private Protocol protocol = Protocol.KVSTORE;
    private Workload workload = Workload.GET;
    private double getRatio = 0.9;
    private int valueSize = 100;
    private int keyCount = 10_000;
    private int window = 32;
    private int sockets = 4;
    private Duration duration = Duration.ofSeconds(10);
    private Duration warmup = Duration.ofSeconds(3);
    private Boolean preload;
    private Duration requestTimeout = Duration.ofSeconds(1);
    private long seed = 1;

    private Builder(InetSocketAddress target) {
      this.target = target;
    }

    public Builder protocol(Protocol protocol) {
      this.protocol = protocol;
      return this;
    }

    public Builder workload(Workload workload) {
      this.workload = workload;
      return this;
    }

    public Builder getRatio(double getRatio) {
      this.getRatio = getRatio;
      return this;
    }

    public Builder valueSize(int valueSize) {
      this.valueSize = valueSize;
      return this;
    }

    public Builder keyCount(int keyCount) {
      this.keyCount = keyCount;
      return this;
    }

    public Builder window(int window) {
      this.window = window;
      return this;
    }

    public Builder sockets(int sockets) {
      this.sockets = sockets;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    /** Defaults to true for GET and MIXED workloads, false for PUT. */
    public Builder preload(boolean preload) {
      this.preload = preload;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public BenchConfig build() {
      boolean load = preload != null ? preload : workload != Workload.PUT;
      return new BenchConfig(
          target,
          protocol,
          workload,
          getRatio,
          valueSize,
          keyCount,
          window,
          sockets,
          duration,
          warmup,
          load,
          requestTimeout,
          seed);
    }
  }
}
