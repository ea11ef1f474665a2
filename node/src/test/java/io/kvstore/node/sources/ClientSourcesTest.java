package io.kvstore.node.sources;

import io.kvstore.node.runtime.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvstore.node.sources.SourceAllowList;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientSourcesTest {
  private final ManualClock clock = new ManualClock();
  private final ClientSources sources =
      new ClientSources(
          new SourceAllowList(List.of("127.0.0.0/8", "10.1.0.0/16")),
          new SourceAllowList(List.of("10.1.2.0/24")),
          new ReplyBudget(1_000, 20_000, 64, clock), clock);

  @Test
  void sourcesOutsideTheAllowListAreRefusedAndCounted() throws Exception {
    assertThat(sources.admits(InetAddress.getByName("127.0.0.2"))).isTrue();
    assertThat(sources.admits(InetAddress.getByName("10.1.200.1"))).isTrue();
    assertThat(sources.admits(InetAddress.getByName("10.2.0.1"))).isFalse();
    assertThat(sources.admits(InetAddress.getByName("::1"))).isFalse();
    assertThat(sources.refused()).isEqualTo(2);
  }

  @Test
  void trustedSourcesAreNotBudgeted() throws Exception {
    InetAddress trusted = InetAddress.getByName("10.1.2.3");
    for (int i = 0; i < 1_000; i++) {
      assertThat(sources.mayReply(trusted, 49, 15_019)).isTrue();
    }
    InetAddress other = InetAddress.getByName("10.1.3.3");
    assertThat(sources.mayReply(other, 49, 15_019)).isTrue();
    assertThat(sources.mayReply(other, 49, 15_019)).isFalse();
    assertThat(sources.mayReply(other, 49, 100)).as("small replies stay free").isTrue();
    assertThat(sources.budget().throttled()).isEqualTo(1);
  }
}
