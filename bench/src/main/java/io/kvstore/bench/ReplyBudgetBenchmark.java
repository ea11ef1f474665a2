package io.kvstore.bench;

import io.kvstore.node.runtime.SystemClock;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.sources.SourceAllowList;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of the amplification checks per datagram: the allow-list lookup every datagram pays, a
 * small reply (free: no table access), and a large reply charged to one of 10,000 sources'
 * buckets. Run with {@code -prof gc}: none allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx64m"})
public class ReplyBudgetBenchmark {
  private ClientSources sources;
  private InetAddress[] clients;
  private int next;

  @Setup
  public void setUp() throws UnknownHostException {
    sources =
        new ClientSources(
            new SourceAllowList(List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8")),
            new SourceAllowList(List.of()),
            new ReplyBudget(4L << 20, 4L << 20, 32_768, SystemClock.INSTANCE),
            SystemClock.INSTANCE);
    clients = new InetAddress[10_000];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i});
    }
  }

  private InetAddress client() {
    next = next == clients.length - 1 ? 0 : next + 1;
    return clients[next];
  }

  @Benchmark
  public boolean allowListCheck() {
    return sources.admits(client());
  }

  @Benchmark
  public boolean smallReply() {
    return sources.mayReply(client(), 49, 119);
  }

  @Benchmark
  public boolean largeReplyCharged() {
    return sources.mayReply(client(), 49, 15_019);
  }
}
