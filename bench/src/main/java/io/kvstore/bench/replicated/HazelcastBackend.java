package io.kvstore.bench.replicated;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Hazelcast through its Java client: {@code IMap.getAsync}/{@code setAsync} on the map that {@link
 * HazelcastMember} configures with 2 synchronous backups. The client routes each key to its
 * partition owner (Hazelcast's default), which then waits for both backups before it answers a
 * write.
 */
public final class HazelcastBackend implements KvBackend {
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
    return map.getAsync(key)
        .handle((value, failure) -> outcome(value != null, failure));
  }

  @Override
  public CompletionStage<Outcome> put(byte[] key, byte[] value) {
    return map.setAsync(key, value)
        .handle((ignored, failure) -> outcome(true, failure));
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
