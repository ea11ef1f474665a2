package io.kvstore.bench.replicated;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Hazelcast through its Java client: {@code IMap.getAsync}/{@code setAsync} on the map that {@link
 * HazelcastMember} configures with 2 synchronous backups. The client routes each key to its
 * partition owner (Hazelcast's default), which then waits for both backups before it answers a
 * write.
 */
public final class HazelcastBackend implements KvBackend {
  /**
   * Runs the harness's continuation on the client thread that completed the operation, as the
   * KVStore client does, instead of handing it to Hazelcast's default async executor.
   */
  static final Executor ON_RESPONSE_THREAD = Runnable::run;

  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // Hazelcast completes client futures through its default async executor: the JDK common pool
    // if that has 2 threads or more, otherwise a new thread per task. On 2 cores the common pool
    // has 1, so every operation started a thread (measured: ~0.3-0.5 ms of CPU per operation in
    // the harness, Hazelcast capped near 1,300 ops/s). Set before any Hazelcast class is loaded.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
    if (ForkJoinPool.getCommonPoolParallelism() < 2) {
      System.err.println("replicated-bench: warning: the common pool has "
          + ForkJoinPool.getCommonPoolParallelism() + " thread; Hazelcast will start a thread per"
          + " completed operation (pass -D" + COMMON_POOL_PARALLELISM + "=2)");
    }
  }

  private final HazelcastInstance client;
  private final IMap<byte[], byte[]> map;

  private HazelcastBackend(HazelcastInstance client) {
    this.client = client;
    this.map = client.getMap(HazelcastMember.MAP_NAME);
  }

  /**
   * Connects to the members and waits until the client sees {@code expectMembers} of them.
   *
   * @throws IllegalStateException if the cluster is not formed within {@code formTimeout}
   */
  public static HazelcastBackend open(
      java.util.List<InetSocketAddress> members,
      String clusterName,
      int expectMembers,
      Duration formTimeout)
      throws InterruptedException {
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.client.statistics.enabled", "false");
    for (InetSocketAddress member : members) {
      config.getNetworkConfig().addAddress(member.getHostString() + ":" + member.getPort());
    }
    config
        .getConnectionStrategyConfig()
        .getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(formTimeout.toMillis());
    HazelcastBackend backend = new HazelcastBackend(HazelcastClient.newHazelcastClient(config));
    try {
      backend.awaitMembers(expectMembers, formTimeout);
    } catch (RuntimeException | InterruptedException e) {
      backend.close();
      throw e;
    }
    return backend;
  }

  private void awaitMembers(int expected, Duration timeout) throws InterruptedException {
    MemberCount.await(
        "the Hazelcast client", () -> client.getCluster().getMembers().size(), expected, timeout);
  }

  @Override
  public String system() {
    return "hazelcast";
  }

  @Override
  public CompletionStage<Outcome> get(byte[] key) {
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    map.getAsync(key)
        .whenCompleteAsync((value, failure) -> done.complete(outcome(value != null, failure)), ON_RESPONSE_THREAD);
    return done;
  }

  @Override
  public CompletionStage<Outcome> put(byte[] key, byte[] value) {
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    map.setAsync(key, value)
        .whenCompleteAsync((ignored, failure) -> done.complete(outcome(true, failure)), ON_RESPONSE_THREAD);
    return done;
  }

  /** A GET that returned null found nothing; any exception (timeout, no member) is FAILED. */
  static Outcome outcome(boolean found, Throwable failure) {
    if (failure != null) {
      return Outcome.FAILED;
    }
    return found ? Outcome.OK : Outcome.MISS;
  }

  @Override
  public Map<String, Long> clientCounters() {
    return Map.of();
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
