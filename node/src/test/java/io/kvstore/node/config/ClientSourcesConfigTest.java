package io.kvstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** allow-clients, trusted-clients, reply-budget and reply-burst: defaults and clear errors. */
class ClientSourcesConfigTest {
  @TempDir Path dir;

  private NodeConfig load(String yaml) throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, yaml);
    return NodeConfigLoader.load(f);
  }

  @Test
  void aLoopbackNodeAnswersLoopbackWithAFourMegabyteBudget() {
    NodeConfig c = NodeConfigLoader.load(null).validate();
    assertThat(c.allowClientsValue()).containsExactly("127.0.0.0/8", "::1/128");
    assertThat(c.trustedClients).isEmpty();
    assertThat(c.replyBudgetValue()).isEqualTo(4L << 20);
    assertThat(c.replyBurstValue()).isEqualTo(4L << 20);
  }

  @Test
  void theFileSetsTheListsAndSizes() throws Exception {
    NodeConfig c =
        load("allow-clients: [10.0.0.0/8]\ntrusted-clients: [10.1.0.0/16]\n"
                + "reply-budget: 1MB\nreply-burst: 256KB\n")
            .validate();
    assertThat(c.allowClientsValue()).containsExactly("10.0.0.0/8");
    assertThat(c.trustedClients).containsExactly("10.1.0.0/16");
    assertThat(c.replyBudgetValue()).isEqualTo(1L << 20);
    assertThat(c.replyBurstValue()).isEqualTo(256L << 10);
  }

  @Test
  void badValuesNameTheirField() throws Exception {
    assertThatThrownBy(() -> load("allow-clients: [10.0.0.0/40]\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("allow-clients")
        .hasMessageContaining("prefix length");
    assertThatThrownBy(() -> load("allow-clients: []\n").validate())
        .hasMessageContaining("allow-clients")
        .hasMessageContaining("answer nobody");
    assertThatThrownBy(() -> load("trusted-clients: [somewhere]\n").validate())
        .hasMessageContaining("trusted-clients");
    assertThatThrownBy(() -> load("reply-budget: 100\n").validate())
        .hasMessageContaining("reply-budget");
    assertThatThrownBy(() -> load("reply-burst: 16KB\n").validate())
        .hasMessageContaining("reply-burst")
        .hasMessageContaining("64KB");
    assertThatThrownBy(() -> load("reply-budget: lots\n").validate())
        .hasMessageContaining("reply-budget");
  }

  @Test
  void allInterfacesAlwaysIncludesLoopback() {
    NodeConfig c = NodeConfigLoader.load(null);
    c.bind = "0.0.0.0";
    List<String> allowed = c.validate().allowClientsValue();
    assertThat(allowed).startsWith("127.0.0.0/8", "::1/128");
    assertThat(allowed).allSatisfy(cidr -> assertThat(cidr).doesNotStartWith("0.0.0.0"));
  }
}
