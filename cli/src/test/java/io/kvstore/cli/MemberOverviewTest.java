package io.kvstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.client.MemberList;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberOverviewTest {
  private static List<MemberList.Entry> members(int count) {
    return java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> new MemberList.Entry("node-" + i, new InetSocketAddress("127.0.0.1", 4000 + i), "ALIVE", 1))
        .toList();
  }

  @Test
  void everyKeyIsReplicatedNTimesSoTheSharesAddUpToNTimes100() {
    Map<String, Double> shares = MemberOverview.replicaShares(members(5), 64, 3);
    assertThat(shares).hasSize(5);
    assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(300.0,
        org.assertj.core.data.Offset.offset(1e-6));
    assertThat(shares.values()).allSatisfy(s -> assertThat(s).isBetween(40.0, 80.0));
    Map<String, Double> alone = MemberOverview.replicaShares(members(2), 64, 3);
    assertThat(alone.values()).as("fewer members than N: each holds everything").allMatch(s -> Math.abs(s - 100) < 1e-6);
  }

  @Test
  void leftMembersHoldNoRanges() {
    List<MemberList.Entry> list = new java.util.ArrayList<>(members(4));
    list.set(3, new MemberList.Entry("node-3", list.get(3).address(), "LEFT", 2));
    Map<String, Double> shares = MemberOverview.replicaShares(list, 64, 3);
    assertThat(shares).doesNotContainKey("node-3");
    assertThat(shares.values()).allMatch(s -> Math.abs(s - 100) < 1e-6);
  }

  @Test
  void theRebalanceColumnSaysWhatTheNodeIsDoing() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(MemberOverview.rebalance(json.readTree("""
        {"rebalance.complete": {"value": 0}, "rebalance.members.awaited": {"value": 2},
         "rebalance.records.streamed": {"value": 10}, "rebalance.bytes.streamed": {"value": 999}}""")))
        .isEqualTo("receiving: waiting for 2 members; streamed 10 records (999 B)");
    assertThat(MemberOverview.rebalance(json.readTree("""
        {"rebalance.complete": {"value": 1}, "rebalance.pass.active": {"value": 1},
         "rebalance.pass.scanned": {"value": 300}, "rebalance.batches.pending": {"value": 4},
         "rebalance.records.streamed": {"value": 10}, "rebalance.bytes.streamed": {"value": 999}}""")))
        .isEqualTo("streaming: scanned 300, 4 batches pending; streamed 10 records (999 B)");
    assertThat(MemberOverview.rebalance(json.readTree("{}"))).isEqualTo("-");
    assertThat(MemberOverview.rebalance(null)).isEqualTo("-");
  }

  @Test
  void aNodeWithoutReportShowsDashes() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<MemberList.Entry> list = members(3);
    MemberOverview.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), list,
        MemberOverview.replicaShares(list, 64, 3),
        Map.of("node-0", new ObjectMapper().readTree("""
            {"keys": {"value": 12}, "replication.hints.pending": {"value": 3},
             "replication.repairs.sent": {"value": 5}, "rebalance.complete": {"value": 1},
             "rebalance.records.streamed": {"value": 0}, "rebalance.bytes.streamed": {"value": 0}}""")));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("RANGES").contains("HINTS").contains("REBALANCE");
    assertThat(out.lines().filter(l -> l.startsWith("node-0")).findFirst().orElseThrow())
        .contains("100.0%").contains(" 12 ").contains(" 3 ").contains(" 5 ").contains("idle");
    assertThat(out.lines().filter(l -> l.startsWith("node-1")).findFirst().orElseThrow())
        .endsWith("-");
  }
}
