package io.kvstore.bench.replicated;

import io.kvstore.client.ClientStats;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvResult;
import io.kvstore.client.NodeAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * KVStore through the project's async {@link KvClient}: one client per node, each request to a
 * node chosen at random (any node coordinates), as an application spreading its load would.
 */
public final class KvStoreBackend implements KvBackend {
  private final List<KvClient> clients;

  private KvStoreBackend(List<KvClient> clients) {
    this.clients = clients;
  }

  /**
   * Opens a client per node and waits until every node sees {@code expectMembers} members.
   *
   * @param maxOutstanding per client; at least the harness's window, so none fails fast
   * @throws IllegalStateException if the cluster is not formed within {@code formTimeout}
   */
  public static KvStoreBackend open(
      List<InetSocketAddress> nodes, int maxOutstanding, int expectMembers, Duration formTimeout)
      throws InterruptedException {
    List<KvClient> clients = new ArrayList<>();
    for (InetSocketAddress node : nodes) {
      clients.add(
          KvClient.open(KvClientConfig.builder().node(node).maxOutstanding(maxOutstanding).build()));
    }
    KvStoreBackend backend = new KvStoreBackend(clients);
    try {
      backend.awaitMembers(expectMembers, formTimeout);
    } catch (RuntimeException | InterruptedException e) {
      backend.close();
      throw e;
    }
    return backend;
  }

  private void awaitMembers(int expected, Duration timeout) throws InterruptedException {
    for (KvClient client : clients) {
      MemberCount.await(
          NodeAddress.format(client.config().node()),
          () -> {
            try {
              return client.membershipCount().get(5, TimeUnit.SECONDS).intValue();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return MemberCount.NO_ANSWER;
            } catch (ExecutionException | TimeoutException e) {
              return MemberCount.NO_ANSWER; // not up yet: ask again until the deadline
            }
          },
          expected,
          timeout);
    }
  }

  @Override
  public String system() {
    return "kvstore";
  }

  @Override
  public CompletionStage<Outcome> get(byte[] key) {
    return pick().get(key).handle(KvStoreBackend::outcome);
  }

  @Override
  public CompletionStage<Outcome> put(byte[] key, byte[] value) {
    return pick().put(key, value).handle(KvStoreBackend::outcome);
  }

  private KvClient pick() {
    return clients.get(ThreadLocalRandom.current().nextInt(clients.size()));
  }

  static Outcome outcome(KvResult result, Throwable failure) {
    if (failure != null) {
      return Outcome.FAILED;
    }
    if (result.isSuccess()) {
      return Outcome.OK;
    }
    return result.isNotFound() ? Outcome.MISS : Outcome.REJECTED;
  }

  @Override
  public Map<String, Long> clientCounters() {
    long requests = 0;
    long retransmissions = 0;
    long timeouts = 0;
    for (KvClient client : clients) {
      ClientStats stats = client.stats();
      requests += stats.requests();
      retransmissions += stats.retransmissions();
      timeouts += stats.timeouts();
    }
    Map<String, Long> counters = new LinkedHashMap<>();
    counters.put("requests", requests);
    counters.put("retransmissions", retransmissions);
    counters.put("timeouts", timeouts);
    return counters;
  }

  @Override
  public void close() {
    clients.forEach(KvClient::close);
  }
}
