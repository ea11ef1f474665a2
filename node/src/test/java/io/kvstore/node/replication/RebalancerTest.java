package io.kvstore.node.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.Member;
import io.kvstore.node.cluster.MemberState;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.cluster.Ring;
import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.service.DiskSpaceGuard;
import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rebalancer as a state machine: a manual clock, rings set by hand, frames captured. */
class RebalancerTest {
  private record Sent(InetSocketAddress to, byte[] frame) {
    int type() {
      return frame[InternalFrame.TYPE_OFFSET] & 0xFF;
    }
  }

  private final ManualClock clock = new ManualClock();
  private final List<Sent> sent = new ArrayList<>();
  private final MemoryStorageEngine storage = new MemoryStorageEngine(StorageLimits.UNLIMITED);
  private final Replica replica = new Replica(storage, new HybridLogicalClock(clock), clock,
      DiskSpaceGuard.none(), new ReplicationStats());
  private final RebalanceStats stats = new RebalanceStats();
  private Ring ring;

  private static Member member(String id, int host) {
    return new Member(new NodeId(id), new InetSocketAddress("127.0.0." + host, 4000), 1, MemberState.ALIVE, 0);
  }

  private static final Member A = member("a", 1);
  private static final Member B = member("b", 2);
  private static final Member C = member("c", 3);
  private static final Member D = member("d", 4);
  private static final Member E = member("e", 5);

  private static Ring ring(NodeId self, Member... members) {
    return Ring.of(List.of(members), self, 16);
  }

  private Rebalancer rebalancer(NodeId self, long bytesPerSecond, boolean storageEmpty) {
    return new Rebalancer(storage, replica, () -> ring, clock, (to, frame) -> sent.add(new Sent(to, frame)),
        clock, 3, new RebalanceConfig(bytesPerSecond, 100, 1_000), stats, storageEmpty, 1);
  }

  private List<byte[]> fill(int count, int valueBytes) {
    List<byte[]> keys = new ArrayList<>();
    long ts = HybridLogicalClock.timestamp(clock.currentTimeMillis(), 0);
    for (int i = 0; i < count; i++) {
      byte[] k = new byte[32];
      k[0] = (byte) (i >> 8);
      k[1] = (byte) i;
      k[2] = 1;
      storage.apply(k, VersionedRecord.live(ts, new byte[valueBytes]));
      keys.add(k);
    }
    return keys;
  }

  private static boolean holds(Ring r, byte[] key, NodeId id) {
    return Arrays.stream(r.replicasOf(key, 3)).anyMatch(o -> o.id().equals(id));
  }

  /** Acknowledges every batch and DONE sent so far (as their receivers would); returns them. */
  private List<Sent> ackAll(Rebalancer r) {
    List<Sent> frames = new ArrayList<>(sent);
    sent.clear();
    for (Sent s : frames) {
      if (s.type() == RangeStreamFrames.BATCH) {
        RangeStreamFrames.Batch b = RangeStreamFrames.decodeBatch(s.frame());
        r.onAck(s.to(), RangeStreamFrames.ack(new RangeStreamFrames.Ack(b.pass(), b.number(), b.entries().size(), 0, 0)));
      } else if (s.type() == RangeStreamFrames.DONE) {
        RangeStreamFrames.RingNotice d = RangeStreamFrames.decodeNotice(s.frame(), RangeStreamFrames.DONE);
        r.onAck(s.to(), RangeStreamFrames.ack(new RangeStreamFrames.Ack(d.pass(), d.number(), 0, 0, 0)));
      }
    }
    return frames;
  }

  @Test
  void aJoinStreamsToTheJoinerExactlyTheKeysItGainedThenSaysDoneToEveryLiveMember() {
    List<byte[]> keys = fill(600, 100);
    ring = ring(A.id(), A, B, C);
    Rebalancer r = rebalancer(A.id(), 8L << 20, false);
    r.start(false);
    clock.advance(200);
    assertThat(sent).isEmpty();
    Ring before = ring;
    ring = ring(A.id(), A, B, C, D);
    Set<String> streamed = new HashSet<>();
    Set<InetSocketAddress> done = new HashSet<>();
    for (int i = 0; i < 200 && !r.settled(); i++) {
      clock.advance(10);
      for (Sent s : ackAll(r)) {
        if (s.type() == RangeStreamFrames.BATCH) {
          assertThat(s.to()).as("only the joiner gained ranges").isEqualTo(D.address());
          assertThat(s.frame().length).isLessThanOrEqualTo(InternalFrame.HEADER + RangeStreamFrames.MAX_BATCH_BODY);
          RangeStreamFrames.decodeBatch(s.frame()).entries().forEach(e -> streamed.add(Arrays.toString(e.key())));
        } else if (s.type() == RangeStreamFrames.DONE) {
          done.add(s.to());
        }
      }
    }
    assertThat(r.settled()).isTrue();
    Set<String> gained = new HashSet<>();
    for (byte[] k : keys) {
      if (holds(ring, k, D.id()) && !holds(before, k, D.id())) {
        gained.add(Arrays.toString(k));
      }
    }
    assertThat(gained).isNotEmpty();
    assertThat(streamed).isEqualTo(gained);
    assertThat(done).containsExactlyInAnyOrder(B.address(), C.address(), D.address());
    assertThat(stats.recordsStreamed.sum()).isEqualTo(gained.size());
    assertThat(stats.passesCompleted.sum()).isEqualTo(1);
  }

  @Test
  void aBatchWhoseAckIsLostIsSentAgain() {
    fill(300, 100);
    ring = ring(A.id(), A, B, C);
    Rebalancer r = rebalancer(A.id(), 8L << 20, false);
    r.start(false);
    clock.advance(200);
    ring = ring(A.id(), A, B, C, D);
    clock.advance(300);
    List<Sent> first = new ArrayList<>(sent);
    assertThat(first).isNotEmpty();
    sent.clear();
    clock.advance(StreamSender.RESEND_MILLIS + 20);
    assertThat(stats.batchesRetransmitted.sum()).isPositive();
    assertThat(sent).extracting(s -> Arrays.toString(s.frame()))
        .containsAnyElementsOf(first.stream().map(s -> Arrays.toString(s.frame())).toList());
    for (int i = 0; i < 200 && !r.settled(); i++) {
      clock.advance(10);
      ackAll(r);
    }
    assertThat(r.settled()).isTrue();
  }

  @Test
  void theStreamKeepsToItsByteBudget() {
    fill(3_000, 200);
    long budget = 64 << 10;
    ring = ring(A.id(), A, B, C);
    Rebalancer r = rebalancer(A.id(), budget, false);
    r.start(false);
    clock.advance(200);
    ring = ring(A.id(), A, B, C, D, E);
    long maxInASecond = 0;
    long total = 0;
    int seconds = 0;
    while (!r.settled() && seconds < 60) {
      long bytes = 0;
      for (int i = 0; i < 100; i++) {
        clock.advance(10);
        for (Sent s : ackAll(r)) {
          bytes += s.frame().length;
        }
      }
      seconds++;
      total += bytes;
      maxInASecond = Math.max(maxInASecond, bytes);
    }
    assertThat(r.settled()).isTrue();
    assertThat(seconds).as("the stream took several seconds at this budget").isGreaterThan(3);
    assertThat(maxInASecond).isLessThanOrEqualTo(budget + RangeStreamFrames.MAX_BATCH_BODY + 100);
    assertThat(total).isLessThanOrEqualTo(budget * seconds + RangeStreamFrames.MAX_BATCH_BODY + 100);
  }

  @Test
  void aRingChangeMidPassStartsOverAgainstTheNewestRing() {
    List<byte[]> keys = fill(2_000, 200);
    ring = ring(A.id(), A, B, C);
    Ring base = ring;
    Rebalancer r = rebalancer(A.id(), 256 << 10, false);
    r.start(false);
    clock.advance(200);
    ring = ring(A.id(), A, B, C, D);
    clock.advance(400);
    ackAll(r);
    assertThat(r.active()).isTrue();
    ring = ring(A.id(), A, B, C, D, E);
    Set<String> toD = new HashSet<>();
    Set<String> toE = new HashSet<>();
    for (int i = 0; i < 3_000 && !r.settled(); i++) {
      clock.advance(10);
      for (Sent s : ackAll(r)) {
        if (s.type() == RangeStreamFrames.BATCH) {
          Set<String> into = s.to().equals(D.address()) ? toD : toE;
          RangeStreamFrames.decodeBatch(s.frame()).entries().forEach(e -> into.add(Arrays.toString(e.key())));
        }
      }
    }
    assertThat(r.settled()).isTrue();
    assertThat(stats.passesRestarted.sum()).isEqualTo(1);
    for (byte[] k : keys) {
      assertThat(toD.contains(Arrays.toString(k))).isEqualTo(holds(ring, k, D.id()) && !holds(base, k, D.id()));
      assertThat(toE.contains(Arrays.toString(k))).isEqualTo(holds(ring, k, E.id()) && !holds(base, k, E.id()));
    }
  }

  @Test
  void aJoinerAnswersItsGainedKeysAsIncompleteUntilEveryLiveMemberSaidDone() {
    ring = ring(D.id(), A, B, C, D);
    Rebalancer r = rebalancer(D.id(), 8L << 20, true);
    r.start(true);
    clock.advance(150);
    byte[] gained = null;
    for (int i = 0; gained == null; i++) {
      byte[] k = new byte[32];
      k[0] = (byte) i;
      if (holds(ring, k, D.id())) {
        gained = k;
      }
    }
    assertThat(replica.read(1, 0, gained).incomplete()).isTrue();
    assertThat(stats.complete()).isFalse();
    assertThat(sent).as("it asks every member for its ranges")
        .filteredOn(s -> s.type() == RangeStreamFrames.REQUEST).extracting(Sent::to)
        .containsExactlyInAnyOrder(A.address(), B.address(), C.address());
    long fp = ring.fingerprint();
    r.onDone(B.address(), RangeStreamFrames.done(7, 0, fp));
    r.onDone(C.address(), RangeStreamFrames.done(8, 0, fp));
    r.onDone(A.address(), RangeStreamFrames.done(9, 0, fp + 1)); // another ring: does not count
    assertThat(replica.read(1, 0, gained).incomplete()).isTrue();
    assertThat(stats.membersAwaited()).isEqualTo(1);
    r.onDone(A.address(), RangeStreamFrames.done(9, 1, fp));
    assertThat(replica.read(1, 0, gained).incomplete()).isFalse();
    assertThat(stats.complete()).isTrue();
    assertThat(sent).filteredOn(s -> s.type() == RangeStreamFrames.ACK).hasSize(4);
  }

  @Test
  void framesFromStrangersAndMalformedFramesChangeNothing() {
    ring = ring(D.id(), A, B, C, D);
    Rebalancer r = rebalancer(D.id(), 8L << 20, true);
    r.start(true);
    clock.advance(150);
    InetSocketAddress stranger = new InetSocketAddress("127.0.0.99", 4000);
    r.onDone(stranger, RangeStreamFrames.done(1, 0, ring.fingerprint()));
    r.onRequest(stranger, RangeStreamFrames.request(0, ring.fingerprint()));
    assertThat(stats.strangers.sum()).isEqualTo(2);
    assertThat(stats.complete()).isFalse();
    r.onAck(A.address(), new byte[5]);
    r.onDone(A.address(), Arrays.copyOf(RangeStreamFrames.done(1, 0, 1), 30));
    r.onRequest(A.address(), new byte[18]);
    assertThat(stats.malformed.sum()).isEqualTo(3);
    assertThat(r.active()).isFalse();
  }

  @Test
  void aLeavingNodeStreamsItsRangesToTheMembersThatTakeThemOverThenReportsDone() {
    List<byte[]> keys = fill(500, 100);
    ring = ring(C.id(), A, B, C, D);
    Rebalancer r = rebalancer(C.id(), 8L << 20, false);
    r.start(false);
    clock.advance(200);
    boolean[] left = {false};
    r.leave(() -> left[0] = true);
    Ring after = ring.without(C.id());
    Set<String> delivered = new HashSet<>();
    for (int i = 0; i < 500 && !left[0]; i++) {
      clock.advance(10);
      for (Sent s : ackAll(r)) {
        if (s.type() == RangeStreamFrames.BATCH) {
          for (RangeStreamFrames.Entry e : RangeStreamFrames.decodeBatch(s.frame()).entries()) {
            Ring.Owner to = Arrays.stream(after.members().toArray(Ring.Owner[]::new))
                .filter(o -> o.address().equals(s.to())).findFirst().orElseThrow();
            assertThat(holds(after, e.key(), to.id()) && !holds(ring, e.key(), to.id()))
                .as("streamed only to a member that takes the key over").isTrue();
            delivered.add(to.id().value() + Arrays.toString(e.key()));
          }
        }
      }
    }
    assertThat(left[0]).isTrue();
    for (byte[] k : keys) {
      for (Ring.Owner o : after.replicasOf(k, 3)) {
        if (!holds(ring, k, o.id())) {
          assertThat(delivered).contains(o.id().value() + Arrays.toString(k));
        }
      }
    }
  }
}
