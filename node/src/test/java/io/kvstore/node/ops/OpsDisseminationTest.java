package io.kvstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.codec.TargetSelector;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.ops.run.OperationRunner;
import io.kvstore.node.ops.seen.SeenOperations;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.runtime.Network;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OpsDissemination among nodes on one manual clock, with a lossless 1 ms network and fixed members. */
class OpsDisseminationTest {
  private static final OperatorKey KEY = OperatorKeys.generate("ops");
  private final ManualClock clock = new ManualClock();
  private final Random random = new Random(11);
  private final Map<InetSocketAddress, Node> nodes = new HashMap<>();
  private final List<InetSocketAddress> addresses = new ArrayList<>();
  /** Every datagram sent: to, frame. */
  private final List<Object[]> sent = new ArrayList<>();

  private final class Node {
    final InetSocketAddress address;
    final OpsStats stats = new OpsStats();
    final SeenOperations seen;
    final OpsDissemination ops;
    final List<SignedOperation> ran = new ArrayList<>();
    /** Submitted here by a client but not targeted here. */
    final List<SignedOperation> originOnly = new ArrayList<>();
    final OperationVerifier verifier;

    Node(int i, OpsConfig config) {
      address = new InetSocketAddress("127.0.0." + (i + 1), 4000);
      seen = new SeenOperations(config.maxActive(), clock, new SeenStore.Memory(), config.maxTtlMillis());
      verifier = new OperationVerifier(config, clock, seen, "node-" + i, Map.of(), stats);
      Network network = (to, frame) -> {
        sent.add(new Object[] {address, to, frame});
        Node target = nodes.get(to);
        if (target != null) {
          clock.schedule(1, () -> target.ops.onFrame(address, frame));
        }
      };
      OpsMembers members = new OpsMembers() {
        @Override
        public List<InetSocketAddress> randomAlive(int count) {
          List<InetSocketAddress> others = new ArrayList<>(addresses);
          others.remove(address);
          java.util.Collections.shuffle(others, random);
          return others.subList(0, Math.min(count, others.size()));
        }

        @Override
        public boolean isMember(InetSocketAddress a) {
          return addresses.contains(a) && !a.equals(address);
        }
      };
      OperationRunner runner = new OperationRunner() {
        @Override
        public void run(SignedOperation op) {
          ran.add(op);
        }

        @Override
        public void originOnly(SignedOperation op) {
          originOnly.add(op);
        }
      };
      ops = new OpsDissemination(config, verifier, seen, runner, members, network, clock, random, stats);
    }
  }

  private OpsConfig trusting() {
    return OpsConfig.defaults().withTrustedKeys(List.of(KEY.trusted()));
  }

  private List<Node> cluster(int size, OpsConfig config) {
    List<Node> list = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Node n = new Node(i, config);
      nodes.put(n.address, n);
      addresses.add(n.address);
      list.add(n);
      n.ops.start();
    }
    return list;
  }

  private SignedOperation op(TargetSelector targets) {
    return SignedOperation.builder(random, clock.currentTimeMillis()).targets(targets).script("true").sign(KEY);
  }

  private void submit(Node at, SignedOperation op) {
    OperationVerifier.Verdict v = at.verifier.verify(op.encoded(), new InetSocketAddress("127.0.0.1", 5555));
    assertThat(v.accepted()).isTrue();
    at.ops.accepted(v, null);
  }

  @Test
  void anOperationReachesEveryNodeAndRunsOnceOnEachTargetedOne() {
    List<Node> all = cluster(30, trusting());
    SignedOperation op = op(TargetSelector.ids(List.of("node-3", "node-17")));
    submit(all.get(0), op);
    clock.advance(10_000);
    for (Node n : all) {
      assertThat(n.seen.contains(op.id())).as(n.address.toString()).isTrue();
      boolean targeted = n == all.get(3) || n == all.get(17);
      assertThat(n.ran).hasSize(targeted ? 1 : 0);
    }
    long duplicates = all.stream().mapToLong(n -> n.stats.duplicates.sum()).sum();
    assertThat(duplicates).isPositive(); // the epidemic's redundancy, absorbed without running twice
    for (Object[] s : sent) {
      assertThat(addresses).contains((InetSocketAddress) s[1]); // members only
    }
  }

  @Test
  void theNodeAClientSubmittedToIsToldItIsOnlyTheOriginWhenItIsNoTarget() {
    List<Node> all = cluster(10, trusting());
    SignedOperation op = op(TargetSelector.ids(List.of("node-3")));
    submit(all.get(0), op);
    clock.advance(10_000);
    assertThat(all.get(0).ran).isEmpty();
    assertThat(all.get(0).originOnly).containsExactly(op);
    assertThat(all.get(3).ran).containsExactly(op);
    for (Node n : all.subList(1, 10)) {
      assertThat(n.originOnly).as("received from a peer, not a client").isEmpty();
    }
  }

  @Test
  void aNodeThatMissedThePushCatchesUpThroughDigests() {
    List<Node> all = cluster(10, trusting());
    Node late = all.get(9);
    addresses.remove(late.address); // not a member while the operation is pushed
    SignedOperation op = op(TargetSelector.ALL);
    submit(all.get(0), op);
    clock.advance(100);
    assertThat(late.seen.contains(op.id())).isFalse();
    addresses.add(late.address);
    clock.advance(5_000);
    assertThat(late.ran).containsExactly(op);
    assertThat(late.stats.wantFramesSent.sum() + all.stream().mapToLong(n -> n.stats.opFramesSent.sum()).sum())
        .isPositive();
  }

  @Test
  void framesFromNonMembersAreIgnoredAndAnswerNothing() {
    List<Node> all = cluster(3, trusting());
    Node a = all.get(0);
    SignedOperation op = op(TargetSelector.ALL);
    InetSocketAddress stranger = new InetSocketAddress("127.0.9.9", 4000);
    sent.clear();
    a.ops.onFrame(stranger, OpsFrames.op(random, op));
    a.ops.onFrame(stranger, OpsFrames.ids(random, OpsFrames.DIGEST, true, List.of()));
    a.ops.onFrame(stranger, OpsFrames.ids(random, OpsFrames.WANT, false, List.of(op.id())));
    assertThat(a.stats.fromNonMembers.sum()).isEqualTo(3);
    assertThat(a.seen.size()).isZero();
    assertThat(a.ran).isEmpty();
    assertThat(sent).isEmpty();
  }

  @Test
  void digestAndWantAnswersAreCappedPerInterval() {
    OpsConfig config = trusting();
    List<Node> all = cluster(2, config);
    Node holder = all.get(0);
    List<byte[]> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      SignedOperation op = op(TargetSelector.ALL);
      holder.seen.remember(op);
      ids.add(op.id());
    }
    sent.clear();
    InetSocketAddress member = all.get(1).address;
    for (int i = 0; i < 10; i++) {
      holder.ops.onFrame(member, OpsFrames.ids(random, OpsFrames.WANT, false, ids));
    }
    long ops = sent.stream().filter(s -> (((byte[]) s[2])[InternalFrame.TYPE_OFFSET] & 0xFF) == OpsFrames.OP).count();
    assertThat(ops).isEqualTo(OpsDissemination.ANSWERS_PER_INTERVAL);
    assertThat(holder.stats.answersThrottled.sum()).isEqualTo(1000 - OpsDissemination.ANSWERS_PER_INTERVAL);
  }

  @Test
  void aDigestBringsWantForWhatIsMissingAndAPushForWhatTheSenderLacks() {
    List<Node> all = cluster(2, trusting());
    Node a = all.get(0);
    Node b = all.get(1);
    SignedOperation onlyA = op(TargetSelector.ALL);
    SignedOperation onlyB = op(TargetSelector.ALL);
    a.seen.remember(onlyA);
    b.seen.remember(onlyB);
    a.ops.stop();
    b.ops.stop();
    a.ops.start();
    b.ops.start();
    a.ops.onFrame(b.address, OpsFrames.ids(random, OpsFrames.DIGEST, true, List.of(onlyB.id())));
    clock.advance(5);
    assertThat(a.seen.contains(onlyB.id())).isTrue(); // WANT answered
    assertThat(b.seen.contains(onlyA.id())).isTrue(); // pushed
    assertThat(a.ran).containsExactly(onlyB);
    assertThat(b.ran).containsExactly(onlyA);
  }

  @Test
  void malformedAndForgedFramesRunNothing() {
    List<Node> all = cluster(2, trusting());
    Node a = all.get(0);
    InetSocketAddress member = all.get(1).address;
    byte[] digest = OpsFrames.ids(random, OpsFrames.DIGEST, true, List.of(new byte[16]));
    a.ops.onFrame(member, java.util.Arrays.copyOf(digest, digest.length - 1));
    byte[] op = OpsFrames.op(random, op(TargetSelector.ALL));
    op[op.length - 1] ^= 1;
    a.ops.onFrame(member, op);
    assertThat(a.stats.malformedFrames.sum()).isEqualTo(1);
    assertThat(a.stats.refusedCount(OpsRefusal.BAD_SIGNATURE)).isEqualTo(1);
    assertThat(a.ran).isEmpty();
    assertThat(a.seen.size()).isZero();
  }

  @Test
  void aNodeWithoutTrustedKeysRefusesAndDoesNotAskForOperations() {
    List<Node> all = cluster(2, OpsConfig.defaults());
    Node a = all.get(0);
    InetSocketAddress member = all.get(1).address;
    sent.clear();
    SignedOperation op = op(TargetSelector.ALL);
    a.ops.onFrame(member, OpsFrames.op(random, op));
    a.ops.onFrame(member, OpsFrames.ids(random, OpsFrames.DIGEST, true, List.of(op.id())));
    clock.advance(3_000);
    assertThat(a.stats.refusedCount(OpsRefusal.DISABLED)).isEqualTo(1);
    assertThat(a.stats.wantFramesSent.sum()).isZero();
    assertThat(a.stats.digestFramesSent.sum()).isZero();
    assertThat(a.ran).isEmpty();
  }

  @Test
  void aMemberFloodingFreshOperationsGetsABoundedNumberOfSignatureChecks() {
    List<Node> all = cluster(2, trusting());
    Node a = all.get(0);
    OperatorKey other = OperatorKeys.generate("other");
    for (int i = 0; i < 100; i++) {
      a.ops.onFrame(all.get(1).address, OpsFrames.op(random, SignedOperation.builder(random, clock.currentTimeMillis())
          .script("x").sign(other)));
    }
    assertThat(a.stats.refusedCount(OpsRefusal.UNTRUSTED_KEY)).isEqualTo(OpsDissemination.VERIFIES_PER_INTERVAL);
    assertThat(a.stats.verifiesThrottled.sum()).isEqualTo(100 - OpsDissemination.VERIFIES_PER_INTERVAL);
  }

  @Test
  void aSubmissionWhoseHandOverWasLostIsSpreadAndRunAtTheNextTick() {
    List<Node> all = cluster(5, trusting());
    Node a = all.get(0);
    SignedOperation op = op(TargetSelector.ALL);
    OperationVerifier.Verdict v = a.verifier.verify(op.encoded(), new InetSocketAddress("127.0.0.1", 5555));
    a.ops.submitted(v); // as if the membership thread's queue had been full: no drain handed over
    assertThat(a.ran).isEmpty();
    clock.advance(2_000);
    assertThat(a.ran).containsExactly(op);
    for (Node n : all) {
      assertThat(n.ran).as(n.address.toString()).containsExactly(op);
    }
  }

  @Test
  void expiredOperationsLeaveTheTableAndAreNoLongerServed() {
    List<Node> all = cluster(2, trusting());
    Node a = all.get(0);
    SignedOperation op = SignedOperation.builder(random, clock.currentTimeMillis()).expiresAt(clock.currentTimeMillis() + 1_500)
        .script("true").sign(KEY);
    a.seen.remember(op);
    clock.advance(3_000);
    assertThat(a.seen.size()).isZero();
    assertThat(a.stats.expired.sum()).isEqualTo(1);
    sent.clear();
    a.ops.onFrame(all.get(1).address, OpsFrames.ids(random, OpsFrames.WANT, false, List.of(op.id())));
    assertThat(sent).isEmpty();
  }
}
