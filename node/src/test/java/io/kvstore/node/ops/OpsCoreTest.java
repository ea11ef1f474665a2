package io.kvstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.ops.run.OperationRunner;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.runtime.ManualClock;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OPS_SUBMIT through OpsCore: the per-second budget of signature checks. */
class OpsCoreTest {
  private static final OperatorKey TRUSTED = OperatorKeys.generate("trusted");
  private static final OperatorKey STRANGER = OperatorKeys.generate("stranger");
  private static final InetSocketAddress ANONYMOUS = new InetSocketAddress("127.0.0.9", 6000);
  private final ManualClock clock = new ManualClock();
  private final Random random = new Random(5);
  private final List<SignedOperation> ran = new ArrayList<>();

  private OpsCore core() {
    OperationRunner runner = new OperationRunner() {
      @Override
      public void run(SignedOperation op) {
        ran.add(op);
      }

      @Override
      public void originOnly(SignedOperation op) {}
    };
    OpsMembers members = new OpsMembers() {
      @Override
      public List<InetSocketAddress> randomAlive(int count) {
        return List.of();
      }

      @Override
      public boolean isMember(InetSocketAddress a) {
        return false;
      }
    };
    return new OpsCore(OpsConfig.defaults().withTrustedKeys(List.of(TRUSTED.trusted())), "node-0", Map.of(),
        new SeenStore.Memory(), runner, members, (to, frame) -> {}, clock, clock, random, Runnable::run);
  }

  private byte[] signedBy(OperatorKey key) {
    return SignedOperation.builder(random, clock.currentTimeMillis()).script("true").sign(key).encoded();
  }

  @Test
  void junkThatNeedsNoSignatureCheckDoesNotUseUpTheBudget() {
    OpsCore core = core();
    for (int i = 0; i < 10 * OpsCore.SUBMITS_PER_SECOND; i++) {
      assertThat(core.submit(new byte[] {(byte) i, 1, 2}, ANONYMOUS).refusal()).isEqualTo(OpsRefusal.MALFORMED);
      assertThat(core.submit(signedBy(STRANGER), ANONYMOUS).refusal()).isEqualTo(OpsRefusal.UNTRUSTED_KEY);
    }
    OperationVerifier.Verdict verdict = core.submit(signedBy(TRUSTED), ANONYMOUS);
    assertThat(verdict).isNotNull();
    assertThat(verdict.runsHere()).isTrue();
    assertThat(core.stats().submitsThrottled.sum()).isZero();
  }

  /** The i-th of many client addresses (each with a budget of its own). */
  private static InetSocketAddress source(int i) {
    return new InetSocketAddress("127.0.1." + (i + 1), 6000);
  }

  @Test
  void signatureChecksBeyondTheBudgetAreThrottledAndCountedUntilTheNextSecond() {
    OpsCore core = core();
    byte[] forged = signedBy(TRUSTED);
    forged[forged.length - 1] ^= 1;
    for (int i = 0; i < OpsCore.SUBMITS_PER_SECOND; i++) { // from many sources: the node-wide cap
      assertThat(core.submit(forged, source(i % 8)).refusal()).isEqualTo(OpsRefusal.BAD_SIGNATURE);
    }
    assertThat(core.submit(signedBy(TRUSTED), source(9))).isNull();
    assertThat(core.submit(forged, source(10))).isNull();
    assertThat(core.stats().submitsThrottled.sum()).isEqualTo(2);
    assertThat(core.stats().submitsThrottledPerSource.sum()).isZero();
    clock.advance(1_000);
    assertThat(core.submit(signedBy(TRUSTED), source(11)).runsHere()).isTrue();
  }

  @Test
  void oneSourceSpendsOnlyItsOwnBudgetSoAnotherSourceStillGetsThrough() {
    OpsCore core = core();
    byte[] forged = signedBy(TRUSTED);
    forged[forged.length - 1] ^= 1;
    for (int i = 0; i < OpsCore.SUBMIT_BURST_PER_SOURCE; i++) {
      assertThat(core.submit(forged, ANONYMOUS).refusal()).isEqualTo(OpsRefusal.BAD_SIGNATURE);
    }
    for (int i = 0; i < 100; i++) { // a flood from the same address: no signature check at all
      assertThat(core.submit(forged, ANONYMOUS)).isNull();
    }
    assertThat(core.submit(forged, new InetSocketAddress(ANONYMOUS.getAddress(), 7000)))
        .as("another port of the same address shares its budget").isNull();
    assertThat(core.stats().submitsThrottledPerSource.sum()).isEqualTo(101);
    assertThat(core.stats().submitsThrottled.sum()).isEqualTo(101);
    assertThat(core.submit(signedBy(TRUSTED), source(0)).runsHere())
        .as("the operator elsewhere: the node-wide budget was not spent by the flood").isTrue();
    clock.advance(1_000 / OpsCore.SUBMITS_PER_SOURCE_PER_SECOND);
    assertThat(core.submit(forged, ANONYMOUS).refusal()).as("one check earned back").isEqualTo(OpsRefusal.BAD_SIGNATURE);
    assertThat(core.submit(forged, ANONYMOUS)).isNull();
  }
}
