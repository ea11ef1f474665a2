package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pending candidates' two tables against two HashMaps, through adds, removals and lookups. */
class PendingCandidatesTest {
  private record Claim(NodeId id, InetSocketAddress address) {}

  @Test
  void findsWhatTwoMapsWouldThroughAddsRemovalsAndShrinking() {
    SplittableRandom random = new SplittableRandom(19);
    PendingCandidates pending = new PendingCandidates();
    Map<Claim, Admission.Candidate> byClaim = new HashMap<>();
    Map<Integer, Admission.Candidate> byNonce = new HashMap<>();
    List<Admission.Candidate> live = new ArrayList<>();
    // Ids whose hashes are all equal ("Aa" and "BB" hash alike), a few ports, nonces from a
    // small range: long clusters of slots in both tables.
    List<NodeId> ids = new ArrayList<>();
    for (int bits = 0; bits < 32; bits++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        b.append((bits >> i & 1) == 0 ? "Aa" : "BB");
      }
      ids.add(new NodeId(b.toString()));
      ids.add(new NodeId("n" + bits));
    }
    for (int step = 0; step < 100_000; step++) {
      int action = random.nextInt(10);
      // An equal id and address, but other instances, as a decoded claim has.
      NodeId id = new NodeId(ids.get(random.nextInt(ids.size())).value());
      InetSocketAddress address = new InetSocketAddress("10.0.0." + (1 + random.nextInt(3)), 4000 + random.nextInt(2));
      int nonce = random.nextInt(400) - 200;
      if (action < 4 && live.size() < 1_500) {
        Claim claim = new Claim(id, address);
        if (!byClaim.containsKey(claim) && !byNonce.containsKey(nonce)) {
          Admission.Candidate c = new Admission.Candidate(id, address, nonce, 1);
          pending.add(c);
          byClaim.put(claim, c);
          byNonce.put(nonce, c);
          live.add(c);
        }
      } else if (action < 7 && !live.isEmpty()) {
        Admission.Candidate c = live.remove(random.nextInt(live.size()));
        assertThat(pending.remove(c)).isTrue();
        assertThat(pending.remove(c)).isFalse();
        byClaim.remove(new Claim(c.id, c.address));
        byNonce.remove(c.nonce);
        if (live.isEmpty() && random.nextBoolean()) {
          pending.shrinkIfEmpty();
          assertThat(pending.capacity()).isEqualTo(16);
        }
      } else {
        assertThat(pending.byClaim(id, address)).isSameAs(byClaim.get(new Claim(id, address)));
        assertThat(pending.byNonce(nonce)).isSameAs(byNonce.get(nonce));
      }
      assertThat(pending.size()).isEqualTo(live.size());
    }
    for (Admission.Candidate c : live) {
      assertThat(pending.byClaim(c.id, c.address)).isSameAs(c);
      assertThat(pending.byNonce(c.nonce)).isSameAs(c);
    }
  }

  @Test
  void anotherCandidateWithTheSameClaimIsNotRemovedInItsPlace() {
    PendingCandidates pending = new PendingCandidates();
    InetSocketAddress address = new InetSocketAddress("10.0.0.1", 4000);
    Admission.Candidate c = new Admission.Candidate(new NodeId("a"), address, 7, 1);
    pending.add(c);
    assertThat(pending.remove(new Admission.Candidate(new NodeId("a"), address, 7, 1))).isFalse();
    assertThat(pending.byNonce(7)).isSameAs(c);
    assertThat(pending.size()).isEqualTo(1);
  }
}
