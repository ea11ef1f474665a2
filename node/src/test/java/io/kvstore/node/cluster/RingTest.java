package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RingTest {
  private static Member member(int i, MemberState state) {
    return new Member(new NodeId("node-" + i), new InetSocketAddress("127.0.0.1", 4000 + i), 1, state, 0);
  }

  private static List<Member> members(int n) {
    List<Member> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(member(i, MemberState.ALIVE));
    }
    return list;
  }

  /** Keys that share a 31-byte prefix, as a naive client might produce. */
  private static byte[] key(int i) {
    byte[] k = new byte[32];
    k[31] = (byte) i;
    k[30] = (byte) (i >> 8);
    return k;
  }

  @Test
  void keysSpreadEvenlyEvenWhenTheyShareAPrefix() {
    Ring ring = Ring.of(members(5), new NodeId("node-0"), 64);
    Map<NodeId, Integer> counts = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      counts.merge(ring.ownerOf(key(i)).id(), 1, Integer::sum);
    }
    assertThat(counts).hasSize(5);
    // 64 virtual nodes: each node within ±40% of a fair share of 10,000.
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(6_000, 14_000));
  }

  @Test
  void everyNodeComputesTheSameOwnerWhateverTheOrderOfItsView() {
    List<Member> a = members(7);
    List<Member> b = new ArrayList<>(a);
    java.util.Collections.reverse(b);
    Ring ra = Ring.of(a, new NodeId("node-0"), 16);
    Ring rb = Ring.of(b, new NodeId("node-3"), 16);
    for (int i = 0; i < 1000; i++) {
      assertThat(ra.ownerOf(key(i))).isEqualTo(rb.ownerOf(key(i)));
    }
  }

  @Test
  void aDeadMemberKeepsItsPlaceAndOnlyTheKeysOfOneThatLeftMove() {
    List<Member> all = members(5);
    Ring before = Ring.of(all, new NodeId("node-0"), 64);
    List<Member> oneDead = new ArrayList<>(all);
    oneDead.set(2, member(2, MemberState.DEAD));
    Ring dead = Ring.of(oneDead, new NodeId("node-0"), 64);
    List<Member> oneLeft = new ArrayList<>(all);
    oneLeft.set(2, member(2, MemberState.LEFT));
    Ring left = Ring.of(oneLeft, new NodeId("node-0"), 64);
    for (int i = 0; i < 10_000; i++) {
      Ring.Owner was = before.ownerOf(key(i));
      assertThat(dead.ownerOf(key(i)).id()).as("a crash moves no key").isEqualTo(was.id());
      assertThat(dead.ownerOf(key(i)).down()).isEqualTo(was.id().equals(new NodeId("node-2")));
      Ring.Owner now = left.ownerOf(key(i));
      if (!was.id().equals(new NodeId("node-2"))) {
        assertThat(now).isEqualTo(was);
      } else {
        assertThat(now.id()).isNotEqualTo(new NodeId("node-2"));
      }
    }
  }

  @Test
  void aPreferenceListHoldsNDistinctMembersOwnerFirstAndMovesLittleWhenOneLeaves() {
    List<Member> all = members(6);
    Ring ring = Ring.of(all, new NodeId("node-0"), 64);
    List<Member> oneLeft = new ArrayList<>(all);
    oneLeft.set(4, member(4, MemberState.LEFT));
    Ring after = Ring.of(oneLeft, new NodeId("node-0"), 64);
    int changed = 0;
    for (int i = 0; i < 5_000; i++) {
      Ring.Owner[] replicas = ring.replicasOf(key(i), 3);
      assertThat(replicas).hasSize(3).doesNotHaveDuplicates();
      assertThat(replicas[0]).isEqualTo(ring.ownerOf(key(i)));
      List<Ring.Owner> now = List.of(after.replicasOf(key(i), 3));
      for (Ring.Owner r : replicas) {
        if (!r.id().equals(new NodeId("node-4"))) {
          assertThat(now).as("a replica that stays keeps the key").contains(r);
        } else {
          changed++;
        }
      }
    }
    assertThat(changed).as("about half of the keys had node-4 among their 3 of 6").isBetween(2_000, 3_000);
    assertThat(Ring.of(members(2), new NodeId("node-0"), 8).replicasOf(key(1), 3)).hasSize(2);
    assertThat(Ring.of(List.of(), new NodeId("node-0"), 8).replicasOf(key(1), 3)).isEmpty();
  }

  @Test
  void suspectMembersStillOwnTheirKeys() {
    List<Member> list = members(3);
    list.set(1, member(1, MemberState.SUSPECT));
    Ring ring = Ring.of(list, new NodeId("node-0"), 8);
    assertThat(ring.size()).isEqualTo(24);
  }

  @Test
  void aLoneNodeOwnsEverything() {
    Ring ring = Ring.of(members(1), new NodeId("node-0"), 8);
    assertThat(ring.isSelf(ring.ownerOf(key(1)))).isTrue();
  }

  @Test
  void selfAloneOnlyWhenEveryPreferenceListIsThisNodeAndItAgreesWithReplicasOf() {
    assertThat(Ring.of(List.of(), new NodeId("node-0"), 16).selfAlone()).isTrue();
    Ring single = Ring.of(members(1), new NodeId("node-0"), 16);
    assertThat(single.selfAlone()).isTrue();
    for (int n = 1; n <= 3; n++) {
      Ring.Owner[] replicas = single.replicasOf(key(7), n);
      assertThat(replicas).hasSize(1);
      assertThat(single.isSelf(replicas[0])).isTrue();
    }
    assertThat(Ring.of(members(1), new NodeId("node-9"), 16).selfAlone())
        .as("the only member is another node").isFalse();
    assertThat(Ring.of(members(2), new NodeId("node-0"), 16).selfAlone()).isFalse();
  }
}
