package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.replication.ReplicaFrames;
import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keys replicated on other nodes: coordinated with replica frames, answered once, retransmissions
 * absorbed, timeouts bounded, malformed replica frames counted.
 */
class PipelineCoordinationTest extends PipelineHarness {
  // ------------------------------------------------------------------ coordination


  /** Delivers what each of two pipelines sent to the other, until both are quiet. */
  private static List<byte[]> exchange(Harness coordinator, Harness owner) {
    List<byte[]> toClient = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      coordinator.clock().advance(0);
      boolean moved = false;
      for (Harness from : List.of(coordinator, owner)) {
        Harness to = from == coordinator ? owner : coordinator;
        List<InetSocketAddress> dests = new ArrayList<>(from.sentTo);
        List<byte[]> datagrams = new ArrayList<>(from.sent);
        from.sent.clear();
        from.sentTo.clear();
        for (int i = 0; i < datagrams.size(); i++) {
          moved = true;
          if (dests.get(i).equals(to == owner ? OWNER : NODE)) {
            to.receive(datagrams.get(i), from == coordinator ? NODE : OWNER);
          } else {
            toClient.add(datagrams.get(i));
          }
        }
      }
      if (!moved) {
        break;
      }
    }
    return toClient;
  }

  @Test
  void aKeyReplicatedElsewhereIsCoordinatedAnsweredOnceAndItsRetransmissionsAbsorbed() {
    Harness coordinator = new Harness(NODE, 16, 64, FrameAuthenticator.none(), OWNED_ELSEWHERE);
    Harness owner = new Harness(OWNER, 16, 64, FrameAuthenticator.none(), LOCAL);
    byte[] put = RequestEncoder.encode(id(), Command.PUT, key(9), "v".getBytes());
    coordinator.receive(put, CLIENT);
    coordinator.receive(put, CLIENT); // retransmitted while the replica has not answered yet
    assertThat(coordinator.replicationStats.inFlightRetransmissions.sum()).isEqualTo(1);
    List<byte[]> replies = exchange(coordinator, owner);
    assertThat(replies).singleElement().satisfies(r -> {
      assertThat(Arrays.copyOf(r, 16)).isEqualTo(Arrays.copyOf(put, 16));
      assertThat(r[16]).isZero();
    });
    assertThat(coordinator.storage.keyCount()).isZero();
    assertThat(owner.storage.get(key(9)).value()).isEqualTo("v".getBytes());
    assertThat(owner.replicationStats.replicaWrites.sum()).isEqualTo(1);

    // A retransmission after the answer: the coordinator's reply cache answers, nothing runs again.
    coordinator.receive(put, CLIENT);
    assertThat(exchange(coordinator, owner)).hasSize(1);
    assertThat(owner.replicationStats.replicaWrites.sum()).isEqualTo(1);
    assertThat(coordinator.stats.retransmissions.sum()).isEqualTo(1);

    byte[] get = RequestEncoder.encode(id(), Command.GET, key(9), null);
    coordinator.receive(get, CLIENT);
    assertThat(exchange(coordinator, owner)).singleElement().satisfies(r -> {
      assertThat(r[16]).isZero();
      assertThat(Arrays.copyOfRange(r, 19, r.length)).isEqualTo("v".getBytes());
    });
  }

  @Test
  void aReplicaThatNeverAnswersGives0x22AtTheTimeoutAndTheTableIsBounded() {
    Harness coordinator = new Harness(NODE, 64, 64, FrameAuthenticator.none(), OWNED_ELSEWHERE);
    for (int i = 0; i < 20; i++) {
      coordinator.receive(RequestEncoder.encode(id(), Command.GET, key(i), null), CLIENT);
    }
    List<byte[]> toClient = new ArrayList<>();
    for (int i = 0; i < coordinator.sent.size(); i++) {
      if (!coordinator.sentTo.get(i).equals(OWNER)) {
        toClient.add(coordinator.sent.get(i));
      }
    }
    assertThat(toClient).as("beyond 16 outstanding operations: 0x03").hasSize(4)
        .allSatisfy(r -> assertThat(r[16]).isEqualTo((byte) 0x03));
    coordinator.replies();
    clock.advance(1_200);
    assertThat(coordinator.replies()).as("never 0x01 for a key whose replicas did not answer")
        .hasSize(16).allSatisfy(r -> assertThat(r[16]).isEqualTo((byte) 0x22));
    assertThat(coordinator.replicationStats.readTimeouts.sum()).isEqualTo(16);
    coordinator.receive(RequestEncoder.encode(id(), Command.GET, key(1), null), CLIENT);
    assertThat(coordinator.sentTo).as("room again after the timeout").containsExactly(OWNER);
  }

  @Test
  void malformedReplicaFramesAreCountedAndChangeNothing() {
    Harness owner = new Harness(OWNER, 16, 64, FrameAuthenticator.none(), LOCAL);
    owner.storage.put(key(1), new byte[] {1}, 1);
    byte[] truncated = Arrays.copyOf(
        ReplicaFrames.write(5, 0, key(1), VersionedRecord.live(99, new byte[] {2}), false), 40);
    owner.receive(truncated, NODE);
    byte[] tombstoneWithValue =
        ReplicaFrames.write(5, 0, key(1), VersionedRecord.live(99, new byte[] {2}), false);
    tombstoneWithValue[18 + 32] = 1; // tombstone flag on a record that has a value
    owner.receive(tombstoneWithValue, NODE);
    assertThat(owner.replies()).isEmpty();
    assertThat(owner.replicationStats.malformed.sum()).isEqualTo(2);
    assertThat(owner.storage.get(key(1)).value()).containsExactly(1);
  }
}
