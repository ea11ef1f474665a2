package io.kvstore.node.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.ops.OpsConfig;
import io.kvstore.node.ops.OpsCore;
import io.kvstore.node.ops.OpsMembers;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.runtime.ManualClock;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OpsMetricsTest {
  @Test
  void countersAndTheHeldGaugeAreReportedUnderTheirDocumentedNames() {
    OperatorKey key = OperatorKeys.generate("m");
    ManualClock clock = new ManualClock();
    OpsMembers nobody = new OpsMembers() {
      @Override
      public List<InetSocketAddress> randomAlive(int count) {
        return List.of();
      }

      @Override
      public boolean isMember(InetSocketAddress address) {
        return false;
      }
    };
    OpsCore ops = new OpsCore(OpsConfig.defaults().withTrustedKeys(List.of(key.trusted())), "n", Map.of(),
        new SeenStore.Memory(), op -> { }, nobody, (to, frame) -> { }, clock, clock, new Random(1), Runnable::run);
    InetSocketAddress client = new InetSocketAddress("127.0.0.1", 9);
    SignedOperation op = SignedOperation.builder(new Random(2), clock.currentTimeMillis()).script("true").sign(key);
    ops.submit(op.encoded(), client);
    ops.submit(op.encoded(), client);
    ops.submit(new byte[3], client);

    Map<String, Double> stats = OpsMetrics.of(ops).stream()
        .collect(Collectors.toMap(Stat::name, Stat::value, (a, b) -> a));
    assertThat(stats).containsEntry("ops.held", 1.0).containsEntry("ops.accepted", 1.0)
        .containsEntry("ops.handed.to.runner", 1.0).containsEntry("ops.refused.replayed", 1.0)
        .containsEntry("ops.refused.malformed", 1.0).containsEntry("ops.refused.untrusted-key", 0.0)
        .containsKeys("ops.refused.not-targeted", "ops.refused.table-full", "ops.frames.sent",
            "ops.bytes.sent", "ops.verifies.throttled", "ops.submits.throttled");
    assertThat(OpsMetrics.of(ops).stream().map(Stat::name).collect(Collectors.toMap(Function.identity(), n -> 1,
        Integer::sum)).values()).allMatch(count -> count == 1);
  }
}
