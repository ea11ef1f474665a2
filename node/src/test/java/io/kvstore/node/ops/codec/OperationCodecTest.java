package io.kvstore.node.ops.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.ops.OperationVerifier;
import io.kvstore.node.ops.OpsConfig;
import io.kvstore.node.ops.OpsRefusal;
import io.kvstore.node.ops.OpsStats;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.ops.seen.SeenOperations;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.runtime.ManualClock;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OperationCodecTest {
  private static final OperatorKey KEY = OperatorKeys.generate("op");
  private static final InetSocketAddress SOURCE = new InetSocketAddress("127.0.0.1", 9);
  private final ManualClock clock = new ManualClock();
  private final long now = clock.currentTimeMillis();

  private SignedOperation sample() {
    return SignedOperation.builder(new Random(7), now)
        .expiresAt(now + 60_000)
        .targets(TargetSelector.ids(List.of("node-1", "node-2")))
        .timeoutMillis(30_000)
        .script("echo hello > out.txt\n")
        .sign(KEY);
  }

  @Test
  void roundTripKeepsEveryField() throws Exception {
    SignedOperation op = sample();
    SignedOperation back = OperationCodec.decode(op.encoded().clone());
    assertThat(back).isEqualTo(op);
    assertThat(back.id()).isEqualTo(op.id()).hasSize(16);
    assertThat(back.issuedAtMillis()).isEqualTo(now);
    assertThat(back.expiresAtMillis()).isEqualTo(now + 60_000);
    assertThat(back.keyFingerprint()).isEqualTo(KEY.fingerprint());
    assertThat(back.targets()).isEqualTo(TargetSelector.ids(List.of("node-1", "node-2")));
    assertThat(back.kind()).isEqualTo(SignedOperation.Kind.SCRIPT);
    assertThat(back.timeoutMillis()).isEqualTo(30_000);
    assertThat(back.bodyText()).isEqualTo("echo hello > out.txt\n");
    assertThat(back.signature()).hasSize(64);
    assertThat(back.signatureValidFor(KEY.publicKey())).isTrue();
  }

  @Test
  void layoutIsTheDocumentedOne() {
    SignedOperation op = SignedOperation.builder(new Random(1), 0x0102030405060708L)
        .expiresAt(0x0102030405060709L).targets(TargetSelector.label("role", "db"))
        .timeoutMillis(5).file(new byte[] {9, 8}).sign(KEY);
    ByteBuffer b = ByteBuffer.wrap(op.encoded());
    byte[] magic = new byte[4];
    b.get(magic);
    assertThat(new String(magic)).isEqualTo("KVOP");
    assertThat(b.get()).isEqualTo((byte) 1);
    b.position(b.position() + 16);
    assertThat(b.getLong()).isEqualTo(0x0102030405060708L);
    assertThat(b.getLong()).isEqualTo(0x0102030405060709L);
    byte[] fp = new byte[8];
    b.get(fp);
    assertThat(fp).isEqualTo(KEY.fingerprint());
    assertThat(b.get()).isEqualTo((byte) 2);
    assertThat(b.getShort()).isEqualTo((short) 7);
    byte[] text = new byte[7];
    b.get(text);
    assertThat(new String(text)).isEqualTo("role=db");
    assertThat(b.get()).isEqualTo((byte) 2);
    assertThat(b.getInt()).isEqualTo(5);
    assertThat(b.getShort()).isEqualTo((short) 2);
    assertThat(b.get()).isEqualTo((byte) 9);
    assertThat(b.get()).isEqualTo((byte) 8);
    assertThat(b.remaining()).isEqualTo(64);
  }

  @Test
  void everyTruncationAndAnyTrailingByteIsMalformed() {
    byte[] whole = sample().encoded();
    OperationVerifier verifier = verifier();
    for (int len = 0; len < whole.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(whole, len);
      assertThatThrownBy(() -> OperationCodec.decode(cut)).isInstanceOf(MalformedOperationException.class);
      assertThat(verifier.verify(cut, SOURCE).refusal()).as("cut at %d", len).isEqualTo(OpsRefusal.MALFORMED);
    }
    byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
    assertThat(verifier.verify(longer, SOURCE).refusal()).isEqualTo(OpsRefusal.MALFORMED);
    assertThat(verifier.verify(new byte[OperationCodec.MAX_BYTES + 1], SOURCE).refusal()).isEqualTo(OpsRefusal.MALFORMED);
  }

  /**
   * Every single-bit flip is refused, never accepted: structure → malformed, the fingerprint →
   * untrusted key, anything else → bad signature (the times are signed too).
   */
  @Test
  void everyBitFlipIsRefusedWithTheReasonOfTheFieldItHits() {
    byte[] whole = sample().encoded();
    int fingerprintAt = 4 + 1 + 16 + 8 + 8;
    int targetKindAt = fingerprintAt + 8;
    int kindAt = targetKindAt + 3 + "node-1,node-2".length();
    int bodyLengthAt = kindAt + 1 + 4;
    int signatureAt = whole.length - 64;
    OperationVerifier verifier = verifier();
    for (int i = 0; i < whole.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = whole.clone();
        flipped[i] ^= (byte) (1 << bit);
        boolean parses;
        try {
          OperationCodec.decode(flipped);
          parses = true;
        } catch (MalformedOperationException e) {
          parses = false;
        }
        OpsRefusal expected;
        if (i < 5 || i == targetKindAt || i == targetKindAt + 1 || i == targetKindAt + 2 || i == kindAt
            || i == bodyLengthAt || i == bodyLengthAt + 1) {
          assertThat(parses).as("byte %d bit %d of the structure", i, bit).isFalse();
          expected = OpsRefusal.MALFORMED;
        } else if (!parses) {
          expected = OpsRefusal.MALFORMED; // e.g. expires-at no longer after issued-at, non-UTF-8 text
        } else if (i >= fingerprintAt && i < fingerprintAt + 8) {
          expected = OpsRefusal.UNTRUSTED_KEY;
        } else {
          expected = OpsRefusal.BAD_SIGNATURE;
        }
        if ((i >= 5 && i < 21) || (i >= fingerprintAt && i < targetKindAt) || i >= signatureAt) {
          assertThat(parses).as("id, fingerprint and signature are not structure: byte %d", i).isTrue();
        }
        OperationVerifier.Verdict v = verifier.verify(flipped, SOURCE);
        assertThat(v.refusal()).as("byte %d bit %d", i, bit).isEqualTo(expected);
        assertThat(v.accepted()).isFalse();
      }
    }
  }

  @Test
  void builderRefusesWhatNoNodeWouldParse() {
    SignedOperation.Builder tooBig = SignedOperation.builder(new Random(1), now).script("x".repeat(8193));
    assertThatThrownBy(() -> tooBig.sign(KEY)).hasMessageContaining("over 8192");
    SignedOperation.Builder backwards = SignedOperation.builder(new Random(1), now).expiresAt(now);
    assertThatThrownBy(() -> backwards.sign(KEY)).hasMessageContaining("is not after issued-at");
    SignedOperation.Builder noTimeout = SignedOperation.builder(new Random(1), now).timeoutMillis(0);
    assertThatThrownBy(() -> noTimeout.sign(KEY)).hasMessageContaining("not positive");
    assertThat(SignedOperation.builder(new Random(1), now).script("x".repeat(8192)).sign(KEY).encoded().length)
        .isLessThanOrEqualTo(OperationCodec.MAX_BYTES);
  }

  @Test
  void targetSelectorsParseAndMatchIdsAndLabels() {
    assertThat(TargetSelector.parse("all").matches("n", Map.of())).isTrue();
    TargetSelector ids = TargetSelector.parse("a, b");
    assertThat(ids.matches("a", Map.of())).isTrue();
    assertThat(ids.matches("c", Map.of())).isFalse();
    TargetSelector label = TargetSelector.parse("rack=r1");
    assertThat(label.matches("x", Map.of("rack", "r1"))).isTrue();
    assertThat(label.matches("x", Map.of("rack", "r2"))).isFalse();
    assertThat(label.matches("x", Map.of())).isFalse();
    assertThatThrownBy(() -> TargetSelector.parse("a,,b")).hasMessageContaining("empty");
    assertThatThrownBy(() -> TargetSelector.parse("=x")).hasMessageContaining("non-empty name");
    assertThatThrownBy(() -> TargetSelector.parse(" ")).hasMessageContaining("targets are empty");
  }

  @Test
  void malformedTextIsNamed() {
    byte[] bad = sample().encoded().clone();
    bad[4] = 2;
    assertThatThrownBy(() -> OperationCodec.decode(bad)).hasMessageContaining("version 2");
    assertThat(HexFormat.of().formatHex(bad, 0, 4)).isEqualTo("4b564f50");
  }

  private OperationVerifier verifier() {
    OpsConfig config = OpsConfig.defaults().withTrustedKeys(List.of(KEY.trusted()));
    SeenOperations seen = new SeenOperations(256, clock, new SeenStore.Memory(), 3_600_000);
    return new OperationVerifier(config, clock, seen, "node-1", Map.of(), new OpsStats());
  }
}
