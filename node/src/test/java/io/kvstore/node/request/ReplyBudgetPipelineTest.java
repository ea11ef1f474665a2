package io.kvstore.node.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.security.FrameAuthenticator;
import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.sources.ReplyBudget;
import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.protocol.Command;
import io.kvstore.protocol.InternalFrame;
import io.kvstore.protocol.RequestEncoder;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.replication.ReplicaFrames;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's amplification defences: the allow-list before anything is decoded further, the
 * reply budget where replies leave toward a client (also from the reply cache and when relaying a
 * forward), and oversized datagrams counted but served like their first 16 KiB.
 */
class ReplyBudgetPipelineTest extends PipelineHarness {
  private static final InetSocketAddress KEY_OWNER = new InetSocketAddress("127.0.0.9", 4000);
  private static final InetSocketAddress VICTIM = new InetSocketAddress("10.0.0.7", 5000);
  private static final InetSocketAddress ALLOWED_CLIENT = new InetSocketAddress("10.0.0.8", 5000);
  private static final InetSocketAddress TRUSTED = new InetSocketAddress("10.0.1.1", 5000);
  private static final InetSocketAddress STRANGER = new InetSocketAddress("192.0.2.1", 5000);
  private static final int LARGE = 15_000;
  /** 1 MB/s and a 100 KB burst: six 15,019-byte replies at once. */
  private static final int BURST_REPLIES = 100_000 / (LARGE + 19);

  private final byte[] largeValue = new byte[LARGE];

  /** One pipeline: allow 127/8 and 10/8, trust 10.0.1/24, budget 1 MB/s with a 100 KB burst. */
  private Harness budgeted(InetSocketAddress address, FrameAuthenticator auth, Ring ring) {
    ClientSources sources =
        new ClientSources(
            new SourceAllowList(List.of("127.0.0.0/8", "10.0.0.0/8")),
            new SourceAllowList(List.of("10.0.1.0/24")),
            new ReplyBudget(1_000_000, 100_000, 1024, clock), clock);
    return new Harness(address, 64, 64, auth, ring, clock, sources);
  }

  ReplyBudgetPipelineTest() {
    random.nextBytes(largeValue);
  }

  private byte[] get(int key) {
    return RequestEncoder.encode(id(), Command.GET, key(key), null);
  }

  private Harness withLargeValue() {
    Harness h = budgeted(NODE, FrameAuthenticator.none(), TestReplication.LOCAL);
    h.storage.put(key(1), largeValue, 1);
    return h;
  }

  @Test
  void largeRepliesToOneAddressStopAfterTheBurstWhileOtherAddressesAreServed() {
    Harness h = withLargeValue();
    int values = 0;
    for (int i = 0; i < 50; i++) {
      // A spoofer varies the port; the budget is the address's.
      byte[] reply = h.exchange(get(1), new InetSocketAddress(VICTIM.getAddress(), 1000 + i));
      if (reply.length == LARGE + 19) {
        values++;
      } else {
        assertThat(reply).hasSize(17);
        assertThat(reply[16]).isEqualTo((byte) 0x03);
      }
    }
    assertThat(values).isEqualTo(BURST_REPLIES);
    assertThat(h.sources.budget().throttled()).isEqualTo(50 - BURST_REPLIES);
    assertThat(h.stats.clientReplyBytes.sum())
        .isEqualTo(BURST_REPLIES * (LARGE + 19L) + (50 - BURST_REPLIES) * 17L);
    assertThat(h.exchange(get(1), ALLOWED_CLIENT)).hasSize(LARGE + 19);
    for (int i = 0; i < 20; i++) {
      assertThat(h.exchange(get(1), TRUSTED)).as("trusted: no budget").hasSize(LARGE + 19);
    }
    h.storage.put(key(2), new byte[100], 2);
    for (int i = 0; i < 1_000; i++) {
      assertThat(h.exchange(get(2), VICTIM)).as("small replies are free").hasSize(119);
    }
    assertThat(h.storage.get(key(1)).value()).isEqualTo(largeValue);
  }

  @Test
  void aThrottledGetRanOnceAndItsRetryIsAnsweredFromTheCacheWhenTheBucketRefills() {
    Harness h = withLargeValue();
    for (int i = 0; i < BURST_REPLIES; i++) {
      h.exchange(get(1), VICTIM);
    }
    byte[] request = get(1);
    assertThat(h.exchange(request, VICTIM)[16]).isEqualTo((byte) 0x03);
    long executed = h.stats.executedCount(Command.GET);
    assertThat(h.exchange(request, VICTIM)[16]).as("retry too soon").isEqualTo((byte) 0x03);
    clock.advance(16); // 1 MB/s refills a 15 KB reply in 15 ms
    byte[] reply = h.exchange(request, VICTIM);
    assertThat(Arrays.copyOfRange(reply, 19, reply.length)).isEqualTo(largeValue);
    assertThat(h.stats.executedCount(Command.GET)).isEqualTo(executed);
    assertThat(h.stats.retransmissions.sum()).isEqualTo(2);
  }

  @Test
  void sourcesOutsideTheAllowListGetNothingAndChangeNothing() {
    Harness h = withLargeValue();
    h.receive(RequestEncoder.encode(id(), Command.PUT, key(3), new byte[] {1}), STRANGER);
    h.receive(RequestEncoder.encode(id(), Command.REMOVE, key(1), null), STRANGER);
    h.receive(get(1), STRANGER);
    byte[] garbage = new byte[20];
    garbage[16] = 0x1F; // unknown command: would be answered 0x05 to an allowed source
    h.receive(garbage, STRANGER);
    byte[] internal = new byte[InternalFrame.HEADER + 4];
    internal[InternalFrame.TYPE_OFFSET] = 0x20;
    internal[InternalFrame.VERSION_OFFSET] = InternalFrame.VERSION;
    h.receive(internal, STRANGER); // no secret: an internal frame is held to the list too
    assertThat(h.replies()).isEmpty();
    assertThat(h.internalFrames).isEmpty();
    assertThat(h.sources.refused()).isEqualTo(5);
    assertThat(h.storage.keyCount()).isEqualTo(1);
    assertThat(h.storage.get(key(1)).value()).isEqualTo(largeValue);
    assertThat(h.stats.executedCount(Command.PUT) + h.stats.executedCount(Command.GET)).isZero();

    h.receive(garbage, ALLOWED_CLIENT);
    assertThat(h.replies()).singleElement().satisfies(r -> assertThat(r[16]).isEqualTo((byte) 0x05));
    h.receive(internal, ALLOWED_CLIENT);
    assertThat(h.internalFrames).hasSize(1);
  }

  @Test
  void withASecretAuthenticatedFramesFromAnySourceReachTheirHandler() {
    FrameAuthenticator auth = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    Harness h = budgeted(NODE, auth, TestReplication.LOCAL);
    byte[] frame = new byte[InternalFrame.HEADER + 4];
    frame[InternalFrame.TYPE_OFFSET] = 0x20;
    frame[InternalFrame.VERSION_OFFSET] = InternalFrame.VERSION;
    h.receive(auth.seal(frame), STRANGER);
    assertThat(h.internalFrames).hasSize(1);
    assertThat(h.sources.refused()).isZero();
    h.receive(get(1), STRANGER);
    assertThat(h.replies()).isEmpty();
    assertThat(h.sources.refused()).isEqualTo(1);
  }

  @Test
  void oversizedDatagramsAreCountedAndServedAsTheirFirst16KiB() {
    Harness h = withLargeValue();
    byte[] exactly = Arrays.copyOf(get(1), OversizedDatagrams.LIMIT);
    assertThat(h.exchange(exactly, ALLOWED_CLIENT)).hasSize(LARGE + 19);
    assertThat(h.stats.oversized.sum()).isZero();
    byte[] filledSlot = Arrays.copyOf(get(1), OversizedDatagrams.LIMIT + 1);
    byte[] reply = h.exchange(filledSlot, ALLOWED_CLIENT);
    assertThat(Arrays.copyOfRange(reply, 19, reply.length)).isEqualTo(largeValue);
    byte[] put = Arrays.copyOf(RequestEncoder.encode(id(), Command.PUT, key(4), "v".getBytes()), 20_000);
    assertThat(h.exchange(put, ALLOWED_CLIENT)[16]).isZero();
    assertThat(h.storage.get(key(4)).value()).isEqualTo("v".getBytes());
    assertThat(h.stats.oversized.sum()).isEqualTo(2);
  }

  @Test
  void theCoordinatorChargesTheClientForAValueItsReplicaSent() {
    Harness coordinator = budgeted(NODE, FrameAuthenticator.none(), TestReplication.ownedBy(KEY_OWNER));
    FrameAuthenticator secret = FrameAuthenticator.withSecret("0123456789abcdef-secret");
    Harness owner = budgeted(KEY_OWNER, secret, TestReplication.LOCAL);
    owner.storage.put(key(1), largeValue, 1);
    // The owner runs with a secret in this test only to show it does not charge the coordinator;
    // frames are delivered unsealed and sealed by hand below.
    int values = 0;
    for (int i = 0; i < 20; i++) {
      coordinator.receive(get(1), VICTIM);
      for (byte[] read : coordinator.replies()) {
        owner.receive(secret.seal(read), NODE);
      }
      List<byte[]> fromOwner = owner.replies();
      assertThat(fromOwner).hasSize(1);
      byte[] opened = Arrays.copyOf(fromOwner.get(0), fromOwner.get(0).length - InternalFrame.TAG_LENGTH);
      assertThat(opened.length).as("the replica never throttles a coordinator").isGreaterThan(LARGE);
      coordinator.receive(opened, KEY_OWNER);
      List<byte[]> toClient = coordinator.replies();
      assertThat(toClient).hasSize(1);
      if (toClient.get(0).length == LARGE + 19) {
        values++;
      } else {
        assertThat(toClient.get(0)).hasSize(17);
      }
    }
    assertThat(values).isEqualTo(BURST_REPLIES);
    assertThat(coordinator.sources.budget().throttled()).isEqualTo(20 - BURST_REPLIES);
    assertThat(owner.sources.budget().throttled()).isZero();
  }

  @Test
  void withoutASecretAReplicaChargesTheAddressItAnswers() {
    Harness owner = budgeted(KEY_OWNER, FrameAuthenticator.none(), TestReplication.LOCAL);
    owner.storage.put(key(1), largeValue, 1);
    int large = 0;
    int answered = 0;
    for (int i = 0; i < 20; i++) {
      owner.receive(ReplicaFrames.read(i + 1, 0, key(1)), VICTIM); // a forged READ "from" the victim
      for (byte[] out : owner.replies()) {
        answered++;
        assertThat(out.length).isGreaterThan(LARGE);
        large++;
      }
    }
    assertThat(large).as("no more large answers than the victim's burst").isLessThanOrEqualTo(BURST_REPLIES);
    assertThat(answered).isEqualTo(large);
    assertThat(owner.sources.budget().throttled()).isEqualTo(20 - large);
  }
}
