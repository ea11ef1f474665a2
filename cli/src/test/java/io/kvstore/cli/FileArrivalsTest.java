package io.kvstore.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.monitor.FileTransferMetrics;
import io.kvstore.node.ops.codec.TargetSelector;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What `ops push --monitor` counts: the targeted nodes only, by id or label, for this operation. */
class FileArrivalsTest {
  private static final String STAT = FileTransferMetrics.statName("app.jar");

  private static String node(String id, String role, String state) {
    return "{\"id\":\"" + id + "\",\"address\":\"127.0.0.1:4000\",\"labels\":{\"role\":\"" + role + "\"},"
        + "\"stats\":{\"" + STAT + "\":{\"value\":\"" + state + "\"}}}";
  }

  private static final String BODY = "[" + String.join(",",
      node("node-1", "front", "serving 1a2b3c4d"), // the origin, no target
      node("node-2", "back", "done 1a2b3c4d"),
      node("node-3", "back", "failed: expired 1a2b3c4d"),
      node("node-4", "front", "done 99999999"), // another push of the same name
      node("node-5", "back", "fetching 3/9 1a2b3c4d")) + "]";

  private static FileArrivals.Count count(String targets) throws Exception {
    return new FileArrivals("127.0.0.1:1", "app.jar", "1a2b3c4d", TargetSelector.parse(targets),
        new PrintWriter(new StringWriter())).count(BODY);
  }

  @Test
  void onlyTargetedNodesCountAndAnOriginThatIsNoneIsLeftOut() throws Exception {
    assertThat(count("node-2,node-3")).isEqualTo(new FileArrivals.Count(2, 1, 1));
    assertThat(count("node-2,node-3").finished()).isTrue();
    assertThat(count("role=back")).isEqualTo(new FileArrivals.Count(3, 1, 1));
    assertThat(count("role=back").finished()).isFalse();
    assertThat(count("all")).isEqualTo(new FileArrivals.Count(5, 1, 1));
    assertThat(count("node-9").finished()).isFalse();
  }
}
