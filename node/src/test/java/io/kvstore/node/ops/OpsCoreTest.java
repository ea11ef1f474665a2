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

  @Test
  void signatureChecksBeyondTheBudgetAreThrottledAndCountedUntilTheNextSecond() {
    OpsCore core = core();
    byte[] forged = signedBy(TRUSTED);
    forged[forged.length - 1] ^= 1;
    for (int i = 0; i < OpsCore.SUBMITS_PER_SECOND; i++) {
      assertThat(core.submit(forged, ANONYMOUS).refusal()).isEqualTo(OpsRefusal.BAD_SIGNATURE);
    }
    assertThat(core.submit(signedBy(TRUSTED), ANONYMOUS)).isNull();
    assertThat(core.submit(forged, ANONYMOUS)).isNull();
    assertThat(core.stats().submitsThrottled.sum()).isEqualTo(2);
    clock.advance(1_000);
    assertThat(core.submit(signedBy(TRUSTED), ANONYMOUS).runsHere()).isTrue();
  }
}
