package io.kvstore.node.cluster;

import static io.kvstore.node.cluster.MembershipHarness.address;
import static io.kvstore.node.cluster.MembershipHarness.peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.SwimMessage.Gossip;
import io.kvstore.node.cluster.SwimMessage.Update;
import io.kvstore.node.cluster.SwimMessage.Update.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Piggybacking and gossip rounds: each accepted change reaches others a bounded number of times. */
class DisseminationTest {
  private final MembershipHarness node = new MembershipHarness(SwimConfig.defaults()).withPeers(9);

  @Test
  void anAcceptedChangeIsPassedOnAsOftenAsTheRetransmitLimitSays() {
    node.sent.clear();
    Update suspect = new Update(Kind.SUSPECT, peer(1), null, MembershipHarness.START_INCARNATION, peer(2));
    node.receive(2, new Gossip(List.of(suspect)));

    node.time.advance(30_000);

    long copies = node.sentUpdates().stream().filter(suspect::equals).count();
    assertThat(copies).isEqualTo(SwimConfig.defaults().retransmitLimit(10));
  }

  @Test
  void aRejectedUpdateIsNotPassedOn() {
    node.sent.clear();
    Update absurd = new Update(Kind.SUSPECT, peer(1), null, MembershipHarness.START_INCARNATION + 9, peer(2));
    node.receive(2, new Gossip(List.of(absurd)));

    node.time.advance(30_000);

    assertThat(node.sentUpdates()).doesNotContain(absurd);
  }

  @Test
  void piggybackedUpdatesFitTheDatagramBudget() {
    for (int i = 10; i < 200; i++) {
      node.receive(1, new Gossip(List.of(new Update(Kind.ALIVE, peer(i), address(i % 250), 5, peer(i)))));
    }

    node.time.advance(10_000);

    for (MembershipHarness.Sent s : node.sent) {
      int bytes = SwimCodec.encode(new byte[16], s.message()).length;
      assertThat(bytes).isLessThanOrEqualTo(SwimConfig.defaults().maxDatagramBytes());
    }
  }
}
