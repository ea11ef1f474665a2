package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.cluster.Member;
import io.kvstore.node.cluster.MemberState;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.security.FrameAuthenticator;
import java.nio.ByteBuffer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile membership frames against a 50-node simulated cluster: mutated real frames, random
 * bytes and well-formed lies ({@link FrameMutator}), from an attacker's address and from spoofed
 * members' addresses. As an insider (a holder of the cluster secret gone wrong, or a cluster run
 * without one) every frame reaches the membership; as an outsider every frame must first pass
 * the real HMAC check, with the real frames sealed as on the wire. Either way no exception
 * escapes, the member and pending tables stay within their bounds, no fake is ever admitted, and
 * once the attack stops every view is exactly the 50 real nodes, all alive.
 *
 * <p>{@code -Dfuzz.frames=N} sets the frames per run (default 250,000, so 500,000 in CI; the
 * long run in BENCHMARKS.md uses millions).
 */
class MembershipFuzzTest {
  private static final int NODES = 50;
  private static final long FRAMES = Long.getLong("fuzz.frames", 250_000);
  private static final int FRAMES_PER_TICK = 500;
  private static final Duration SETTLE_BOUND = Duration.ofMinutes(5);
  private static final String SECRET = "fuzz-cluster-secret-0123456789";

  @ParameterizedTest(name = "seed {0}, {1}")
  @CsvSource({"1, insider", "1, outsider"})
  void hostileFramesNeitherPoisonTheViewsNorGrowTheTables(long seed, String role) throws Exception {
    boolean insider = role.equals("insider");
    SimCluster cluster = Clusters.joined(seed, NODES);
    List<byte[]> captured = new ArrayList<>();
    cluster.network().tap(frame -> {
      if (captured.size() < 5_000) {
        captured.add(frame);
      }
    });
    cluster.sim().runFor(Duration.ofSeconds(40)); // probes, acks, gossip, push-pulls
    cluster.network().tap(null);
    assertThat(captured).hasSizeGreaterThan(1_000);

    List<NodeId> ids = cluster.nodes().stream().map(SimNode::id).toList();
    List<InetSocketAddress> addresses = cluster.nodes().stream().map(SimNode::address).toList();
    FrameMutator mutator = new FrameMutator(seed, captured, ids, addresses,
        cluster.node(0).membership().incarnation(), id -> {
          Member m = cluster.node(0).membership().member(id);
          return m == null ? 0 : m.incarnation();
        });
    FrameAuthenticator auth = FrameAuthenticator.withSecret(SECRET);
    SplittableRandom pick = new SplittableRandom(seed * 31 + 7);
    InetSocketAddress attacker = attacker();
    long heapBefore = usedHeapAfterGc();
    long passedAuth = 0;
    long replays = 0;
    long started = System.nanoTime();

    for (long sent = 0; sent < FRAMES; ) {
      for (int i = 0; i < FRAMES_PER_TICK && sent < FRAMES; i++, sent++) {
        byte[] frame;
        if (insider) {
          frame = mutator.next();
        } else {
          // On the wire real frames carry their tag; the attacker mutates those or makes its own
          // (it cannot tag them), and replays some unchanged.
          boolean replay = pick.nextInt(10) == 0;
          replays += replay ? 1 : 0;
          byte[] wire = replay ? auth.seal(mutator.replay()) : outsiderBytes(mutator, auth, pick);
          frame = auth.open(ByteBuffer.wrap(wire));
          if (frame == null) {
            continue; // dropped by the transport before decoding, as in a real node
          }
          passedAuth++;
        }
        InetSocketAddress from = pick.nextInt(5) == 0 ? addresses.get(pick.nextInt(NODES)) : attacker;
        cluster.network().inject(from, addresses.get(pick.nextInt(NODES)), frame);
      }
      cluster.sim().runFor(Duration.ofMillis(10));
      if ((sent / FRAMES_PER_TICK) % 20 == 0) {
        assertWithinBounds(cluster, ids);
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertWithinBounds(cluster, ids);
    long heapGrowth = usedHeapAfterGc() - heapBefore;

    long attackEnded = cluster.sim().elapsedMillis();
    boolean exact = cluster.sim().runUntil(() -> viewsExact(cluster, ids), SETTLE_BOUND);

    long settledAfter = cluster.sim().elapsedMillis() - attackEnded;
    // Past the dead-member retention every timer the attack caused has fired: what remains is
    // what the attack left behind for good.
    cluster.sim().runFor(Duration.ofMillis(cluster.config().deadRetentionMillis() + 10_000));
    long residualGrowth = usedHeapAfterGc() - heapBefore;

    System.out.printf("membership fuzz %s seed %d: %,d frames in %.1f s (%,.0f frames/s), %,d past the HMAC check,"
            + " heap growth %,d KB during the attack, %,d KB after it; views exact %,d ms (virtual) after it%n",
        role, seed, FRAMES, seconds, FRAMES / seconds, passedAuth, heapGrowth / 1024, residualGrowth / 1024,
        settledAfter);
    assertThat(exact).as("every view is exactly the %d real nodes, all alive, within %s", NODES, SETTLE_BOUND)
        .isTrue();
    assertThat(heapGrowth).as("heap growth during the attack, 50 nodes (< 1 MB each)").isLessThan(48L << 20);
    assertThat(residualGrowth).as("heap growth left after the attack's timers expired").isLessThan(8L << 20);
    assertWithinBounds(cluster, ids);
    if (!insider) {
      assertThat(passedAuth).as("only unchanged replays pass the HMAC check").isEqualTo(replays);
    }
  }

  private static byte[] outsiderBytes(FrameMutator mutator, FrameAuthenticator auth, SplittableRandom pick) {
    byte[] frame = mutator.next();
    if (pick.nextBoolean()) {
      byte[] sealed = auth.seal(frame); // a real tag, then the frame changed under it
      sealed[pick.nextInt(sealed.length)] ^= (byte) (1 << pick.nextInt(8));
      return sealed;
    }
    return frame;
  }

  private static void assertWithinBounds(SimCluster cluster, List<NodeId> ids) {
    Set<NodeId> real = new HashSet<>(ids);
    for (SimNode n : cluster.nodes()) {
      var m = n.membership();
      assertThat(m.tableSize()).isLessThanOrEqualTo(m.limits().maxMembers()).isLessThanOrEqualTo(NODES - 1);
      assertThat(m.pendingAdmissions()).isLessThanOrEqualTo(m.limits().maxPending());
      for (Member member : m.members()) {
        assertThat(real).as("only real nodes are ever members").contains(member.id());
      }
    }
  }

  private static boolean viewsExact(SimCluster cluster, List<NodeId> ids) {
    for (SimNode n : cluster.nodes()) {
      List<Member> view = n.membership().members();
      if (view.size() != ids.size()) {
        return false;
      }
      for (Member m : view) {
        if (m.state() != MemberState.ALIVE) {
          return false;
        }
      }
    }
    return true;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static InetSocketAddress attacker() throws UnknownHostException {
    return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 66, 66, 66}), SimCluster.PORT);
  }
}
