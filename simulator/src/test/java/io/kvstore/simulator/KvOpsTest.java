package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.OpsRefusal;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.codec.TargetSelector;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fleet operations inside whole simulated nodes (NodeCore's wiring, the request pipeline, real
 * membership, sealed frames): OPS_SUBMIT from a client, the reply, the spread, the recording
 * runner of each node; refusals answered 0x21 with their reason; never routed like a key.
 */
class KvOpsTest {
  private static final OperatorKey KEY = OperatorKeys.generate("kv-operator");
  private static final int NODES = 20;

  private static KvCluster cluster(long seed, boolean trusting) {
    KvCluster.Settings settings = KvCluster.Settings.defaults();
    if (trusting) {
      settings.node().ops.trustedKeys = List.of(OperatorKeys.publicLine(KEY.publicKey(), "kv-operator"));
    }
    return KvCluster.formed(seed, NODES, 1, settings, Duration.ofSeconds(60));
  }

  private static SignedOperation op(KvCluster cluster, Random random, OperatorKey key, long validMillis) {
    long now = cluster.node(0).clock().currentTimeMillis();
    return SignedOperation.builder(random, now).expiresAt(now + validMillis).targets(TargetSelector.ALL)
        .script("touch ran").sign(key);
  }

  /** Submits {@code value} through {@code node}; returns the reply (code, and reason when refused). */
  private static Operation submit(KvCluster cluster, KvNode node, byte[] opId, byte[] value) {
    List<Operation> done = new ArrayList<>();
    cluster.client(0).invoke(Command.OPS_SUBMIT, Arrays.copyOf(opId, 32), value, node, done::add);
    cluster.sim().runUntil(() -> !done.isEmpty(), Duration.ofSeconds(5));
    assertThat(done).hasSize(1);
    return done.get(0);
  }

  private static String reason(Operation reply) {
    assertThat(reply.code()).isEqualTo(ResponseCode.NOT_PERMITTED.code);
    return new String(reply.value(), StandardCharsets.UTF_8);
  }

  private static long ranBy(KvCluster cluster, SignedOperation op) {
    return cluster.nodes().stream().filter(n -> n.operationsRun().contains(op)).count();
  }

  @SeededTest
  void aSubmittedOperationRunsOnceOnEveryNodeAndIsNeverRoutedLikeAKey(long seed) {
    KvCluster cluster = cluster(seed, true);
    Random random = new Random(seed);
    SignedOperation op = op(cluster, random, KEY, 60_000);
    Operation reply = submit(cluster, cluster.node(3), op.id(), op.encoded());
    assertThat(reply.code()).isEqualTo(ResponseCode.SUCCESS.code);
    assertThat(cluster.sim().runUntil(() -> ranBy(cluster, op) == NODES, Duration.ofSeconds(10))).isTrue();

    // The same operation again (a new request, not a retransmission): replayed, runs nothing.
    assertThat(reason(submit(cluster, cluster.node(11), op.id(), op.encoded()))).isEqualTo("replayed");
    SignedOperation stranger = op(cluster, random, OperatorKeys.generate("stranger"), 60_000);
    assertThat(reason(submit(cluster, cluster.node(4), stranger.id(), stranger.encoded()))).isEqualTo("untrusted-key");
    byte[] tampered = op(cluster, random, KEY, 60_000).encoded().clone();
    tampered[tampered.length - 65] ^= 1;
    assertThat(reason(submit(cluster, cluster.node(5), new byte[16], tampered))).isEqualTo("bad-signature");
    assertThat(reason(submit(cluster, cluster.node(6), new byte[16], new byte[] {1, 2, 3}))).isEqualTo("malformed");
    cluster.sim().runFor(Duration.ofSeconds(5));

    for (KvNode n : cluster.nodes()) {
      assertThat(n.operationsRun()).as(n.id().value()).containsExactly(op);
      assertThat(n.storage().scan(null, 1, (k, r) -> { })).as("nothing stored on %s", n).isNull();
      assertThat(n.core().replicationStats().writes.sum() + n.core().replicationStats().reads.sum()
          + n.core().replicationStats().replicaWrites.sum()).isZero();
    }
    long refused = cluster.nodes().stream().mapToLong(n -> n.core().ops().stats().refusedCount(OpsRefusal.REPLAYED)
        + n.core().ops().stats().refusedCount(OpsRefusal.UNTRUSTED_KEY)
        + n.core().ops().stats().refusedCount(OpsRefusal.BAD_SIGNATURE)
        + n.core().ops().stats().refusedCount(OpsRefusal.MALFORMED)).sum();
    assertThat(refused).isEqualTo(4);
  }

  @SeededTest
  void aNodeDownWhileItSpreadRunsItAfterItsRestartAndNothingTwice(long seed) {
    KvCluster cluster = cluster(seed, true);
    Random random = new Random(seed);
    SignedOperation first = op(cluster, random, KEY, 120_000);
    submit(cluster, cluster.node(1), first.id(), first.encoded());
    cluster.sim().runFor(Duration.ofSeconds(5));
    KvNode victim = cluster.node(7);
    victim.crash();
    SignedOperation second = op(cluster, random, KEY, 120_000);
    assertThat(submit(cluster, cluster.node(2), second.id(), second.encoded()).code()).isEqualTo(0);
    cluster.sim().runFor(Duration.ofSeconds(5));
    assertThat(victim.operationsRun()).containsExactly(first);

    cluster.restart(victim);
    assertThat(cluster.sim().runUntil(() -> victim.operationsRun().contains(second), Duration.ofSeconds(30))).isTrue();
    cluster.sim().runFor(Duration.ofSeconds(5));
    assertThat(victim.operationsRun()).containsExactly(first, second); // the first not again
    assertThat(ranBy(cluster, second)).isEqualTo(NODES);
  }

  @SeededTest
  void aClusterTrustingNoKeyRefusesEveryOperationAsDisabled(long seed) {
    KvCluster cluster = cluster(seed, false);
    SignedOperation op = op(cluster, new Random(seed), KEY, 60_000);
    assertThat(reason(submit(cluster, cluster.node(0), op.id(), op.encoded()))).isEqualTo("disabled");
    cluster.sim().runFor(Duration.ofSeconds(3));
    assertThat(cluster.nodes().stream().mapToLong(n -> n.operationsRun().size()).sum()).isZero();
    assertThat(cluster.node(0).core().ops().stats().refusedCount(OpsRefusal.DISABLED)).isEqualTo(1);
  }
}
