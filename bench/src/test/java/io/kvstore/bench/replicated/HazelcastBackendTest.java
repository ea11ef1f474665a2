package io.kvstore.bench.replicated;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Hazelcast backend against one real member on loopback (started in this JVM, ~5 s). */
class HazelcastBackendTest {
  private static HazelcastInstance member;
  private static HazelcastBackend backend;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("hazelcast.phone.home.enabled", "false");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    InetSocketAddress self = new InetSocketAddress("127.0.0.1", port);
    member = Hazelcast.newHazelcastInstance(
        HazelcastMember.config(self, List.of(self), "backend-test-" + port));
    backend = HazelcastBackend.open(List.of(self), "backend-test-" + port, 1, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (backend != null) {
      backend.close();
    }
    if (member != null) {
      member.getLifecycleService().terminate();
    }
  }

  @Test
  void putThenGetFindsTheValueAndAnAbsentKeyIsAMiss() throws Exception {
    byte[] key = ReplicatedBench.keys(1)[0];
    assertThat(backend.put(key, new byte[100]).toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isEqualTo(Outcome.OK);
    assertThat(backend.get(key).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.OK);
    byte[] absent = ReplicatedBench.keys(2)[1];
    assertThat(backend.get(absent).toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isEqualTo(Outcome.MISS);
  }

  @Test
  void completionsRunOnTheClientsThreadsWithoutStartingAThreadEach() throws Exception {
    byte[][] keys = ReplicatedBench.keys(100);
    for (byte[] key : keys) { // warm up the client's pools
      backend.put(key, new byte[100]).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long startedBefore = threads.getTotalStartedThreadCount();
    String[] completedOn = new String[1];
    for (int i = 0; i < 500; i++) {
      CompletableFuture<Outcome> done = backend.get(keys[i % keys.length]).toCompletableFuture();
      done.thenRun(() -> completedOn[0] = Thread.currentThread().getName())
          .get(10, TimeUnit.SECONDS);
    }
    // Hazelcast's default async executor on a 2-core machine starts a thread per completion
    assertThat(threads.getTotalStartedThreadCount() - startedBefore).isLessThan(50);
    assertThat(completedOn[0]).doesNotStartWith("Thread-");
  }
}
