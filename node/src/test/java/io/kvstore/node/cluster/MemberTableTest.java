package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.address;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemberTableTest {
  private final MemberTable table = new MemberTable(new SplittableRandom(3));

  private void addPeers(int count) {
    for (int i = 1; i <= count; i++) {
      table.addAlive(peer(i), address(i), 1, 0);
    }
  }

  @Test
  void countsLiveMembersIncludingItself() {
    addPeers(5);
    table.setState(table.get(peer(2)), MemberState.SUSPECT, 1);
    table.setState(table.get(peer(3)), MemberState.DEAD, 1);

    assertThat(table.liveCount()).isEqualTo(5);
    assertThat(table.size()).isEqualTo(5);
  }

  @Test
  void aProbeRoundVisitsEveryLiveMemberOnceAndSkipsTheDead() {
    addPeers(10);
    table.setState(table.get(peer(4)), MemberState.DEAD, 1);
    Set<NodeId> visited = new HashSet<>();

    for (int i = 0; i < 9; i++) {
      visited.add(table.nextProbeTarget().id);
    }

    assertThat(visited).hasSize(9).doesNotContain(peer(4));
  }

  @Test
  void aForgottenMemberIsGoneButOneThatCameBackIsKept() {
    addPeers(2);
    table.setState(table.get(peer(1)), MemberState.DEAD, 10);
    table.setState(table.get(peer(2)), MemberState.DEAD, 10);
    table.setState(table.get(peer(2)), MemberState.ALIVE, 20);

    table.forget(peer(1), 10);
    table.forget(peer(2), 10);

    assertThat(table.get(peer(1))).isNull();
    assertThat(table.get(peer(2))).isNotNull();
  }

  @Test
  void randomMembersAreDistinctFilteredAndExcludeTheGivenOne() {
    for (int size : new int[] {10, 200}) {
      MemberTable t = new MemberTable(new SplittableRandom(size));
      for (int i = 1; i <= size; i++) {
        t.addAlive(peer(i), address(i % 250), 1, 0);
      }
      var picked = t.randomMembers(5, m -> !m.id.equals(peer(2)), peer(1));
      assertThat(picked).hasSize(5).doesNotHaveDuplicates();
      assertThat(picked).extracting(m -> m.id).doesNotContain(peer(1), peer(2));
    }
  }
}
