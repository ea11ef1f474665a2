package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.address;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.MemberTable.Record;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MemberTable#isLiveAtLeast} answers from the dense arrays for ids with a dense index (the
 * simulator's) and from the record otherwise; both must always agree with the record.
 */
class DenseMemberLookupTest {
  private static final MemberState[] STATES = MemberState.values();

  @Test
  void theDenseAnswerIsTheRecordsThroughAddsStateChangesAndForgets() {
    SplittableRandom random = new SplittableRandom(11);
    MemberTable table = new MemberTable(new SplittableRandom(3));
    int pool = 300;
    NodeId[] dense = new NodeId[pool];
    for (int i = 0; i < pool; i++) {
      dense[i] = NodeId.dense("node-" + i, (i * 7) % pool); // numbers in no particular order
    }
    long now = 0;
    for (int step = 0; step < 30_000; step++) {
      int i = random.nextInt(pool);
      // Mostly the numbered instance; sometimes an equal plain one, or one misnumbered.
      int kind = random.nextInt(10);
      NodeId id = kind < 8 ? dense[i] : kind == 8 ? new NodeId("node-" + i) : NodeId.dense("node-" + i, random.nextInt(pool));
      Record r = table.get(id);
      if (r == null) {
        table.addAlive(id, address(1 + i), random.nextInt(5), now);
      } else if (random.nextInt(8) == 0) {
        table.setState(r, MemberState.DEAD, ++now);
        table.forget(id, now);
      } else {
        r.incarnation += random.nextInt(2);
        table.setState(r, STATES[random.nextInt(STATES.length)], ++now);
      }
      for (int probe = 0; probe < 4; probe++) {
        int j = random.nextInt(pool);
        NodeId asked = probe == 0 ? new NodeId("node-" + j) : dense[j];
        long incarnation = random.nextInt(7);
        Record known = table.get(asked);
        boolean expected = known != null && known.state.isLive() && incarnation <= known.incarnation;
        assertThat(table.isLiveAtLeast(asked, incarnation)).as("step %d, %s at %d", step, asked, incarnation)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void anIdMisnumberedLikeAnotherIsNotTakenForIt() {
    MemberTable table = new MemberTable(new SplittableRandom(3));
    table.addAlive(NodeId.dense("node-1", 5), address(1), 9, 0);

    assertThat(table.isLiveAtLeast(NodeId.dense("node-2", 5), 1)).isFalse();
    assertThat(table.isLiveAtLeast(NodeId.dense("node-1", 6), 9)).isTrue(); // found by hash
    assertThat(table.isLiveAtLeast(new NodeId("node-1"), 10)).isFalse();
  }

  @Test
  void aPlainIdHasNoDenseIndex() {
    assertThat(new NodeId("node-1").denseIndex()).isEqualTo(NodeId.NO_DENSE_INDEX);
    assertThat(NodeId.fromUtf8(new byte[] {'a'}, 0, 1).denseIndex()).isEqualTo(NodeId.NO_DENSE_INDEX);
    assertThat(NodeId.dense("node-1", 3)).isEqualTo(new NodeId("node-1"));
  }
}
