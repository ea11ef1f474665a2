package io.kvstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {
  @TempDir Path dir;

  private Path file(String yaml) throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void defaultsNeedNoFile() {
    NodeConfig c = NodeConfigLoader.load(null).validate();
    assertThat(c.port).isEqualTo(4000);
    assertThat(c.bind).isEqualTo("127.0.0.1");
    assertThat(c.dataDir).isEqualTo("./data");
    assertThat(c.memory).isFalse();
  }

  @Test
  void fileOverridesDefaults() throws Exception {
    NodeConfig c =
        NodeConfigLoader.load(
                file("port: 4100\nmax-bytes: 64MB\nmax-keys: 100000\nseeds: [\"127.0.0.1:4000\"]\n"))
            .validate();
    assertThat(c.port).isEqualTo(4100);
    assertThat(c.maxBytesValue()).isEqualTo(64L << 20);
    assertThat(c.maxKeys).isEqualTo(100_000);
    assertThat(c.seedAddresses()).containsExactly(new HostPort("127.0.0.1", 4000));
  }

  @Test
  void unknownFieldIsNamedWithTheKnownOnes() throws Exception {
    assertThatThrownBy(() -> NodeConfigLoader.load(file("prot: 4000\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown field 'prot'")
        .hasMessageContaining("port");
  }

  @Test
  void wrongTypeNamesTheField() throws Exception {
    assertThatThrownBy(() -> NodeConfigLoader.load(file("port: many\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'port'");
  }

  @Test
  void outOfRangeValueNamesTheField() throws Exception {
    NodeConfig c = NodeConfigLoader.load(file("port: 70000\n"));
    assertThatThrownBy(c::validate).hasMessageContaining("'port'").hasMessageContaining("1-65535");
  }

  @Test
  void badSizeAndSeedAndCidrNameTheirFields() {
    NodeConfig a = new NodeConfig();
    a.maxBytes = "lots";
    assertThatThrownBy(a::validate).hasMessageContaining("'max-bytes'");
    NodeConfig b = new NodeConfig();
    b.seeds = java.util.List.of("nohostport");
    assertThatThrownBy(b::validate).hasMessageContaining("'seeds'");
    NodeConfig c = new NodeConfig();
    c.adminFrom = java.util.List.of("10.0.0.0/99");
    assertThatThrownBy(c::validate).hasMessageContaining("'admin-from'");
  }

  @Test
  void brokenYamlAndMissingFileAreReported() throws Exception {
    assertThatThrownBy(() -> NodeConfigLoader.load(file("port: [\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("node.yaml");
    assertThatThrownBy(() -> NodeConfigLoader.load(dir.resolve("nope.yaml")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void byteSizesParse() {
    assertThat(ByteSize.parse("f", "65536")).isEqualTo(65_536);
    assertThat(ByteSize.parse("f", "64KB")).isEqualTo(65_536);
    assertThat(ByteSize.parse("f", "1.5gb")).isEqualTo(3L << 29);
  }

  @Test
  void yamlNullsAreNamedNotNullPointerExceptions() throws Exception {
    String[][] cases = {
      {"seeds: ~\n", "'seeds'"}, {"seeds: [null]\n", "'seeds'"}, {"admin-from: [~]\n", "'admin-from'"},
      {"membership: ~\n", "'membership'"}, {"labels: ~\n", "'labels'"}, {"labels: {a: ~}\n", "'labels'"},
      {"max-bytes: ~\n", "'max-bytes'"}, {"reply-cache: ~\n", "'reply-cache'"},
    };
    for (String[] c : cases) {
      NodeConfig config = NodeConfigLoader.load(file(c[0]));
      assertThatThrownBy(config::validate).as(c[0]).isInstanceOf(ConfigException.class)
          .hasMessageContaining(c[1]);
    }
  }
}
