package io.kvstore.node.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.replication.AntiEntropyFrames.Answer;
import io.kvstore.node.replication.AntiEntropyFrames.Digest;
import io.kvstore.node.replication.AntiEntropyFrames.Digests;
import io.kvstore.node.replication.AntiEntropyFrames.DigestsReply;
import io.kvstore.node.replication.AntiEntropyFrames.Query;
import io.kvstore.node.replication.AntiEntropyFrames.QueryKind;
import io.kvstore.node.replication.AntiEntropyFrames.Status;
import io.kvstore.node.replication.ReplicaFrames.MalformedFrameException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AntiEntropyFramesTest {
  private final Random random = new Random(7);

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private byte[] key(int first) {
    byte[] k = new byte[32];
    k[0] = (byte) first;
    k[31] = 1;
    return k;
  }

  private Digests fullDigests() {
    List<Digest> entries = new ArrayList<>();
    for (int i = 0; i < AntiEntropyFrames.MAX_DIGESTS; i++) {
      byte[] k = key(10);
      k[1] = (byte) (i >> 8);
      k[2] = (byte) i;
      entries.add(new Digest(k, 1_000 + i, i % 3 == 0, random.nextLong()));
    }
    BitSet leaves = new BitSet();
    leaves.set(0);
    leaves.set(4095);
    leaves.set(77);
    return new Digests(5L, 9, key(1), key(200), leaves, entries);
  }

  @Test
  void everyFrameRoundTripsAndReEncodesEqual() {
    Query root = new Query(1L << 60, 3, QueryKind.ROOT, bytes(16), new int[0]);
    byte[] f = AntiEntropyFrames.query(root);
    assertThat(AntiEntropyFrames.query(AntiEntropyFrames.decodeQuery(f))).isEqualTo(f);
    Query leaves = new Query(-1L, 4, QueryKind.LEAVES, bytes(16), new int[] {0, 63, 5});
    f = AntiEntropyFrames.query(leaves);
    assertThat(AntiEntropyFrames.decodeQuery(f).groups()).containsExactly(0, 63, 5);
    assertThat(AntiEntropyFrames.query(AntiEntropyFrames.decodeQuery(f))).isEqualTo(f);

    int max = AntiEntropyFrames.MAX_GROUPS_PER_ANSWER;
    int[] groups = new int[max];
    byte[][] hashes = new byte[max][];
    for (int i = 0; i < max; i++) {
      groups[i] = i * 4;
      hashes[i] = bytes(1024);
    }
    f = AntiEntropyFrames.answer(new Answer(2L, 5, Status.LEAVES, groups, hashes));
    assertThat(f.length).isLessThanOrEqualTo(AntiEntropyFrames.MAX_FRAME);
    Answer a = AntiEntropyFrames.decodeAnswer(f);
    assertThat(a.indices()).containsExactly(groups);
    assertThat(a.hashes()[max - 1]).isEqualTo(hashes[max - 1]);
    assertThat(AntiEntropyFrames.answer(a)).isEqualTo(f);
    f = AntiEntropyFrames.answer(new Answer(2L, 6, Status.GROUPS, new int[] {0}, new byte[][] {bytes(1024)}));
    assertThat(AntiEntropyFrames.answer(AntiEntropyFrames.decodeAnswer(f))).isEqualTo(f);
    f = AntiEntropyFrames.answer(Answer.of(root, Status.EQUAL));
    assertThat(AntiEntropyFrames.decodeAnswer(f).status()).isEqualTo(Status.EQUAL);

    f = AntiEntropyFrames.digests(fullDigests());
    assertThat(f.length).isLessThanOrEqualTo(AntiEntropyFrames.MAX_FRAME);
    Digests d = AntiEntropyFrames.decodeDigests(f);
    assertThat(d.entries()).hasSize(AntiEntropyFrames.MAX_DIGESTS);
    assertThat(d.leaves().cardinality()).isEqualTo(3);
    assertThat(d.leaves().get(4095)).isTrue();
    assertThat(AntiEntropyFrames.digests(d)).isEqualTo(f);
    f = AntiEntropyFrames.digests(new Digests(5L, 1, null, null, new BitSet(), List.of()));
    d = AntiEntropyFrames.decodeDigests(f);
    assertThat(d.from()).isNull();
    assertThat(d.through()).isNull();

    List<byte[]> pulls = new ArrayList<>();
    for (int i = 0; i < AntiEntropyFrames.MAX_DIGESTS; i++) {
      pulls.add(bytes(32));
    }
    f = AntiEntropyFrames.digestsReply(new DigestsReply(8L, 2, false, key(3), pulls));
    assertThat(f.length).isLessThanOrEqualTo(AntiEntropyFrames.MAX_FRAME);
    DigestsReply r = AntiEntropyFrames.decodeDigestsReply(f);
    assertThat(r.pulls().get(7)).isEqualTo(pulls.get(7));
    assertThat(AntiEntropyFrames.digestsReply(r)).isEqualTo(f);
    assertThat(AntiEntropyFrames.decodeDigestsReply(
        AntiEntropyFrames.digestsReply(new DigestsReply(8L, 2, true, null, List.of()))).through()).isNull();
  }

  @Test
  void truncatedFramesAreMalformedNeverAnotherException() {
    List<byte[]> frames = List.of(
        AntiEntropyFrames.query(new Query(1L, 1, QueryKind.LEAVES, bytes(16), new int[] {1, 2})),
        AntiEntropyFrames.answer(new Answer(2L, 6, Status.GROUPS, new int[] {0}, new byte[][] {bytes(1024)})),
        AntiEntropyFrames.digests(fullDigests()),
        AntiEntropyFrames.digestsReply(new DigestsReply(8L, 2, false, key(3), List.of(bytes(32)))));
    for (byte[] frame : frames) {
      for (int length = 0; length < frame.length; length += Math.max(1, length / 7)) {
        byte[] cut = Arrays.copyOf(frame, length);
        assertThatThrownBy(() -> decode(cut)).isInstanceOf(MalformedFrameException.class);
      }
      byte[] longer = Arrays.copyOf(frame, frame.length + 1);
      assertThatThrownBy(() -> decode(longer)).isInstanceOf(MalformedFrameException.class);
    }
  }

  @Test
  void badFieldsAreRefusedWithAClearMessage() {
    byte[] q = AntiEntropyFrames.query(new Query(1L, 1, QueryKind.LEAVES, bytes(16), new int[] {1}));
    q[q.length - 1] = 64; // no group 64
    assertThatThrownBy(() -> AntiEntropyFrames.decodeQuery(q)).hasMessageContaining("group 64 out of range");
    byte[] kind = AntiEntropyFrames.query(new Query(1L, 1, QueryKind.ROOT, bytes(16), new int[0]));
    kind[18] = 9;
    assertThatThrownBy(() -> AntiEntropyFrames.decodeQuery(kind)).hasMessageContaining("kind");

    byte[] a = AntiEntropyFrames.answer(Answer.of(new Query(1L, 1, QueryKind.ROOT, bytes(16), new int[0]), Status.EQUAL));
    a[18] = 42;
    assertThatThrownBy(() -> AntiEntropyFrames.decodeAnswer(a)).hasMessageContaining("status");
    byte[] groups = AntiEntropyFrames.answer(new Answer(2L, 6, Status.GROUPS, new int[] {0}, new byte[][] {bytes(1024)}));
    groups[18] = (byte) Status.EQUAL.ordinal(); // EQUAL with an entry
    assertThatThrownBy(() -> AntiEntropyFrames.decodeAnswer(groups)).hasMessageContaining("EQUAL with 1 entries");

    byte[] d = AntiEntropyFrames.digests(fullDigests());
    int firstEntry = 18 + 66 + 512 + 2;
    byte[] unordered = d.clone();
    System.arraycopy(d, firstEntry + 49, unordered, firstEntry, 32); // first key = second key
    assertThatThrownBy(() -> AntiEntropyFrames.decodeDigests(unordered)).hasMessageContaining("out of order");
    byte[] tombstone = d.clone();
    tombstone[firstEntry + 40] = 2;
    assertThatThrownBy(() -> AntiEntropyFrames.decodeDigests(tombstone)).hasMessageContaining("tombstone flag");
    byte[] flag = d.clone();
    flag[18] = 3;
    assertThatThrownBy(() -> AntiEntropyFrames.decodeDigests(flag)).hasMessageContaining("key flag");
    byte[] count = d.clone();
    count[firstEntry - 2] = (byte) 0xFF;
    assertThatThrownBy(() -> AntiEntropyFrames.decodeDigests(count)).hasMessageContaining("digest count");

    byte[] wrongType = AntiEntropyFrames.digestsReply(new DigestsReply(8L, 2, false, null, List.of()));
    assertThatThrownBy(() -> AntiEntropyFrames.decodeDigests(wrongType)).hasMessageContaining("not a frame of type 0x56");
  }

  private static Object decode(byte[] frame) {
    int type = frame.length > 16 ? frame[16] & 0xFF : AntiEntropyFrames.QUERY;
    return switch (type) {
      case AntiEntropyFrames.QUERY -> AntiEntropyFrames.decodeQuery(frame);
      case AntiEntropyFrames.ANSWER -> AntiEntropyFrames.decodeAnswer(frame);
      case AntiEntropyFrames.DIGESTS -> AntiEntropyFrames.decodeDigests(frame);
      default -> AntiEntropyFrames.decodeDigestsReply(frame);
    };
  }
}
