package io.kvstore.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.runtime.SystemClock;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Frames waiting for the membership thread are bounded in bytes, so a flood cannot fill the heap. */
class ClusterServiceQueueTest {
  @Test
  void framesBeyondTheByteBoundAreDroppedAndCounted() throws Exception {
    InetSocketAddress self = new InetSocketAddress("127.0.0.1", 4000);
    try (ClusterService cluster = new ClusterService(new NodeId("self"), self, SwimConfig.defaults(),
        MembershipLimits.forHeap(64L << 20), SystemClock.INSTANCE, (to, d) -> {}, 8)) {
      cluster.start(List.of());
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocked = new CountDownLatch(1);
      cluster.execute(() -> {
        blocked.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();

      byte[] frame = new byte[16 * 1024]; // one array: the bound counts bytes, not objects
      int offered = (int) (ClusterService.MAX_QUEUED_BYTES / frame.length) + 500;
      for (int i = 0; i < offered; i++) {
        cluster.onMembershipFrame(self, frame);
      }

      long fits = ClusterService.MAX_QUEUED_BYTES / frame.length;
      assertThat(cluster.droppedDatagrams()).isEqualTo((int) Math.max(500, offered - Math.min(fits, 10_000)));
      release.countDown();
    }
  }

  @Test
  void theMembershipCountersArePublishedForOtherThreads() throws Exception {
    InetSocketAddress self = new InetSocketAddress("127.0.0.1", 4000);
    try (ClusterService cluster = new ClusterService(new NodeId("self"), self, SwimConfig.defaults(),
        MembershipLimits.forHeap(64L << 20), SystemClock.INSTANCE, (to, d) -> {}, 8)) {
      cluster.start(List.of());
      byte[] malformed = new byte[io.kvstore.protocol.InternalFrame.HEADER + 1];
      malformed[io.kvstore.protocol.InternalFrame.TYPE_OFFSET] = (byte) SwimCodec.GOSSIP;
      malformed[io.kvstore.protocol.InternalFrame.TYPE_OFFSET + 1] = (byte) io.kvstore.protocol.InternalFrame.VERSION;

      cluster.onMembershipFrame(self, malformed);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (cluster.stats().malformed() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(cluster.stats().malformed()).isEqualTo(1);
    }
  }
}
