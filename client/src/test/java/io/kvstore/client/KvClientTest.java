package io.kvstore.client;

import io.kvstore.protocol.testing.FakeNode;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.Wire;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class KvClientTest {
  private static final byte[] KEY = Keys.sha256("greeting");
  private static final byte[] VALUE = "hello".getBytes(UTF_8);

  private FakeNode node;
  private final List<KvClient> clients = new ArrayList<>();

  @BeforeEach
  void startNode() throws Exception {
    node = new FakeNode();
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(KvClient::close);
    node.close();
  }

  private KvClient open(KvClientConfig.Builder config) {
    KvClient client = KvClient.open(config.build());
    clients.add(client);
    return client;
  }

  @Test
  void everyCommandRoundTrips() {
    BlockingKvClient client = open(KvClientConfig.builder().node(node.address())).blocking();

    assertThat(client.put(KEY, VALUE).isSuccess()).isTrue();
    KvResult got = client.get(KEY);
    assertThat(got.isSuccess()).isTrue();
    assertThat(got.value()).isEqualTo(VALUE);
    assertThat(client.remove(KEY).isSuccess()).isTrue();
    assertThat(client.get(KEY).isNotFound()).isTrue();
    assertThat(client.remove(KEY).describeCode()).isEqualTo("0x01 (non-existent key)");
    assertThat(client.isAlive().isSuccess()).isTrue();
    assertThat(client.getPid().intValue()).isEqualTo(FakeNode.PID);
    assertThat(client.membershipCount().intValue()).isEqualTo(1);
    client.put(KEY, VALUE);
    assertThat(client.wipeout().isSuccess()).isTrue();
    assertThat(node.storedKeys()).isZero();
    assertThat(client.shutdown().command()).isEqualTo(Command.SHUTDOWN);
  }

  @Test
  void requestIdFollowsTheDesignLayout() {
    KvClient client = open(KvClientConfig.builder().node(node.address()));
    long before = System.currentTimeMillis();
    client.blocking().isAlive();

    ByteBuffer id = ByteBuffer.wrap(node.received().get(0)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] ipv4 = new byte[4];
    id.get(ipv4);
    assertThat(ipv4).containsExactly(127, 0, 0, 1);
    assertThat(id.getShort() & 0xFFFF).isPositive();
    id.getShort(); // random
    assertThat(id.getLong()).isBetween(before, System.currentTimeMillis());
  }

  @Test
  void retryResendsTheIdenticalDatagram() {
    node.dropNext(1);
    KvClient client = open(KvClientConfig.builder().node(node.address()).timeout(Duration.ofMillis(30)));

    assertThat(client.blocking().put(KEY, VALUE).isSuccess()).isTrue();

    List<byte[]> sent = node.received();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1)).isEqualTo(sent.get(0));
    assertThat(client.stats().retransmissions()).isEqualTo(1);
  }

  @Test
  void timesOutAfterEveryRetryWithDoublingWaits() {
    node.dropAll();
    KvClient client = open(KvClientConfig.builder().node(node.address()).timeout(Duration.ofMillis(10)).retries(3));
    String nodeText = "127.0.0.1:" + node.address().getPort();

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.blocking().get(KEY))
        .isInstanceOfSatisfying(
            KvTimeoutException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(4);
              assertThat(e.command()).isEqualTo("GET");
              assertThat(e.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
            })
        .hasMessageContaining("no reply from " + nodeText + " to GET after 4 attempts in ")
        .hasMessageContaining("./kvstore is-alive --node " + nodeText);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));

    assertThat(node.received()).hasSize(4);
    assertThat(node.received()).allSatisfy(d -> assertThat(d).isEqualTo(node.received().get(0)));
    assertThat(client.stats().timeouts()).isEqualTo(1);
    assertThat(client.stats().outstanding()).isZero();
  }

  @Test
  void withoutRetriesOneAttemptIsMade() {
    node.dropAll();
    KvClient client = open(KvClientConfig.builder().node(node.address()).timeout(Duration.ofMillis(10)).retries(0));

    assertThatThrownBy(() -> client.blocking().isAlive())
        .hasMessageContaining("after 1 attempt in");
    assertThat(node.received()).hasSize(1);
  }

  @Test
  void lateDuplicateAndStrayRepliesAreIgnoredAndCounted() throws Exception {
    node.duplicateReplies();
    KvClient client = open(KvClientConfig.builder().node(node.address()));
    client.blocking().put(KEY, VALUE);
    for (int i = 0; i < 10; i++) {
      assertThat(client.blocking().get(KEY).value()).isEqualTo(VALUE);
    }
    byte[] stray = new byte[Wire.REQUEST_ID_LENGTH + 1];
    Arrays.fill(stray, (byte) 7);
    node.sendToLastClient(stray);

    awaitStats(client, s -> s.unknownReplies() == 12);
    assertThat(client.stats().malformedReplies()).isZero();
  }

  @Test
  void malformedRepliesAreIgnoredAndCounted() {
    KvClient client = open(KvClientConfig.builder().node(node.address()));
    client.blocking().put(KEY, VALUE);
    node.malformedBeforeReply();

    assertThat(client.blocking().get(KEY).value()).isEqualTo(VALUE);

    assertThat(client.stats().malformedReplies()).isEqualTo(2);
    assertThat(client.stats().retransmissions()).isZero();
  }

  @Test
  void manyOutstandingRequestsAllComplete() {
    // Within the node's default socket buffer, so the kernel drops none of the burst.
    int count = 200;
    node.holdRepliesUntilReceived(count); // proves all were outstanding at once
    KvClient client = open(KvClientConfig.builder().node(node.address()).timeout(Duration.ofSeconds(1)));

    List<CompletableFuture<KvResult>> puts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      puts.add(client.put(Keys.sha256("key-" + i), ("value-" + i).getBytes(UTF_8)));
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();

    assertThat(puts).allSatisfy(f -> assertThat(f.join().isSuccess()).isTrue());
    assertThat(node.storedKeys()).isEqualTo(count);
    Set<String> ids = new HashSet<>();
    node.received().forEach(d -> ids.add(Arrays.toString(Arrays.copyOf(d, 16))));
    assertThat(ids).hasSize(count);
    assertThat(client.blocking().get(Keys.sha256("key-7")).value())
        .isEqualTo("value-7".getBytes(UTF_8));
  }

  @Test
  void requestsBeyondTheOutstandingLimitFailFast() {
    node.dropAll();
    KvClient client =
        open(KvClientConfig.builder().node(node.address()).timeout(Duration.ofSeconds(10)).retries(0).maxOutstanding(4));
    List<CompletableFuture<KvResult>> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      waiting.add(client.isAlive());
    }

    CompletableFuture<KvResult> overLimit = client.isAlive();

    assertThat(overLimit)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(TooManyOutstandingRequestsException.class)
        .withMessageContaining("4 requests to 127.0.0.1:" + node.address().getPort());
    assertThat(waiting).allSatisfy(f -> assertThat(f).isNotDone());

    client.close();
    assertThat(waiting)
        .allSatisfy(
            f ->
                assertThatThrownBy(f::join)
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(KvException.class)
                    .hasMessageContaining("is closed"));
    assertThatThrownBy(() -> client.blocking().isAlive()).hasMessageContaining("is closed");
  }

  @Test
  void blockingInsideACallbackFailsInsteadOfDeadlocking() {
    node.holdRepliesUntilReceived(2); // so the callback is attached before the reply arrives
    KvClient client = open(KvClientConfig.builder().node(node.address()));

    CompletableFuture<KvResult> nested =
        client.isAlive().thenApply(r -> client.blocking().isAlive());
    client.isAlive();

    assertThatThrownBy(nested::join).hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void badKeysAndValuesAreRejectedBeforeSending() {
    KvClient client = open(KvClientConfig.builder().node(node.address()));

    assertThatThrownBy(() -> client.get(new byte[31])).hasMessageContaining("exactly 32 bytes");
    assertThatThrownBy(() -> client.put(KEY, new byte[Wire.MAX_VALUE_LENGTH + 1]))
        .hasMessageContaining("at most 15,000 bytes");
    assertThat(client.stats().requests()).isZero();
  }

  @Test
  void anUnreachablePortIsNamedInTheTimeout() throws Exception {
    InetSocketAddress closedPort = node.address();
    node.close();
    KvClient client =
        open(KvClientConfig.builder().node(closedPort).timeout(Duration.ofMillis(10)).retries(1));

    assertThatThrownBy(() -> client.blocking().isAlive()).hasMessageContaining("port unreachable");
  }

  private static void awaitStats(KvClient client, java.util.function.Predicate<ClientStats> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!done.test(client.stats()) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(client.stats()).matches(done, "expected stats");
  }
}
