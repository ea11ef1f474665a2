package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.monitor.StatusCodec;
import io.kvstore.node.monitor.StatusReport;
import io.kvstore.protocol.InternalFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Status gossip runs inside the whole simulated node: one sealed ROUND given to one node spreads
 * through the dispatch table and status gossip of the others, and each node's sealed REPORT
 * reaches the collector, stamped with that node's own (skewed) clock.
 */
class KvStatusRoundTest {
  @SeededTest
  void aRoundGivenToOneNodeBringsAReportFromNearlyEveryNode(long seed) throws Exception {
    KvCluster cluster = KvCluster.formed(seed, 50, 0, KvCluster.Settings.defaults().withSkew(10_000, 100),
        Duration.ofSeconds(60));
    Collector collector = new Collector(cluster);
    cluster.network().register(collector);
    StatusCodec.Round round = new StatusCodec.Round(7, collector.address(), 1_000, 3, 6);
    byte[] frame = StatusCodec.encodeRound(new byte[16], round);
    cluster.network().inject(collector.address(), cluster.node(0).address(),
        cluster.settings().authenticator().seal(frame));
    cluster.sim().runFor(Duration.ofSeconds(3));

    assertThat(collector.unauthenticated).isZero();
    assertThat(collector.reports).hasSizeGreaterThanOrEqualTo(45);
    for (KvNode node : cluster.nodes()) {
      Received r = collector.reports.get(node.id().value());
      if (r == null) {
        continue;
      }
      assertThat(r.report().round()).isEqualTo(7);
      assertThat(r.report().address()).isEqualTo(node.address());
      long wallAtReceipt = node.clock().wallAt(r.receivedAtMillis());
      assertThat(r.report().sentAtMillis()).as("sent on %s's own clock", node)
          .isBetween(wallAtReceipt - 50, wallAtReceipt);
    }
  }

  private record Received(StatusReport report, long receivedAtMillis) {}

  /** The status server's intake, reduced to: open, decode, keep one report per node. */
  private static final class Collector implements SimEndpoint {
    private final KvCluster cluster;
    private final InetSocketAddress address;
    final Map<String, Received> reports = new HashMap<>();
    int unauthenticated;

    Collector(KvCluster cluster) throws Exception {
      this.cluster = cluster;
      this.address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, (byte) 254, 0, 1}), 6000);
    }

    @Override
    public void receive(InetSocketAddress from, byte[] datagram) {
      byte[] frame = cluster.settings().authenticator().open(ByteBuffer.wrap(datagram));
      if (frame == null) {
        unauthenticated++;
        return;
      }
      assertThat(frame[InternalFrame.TYPE_OFFSET] & 0xFF).isEqualTo(StatusCodec.REPORT);
      StatusReport report = StatusCodec.decodeReport(
          ByteBuffer.wrap(frame, InternalFrame.HEADER, frame.length - InternalFrame.HEADER));
      reports.put(report.nodeId(), new Received(report, cluster.sim().elapsedMillis()));
    }

    @Override
    public int index() {
      return KvCluster.FIRST_CLIENT - 1;
    }

    @Override
    public InetSocketAddress address() {
      return address;
    }

    @Override
    public Traffic traffic() {
      return new Traffic();
    }
  }
}
