package io.kvstore.node.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.codec.TargetSelector;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.ops.seen.DirectorySeenStore;
import io.kvstore.node.ops.seen.SeenOperations;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.runtime.ManualClock;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperationVerifierTest {
  private static final OperatorKey TRUSTED = OperatorKeys.generate("trusted");
  private static final OperatorKey STRANGER = OperatorKeys.generate("stranger");
  private static final InetSocketAddress SOURCE = new InetSocketAddress("127.0.0.1", 4001);

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private final Random random = new Random(3);
  private final OpsStats stats = new OpsStats();
  private final SeenStore.Memory store = new SeenStore.Memory();
  private OpsConfig config = OpsConfig.defaults().withTrustedKeys(List.of(TRUSTED.trusted()));

  private OperationVerifier verifier(SeenStore s, Map<String, String> labels) {
    return new OperationVerifier(config, clock, new SeenOperations(config.maxActive(), clock, s, config.maxTtlMillis()),
        "node-7", labels, stats);
  }

  private SignedOperation.Builder op() {
    return SignedOperation.builder(random, clock.currentTimeMillis()).script("touch ran");
  }

  @Test
  void aValidTargetedOperationRunsOnceAndIsRememberedUntilItExpires() {
    OperationVerifier v = verifier(store, Map.of());
    SignedOperation op = op().expiresAt(clock.currentTimeMillis() + 60_000).sign(TRUSTED);

    OperationVerifier.Verdict first = v.verify(op.encoded(), SOURCE);
    assertThat(first.runsHere()).isTrue();
    assertThat(first.op()).isEqualTo(op);
    assertThat(stats.accepted.sum()).isEqualTo(1);
    assertThat(store.size()).isEqualTo(1);

    clock.advance(59_000);
    assertThat(v.verify(op.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.REPLAYED);
    assertThat(stats.refusedCount(OpsRefusal.REPLAYED)).isEqualTo(1);
    clock.advance(1_000);
    assertThat(v.verify(op.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.EXPIRED);
    assertThat(stats.accepted.sum()).isEqualTo(1);
  }

  @Test
  void withNoTrustedKeyEveryOperationIsRefusedDisabled() {
    config = OpsConfig.defaults();
    OperationVerifier v = verifier(store, Map.of());
    assertThat(v.verify(op().sign(TRUSTED).encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.DISABLED);
    assertThat(stats.refusedCount(OpsRefusal.DISABLED)).isEqualTo(1);
    assertThat(store.size()).isZero();
  }

  @Test
  void untrustedForgedAndUnsignedOperationsAreRefused() {
    OperationVerifier v = verifier(store, Map.of());
    assertThat(v.verify(op().sign(STRANGER).encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.UNTRUSTED_KEY);

    // a stranger's signature under the trusted key's fingerprint
    SignedOperation genuine = op().sign(TRUSTED);
    byte[] forged = op().sign(STRANGER).encoded().clone();
    System.arraycopy(TRUSTED.fingerprint(), 0, forged, 37, 8);
    assertThat(v.verify(forged, SOURCE).refusal()).isEqualTo(OpsRefusal.BAD_SIGNATURE);

    byte[] unsigned = genuine.encoded().clone();
    java.util.Arrays.fill(unsigned, unsigned.length - 64, unsigned.length, (byte) 0);
    assertThat(v.verify(unsigned, SOURCE).refusal()).isEqualTo(OpsRefusal.BAD_SIGNATURE);

    byte[] tampered = genuine.encoded().clone();
    int bodyAt = tampered.length - 64 - "touch ran".length();
    tampered[bodyAt] = 'T';
    assertThat(v.verify(tampered, SOURCE).refusal()).isEqualTo(OpsRefusal.BAD_SIGNATURE);
    byte[] withoutSignature = java.util.Arrays.copyOf(genuine.encoded(), genuine.encoded().length - 64);
    assertThat(v.verify(withoutSignature, SOURCE).refusal()).isEqualTo(OpsRefusal.MALFORMED);

    assertThat(stats.refusedCount(OpsRefusal.UNTRUSTED_KEY)).isEqualTo(1);
    assertThat(stats.refusedCount(OpsRefusal.BAD_SIGNATURE)).isEqualTo(3);
    assertThat(stats.refusedCount(OpsRefusal.MALFORMED)).isEqualTo(1);
    assertThat(stats.accepted.sum()).isZero();
    assertThat(store.size()).isZero();
    // and the genuine one is still accepted afterwards: refusals remembered nothing
    assertThat(v.verify(genuine.encoded(), SOURCE).runsHere()).isTrue();
  }

  @Test
  void timesAreCheckedAgainstThisNodesClock() {
    OperationVerifier v = verifier(store, Map.of());
    long now = clock.currentTimeMillis();
    SignedOperation expired = SignedOperation.builder(random, now - 10_000).expiresAt(now).sign(TRUSTED);
    assertThat(v.verify(expired.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.EXPIRED);
    SignedOperation future = SignedOperation.builder(random, now + 300_001).expiresAt(now + 400_000).sign(TRUSTED);
    assertThat(v.verify(future.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.NOT_YET_VALID);
    SignedOperation slightlyAhead = SignedOperation.builder(random, now + 299_000).expiresAt(now + 400_000).sign(TRUSTED);
    assertThat(v.verify(slightlyAhead.encoded(), SOURCE).runsHere()).isTrue();
    SignedOperation tooLong = op().expiresAt(now + 3_600_001).sign(TRUSTED);
    assertThat(v.verify(tooLong.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.TTL_TOO_LONG);
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void anOperationForOtherNodesIsKeptAndSpreadButNotRun() {
    OperationVerifier v = verifier(store, Map.of("rack", "r1"));
    OperationVerifier.Verdict others = v.verify(op().targets(TargetSelector.ids(List.of("node-1", "node-70"))).sign(TRUSTED).encoded(), SOURCE);
    assertThat(others.refusal()).isEqualTo(OpsRefusal.NOT_TARGETED);
    assertThat(others.accepted()).isTrue();
    assertThat(others.runsHere()).isFalse();
    assertThat(v.verify(op().targets(TargetSelector.label("rack", "r2")).sign(TRUSTED).encoded(), SOURCE).runsHere()).isFalse();
    assertThat(v.verify(op().targets(TargetSelector.label("rack", "r1")).sign(TRUSTED).encoded(), SOURCE).runsHere()).isTrue();
    assertThat(v.verify(op().targets(TargetSelector.ids(List.of("node-7"))).sign(TRUSTED).encoded(), SOURCE).runsHere()).isTrue();
    assertThat(stats.refusedCount(OpsRefusal.NOT_TARGETED)).isEqualTo(2);
    assertThat(stats.accepted.sum()).isEqualTo(4);
  }

  @Test
  void aFullTableRefusesNewOperationsAndNeverForgetsAnUnexpiredId() {
    config = new OpsConfig(List.of(TRUSTED.trusted()), 3_600_000, 300_000, 3, 2, 16, 3_600_000, 65536, 4, 1000);
    OperationVerifier v = verifier(store, Map.of());
    List<SignedOperation> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      SignedOperation op = op().expiresAt(clock.currentTimeMillis() + 10_000 + i).sign(TRUSTED);
      held.add(op);
      assertThat(v.verify(op.encoded(), SOURCE).runsHere()).isTrue();
    }
    SignedOperation fourth = op().expiresAt(clock.currentTimeMillis() + 60_000).sign(TRUSTED);
    assertThat(v.verify(fourth.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.TABLE_FULL);
    for (SignedOperation op : held) {
      assertThat(v.verify(op.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.REPLAYED);
    }
    clock.advance(10_000); // the first expires: room for one
    assertThat(v.verify(fourth.encoded(), SOURCE).runsHere()).isTrue();
    assertThat(stats.refusedCount(OpsRefusal.TABLE_FULL)).isEqualTo(1);
    assertThat(store.size()).isEqualTo(3);
  }

  @Test
  void aRestartOnTheSameDataDirectoryNeverRunsAnOperationTwice() throws Exception {
    Path seenDir = dir.resolve("ops/seen");
    SignedOperation op = op().expiresAt(clock.currentTimeMillis() + 60_000).sign(TRUSTED);
    SignedOperation shortLived = op().expiresAt(clock.currentTimeMillis() + 1_000).sign(TRUSTED);
    assertThat(verifier(new DirectorySeenStore(seenDir), Map.of()).verify(op.encoded(), SOURCE).runsHere()).isTrue();
    assertThat(verifier(new DirectorySeenStore(seenDir), Map.of()).verify(shortLived.encoded(), SOURCE).runsHere()).isTrue();
    assertThat(seenDir.resolve(op.idHex() + ".op")).exists();
    Files.writeString(seenDir.resolve("0123456789abcdef0123456789abcdef.op.tmp"), "half written");

    clock.advance(2_000);
    OperationVerifier restarted = verifier(new DirectorySeenStore(seenDir), Map.of());
    assertThat(restarted.verify(op.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.REPLAYED);
    assertThat(seenDir.resolve(shortLived.idHex() + ".op")).doesNotExist(); // expired: dropped on load
    assertThat(seenDir.resolve("0123456789abcdef0123456789abcdef.op.tmp")).doesNotExist();
  }

  @Test
  void aNodeWhoseReplayMemoryDiesWithItRefusesWhatMayHaveRunBeforeItStarted() {
    // A --memory node: its first life accepts and runs the operation, then the process ends.
    SeenStore.Memory firstLife = new SeenStore.Memory(clock.currentTimeMillis());
    clock.advance(config.maxClockSkewMillis()); // long enough that its own start is behind it
    SignedOperation op = op().expiresAt(clock.currentTimeMillis() + 600_000).sign(TRUSTED);
    assertThat(verifier(firstLife, Map.of()).verify(op.encoded(), SOURCE).runsHere()).isTrue();

    // Restarted with an empty memory: a replay of the captured operation runs nothing.
    clock.advance(5_000);
    long restartedAt = clock.currentTimeMillis();
    SeenStore.Memory secondLife = new SeenStore.Memory(restartedAt);
    OperationVerifier restarted = verifier(secondLife, Map.of());
    assertThat(restarted.verify(op.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.ISSUED_BEFORE_START);
    assertThat(stats.refusedCount(OpsRefusal.ISSUED_BEFORE_START)).isEqualTo(1);
    assertThat(secondLife.size()).isZero();
    // Issued-at may lead the clock by the allowed skew, so the window covers the skew too ...
    SignedOperation aheadOfStart = SignedOperation.builder(random, restartedAt + config.maxClockSkewMillis() - 1)
        .script("touch ran").expiresAt(restartedAt + 600_000).sign(TRUSTED);
    assertThat(restarted.verify(aheadOfStart.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.ISSUED_BEFORE_START);
    // ... and anything issued after it runs once, as on any node.
    clock.advance(config.maxClockSkewMillis());
    SignedOperation fresh = op().expiresAt(clock.currentTimeMillis() + 60_000).sign(TRUSTED);
    assertThat(restarted.verify(fresh.encoded(), SOURCE).runsHere()).isTrue();
    assertThat(restarted.verify(fresh.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.REPLAYED);
  }

  @Test
  void anUnreadableRememberedRecordStillBlocksItsId() throws Exception {
    Path seenDir = dir.resolve("seen");
    SignedOperation op = op().expiresAt(clock.currentTimeMillis() + 60_000).sign(TRUSTED);
    verifier(new DirectorySeenStore(seenDir), Map.of()).verify(op.encoded(), SOURCE);
    Files.writeString(seenDir.resolve(op.idHex() + ".op"), "damaged");

    OperationVerifier restarted = verifier(new DirectorySeenStore(seenDir), Map.of());
    assertThat(restarted.verify(op.encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.REPLAYED);
  }

  @Test
  void anOperationThatCannotBeStoredDurablyIsNotRun() {
    SeenStore failing = new SeenStore() {
      @Override
      public List<Stored> load() {
        return List.of();
      }

      @Override
      public void add(SignedOperation op) {
        throw new java.io.UncheckedIOException(new java.io.IOException("disk full"));
      }

      @Override
      public void remove(byte[] id) {}
    };
    OperationVerifier v = verifier(failing, Map.of());
    assertThat(v.verify(op().sign(TRUSTED).encoded(), SOURCE).refusal()).isEqualTo(OpsRefusal.STORE_FAILED);
    assertThat(stats.accepted.sum()).isZero();
  }
}
