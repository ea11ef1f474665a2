package io.kvstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.config.ClusterSecret.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretTest {
  private static final String STRONG = "0123456789abcdef0123456789abcdef";
  @TempDir Path dir;

  private NodeConfig config() {
    NodeConfig c = new NodeConfig();
    c.dataDir = dir.resolve("data").toString();
    return c;
  }

  private NodeConfig withData() throws Exception {
    NodeConfig c = config();
    Files.createDirectories(c.dataDirPath());
    return c;
  }

  @Test
  void aLoneNodeCreatesAnOwnerOnlySecretAndReusesItOnRestart() throws Exception {
    NodeConfig c = withData();
    ClusterSecret first = ClusterSecret.resolve(c, Map.of());
    assertThat(first.source()).isEqualTo(Source.CREATED);
    assertThat(first.secret()).matches("[0-9a-f]{64}");
    Path file = c.dataDirPath().resolve("cluster-secret").toAbsolutePath();
    assertThat(first.file()).isEqualTo(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file).trim()).isEqualTo(first.secret());
    assertThat(ClusterSecret.readableByOthers(file)).isFalse();
    try (var leftovers = Files.list(c.dataDirPath())) {
      assertThat(leftovers.toList()).containsExactly(file); // no temporary file left behind
    }

    ClusterSecret again = ClusterSecret.resolve(c, Map.of());
    assertThat(again.source()).isEqualTo(Source.DATA_DIR);
    assertThat(again.secret()).isEqualTo(first.secret());
    assertThat(again.toString()).doesNotContain(first.secret());
  }

  @Test
  void twoCreatedSecretsDiffer() throws Exception {
    assertThat(ClusterSecret.generate()).isNotEqualTo(ClusterSecret.generate());
  }

  @Test
  void joiningWithoutASecretFailsAndSaysWhatToPass() throws Exception {
    NodeConfig c = withData();
    c.seeds = List.of("127.0.0.1:4000");
    assertThatThrownBy(() -> ClusterSecret.resolve(c, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--cluster-secret-file")
        .hasMessageContaining("KVSTORE_CLUSTER_SECRET");
    assertThat(c.dataDirPath().resolve("cluster-secret")).doesNotExist();
  }

  @Test
  void joiningWithTheSeedsFileUsesIt() throws Exception {
    Path seedData = dir.resolve("seed");
    Files.createDirectories(seedData);
    NodeConfig seed = new NodeConfig();
    seed.dataDir = seedData.toString();
    String secret = ClusterSecret.resolve(seed, Map.of()).secret();

    NodeConfig c = withData();
    c.seeds = List.of("127.0.0.1:4000");
    c.clusterSecretFile = seedData.resolve("cluster-secret").toString();
    ClusterSecret joined = ClusterSecret.resolve(c, Map.of());
    assertThat(joined.source()).isEqualTo(Source.FILE);
    assertThat(joined.secret()).isEqualTo(secret);
    assertThat(c.dataDirPath().resolve("cluster-secret")).doesNotExist();
  }

  @Test
  void precedenceIsConfigThenFileThenEnvironmentThenDataDir() throws Exception {
    NodeConfig c = withData();
    Map<String, String> env = Map.of(ClusterSecret.ENV, "env-secret-0123456789");
    Path file = dir.resolve("secret.txt");
    Files.writeString(file, "file-secret-0123456789\n");

    assertThat(ClusterSecret.resolve(c, env).source()).isEqualTo(Source.ENVIRONMENT);
    assertThat(ClusterSecret.resolve(c, env).secret()).isEqualTo("env-secret-0123456789");
    c.clusterSecretFile = file.toString();
    assertThat(ClusterSecret.resolve(c, env).secret()).isEqualTo("file-secret-0123456789");
    c.clusterSecretFile = null;
    c.clusterSecret = STRONG;
    assertThat(ClusterSecret.resolve(c, env).source()).isEqualTo(Source.CONFIG);
    assertThat(c.dataDirPath().resolve("cluster-secret")).doesNotExist();
  }

  @Test
  void aMemoryNodeWithoutASecretGetsARandomOneAndWritesNothing() {
    NodeConfig c = config();
    c.memory = true;
    ClusterSecret s = ClusterSecret.resolve(c, Map.of());
    assertThat(s.source()).isEqualTo(Source.EPHEMERAL);
    assertThat(s.secret()).matches("[0-9a-f]{64}");
    assertThat(s.file()).isNull();
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void insecureIsExplicitAndExcludesASecret() throws Exception {
    NodeConfig c = withData();
    c.insecure = true;
    ClusterSecret s = ClusterSecret.resolve(c, Map.of(ClusterSecret.ENV, STRONG));
    assertThat(s.insecure()).isTrue();
    assertThat(s.secret()).isNull();
    assertThat(c.dataDirPath().resolve("cluster-secret")).doesNotExist();
    c.clusterSecret = STRONG;
    assertThatThrownBy(() -> ClusterSecret.resolve(c, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'insecure'");
  }

  @Test
  void badSecretsNameTheField() throws Exception {
    NodeConfig c = withData();
    c.clusterSecret = "short";
    assertThatThrownBy(() -> ClusterSecret.validate(c, Map.of()))
        .hasMessageContaining("'cluster-secret'").hasMessageContaining("at least 16");
    c.clusterSecret = null;
    assertThatThrownBy(() -> ClusterSecret.validate(c, Map.of(ClusterSecret.ENV, "short")))
        .hasMessageContaining("'cluster-secret'");

    c.clusterSecretFile = dir.resolve("missing").toString();
    assertThatThrownBy(() -> ClusterSecret.resolve(c, Map.of()))
        .hasMessageContaining("'cluster-secret-file'").hasMessageContaining("does not exist");
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    c.clusterSecretFile = empty.toString();
    assertThatThrownBy(() -> ClusterSecret.resolve(c, Map.of())).hasMessageContaining("is empty");
    Path weak = dir.resolve("weak");
    Files.writeString(weak, "1234\n");
    c.clusterSecretFile = weak.toString();
    assertThatThrownBy(() -> ClusterSecret.resolve(c, Map.of())).hasMessageContaining("at least 16");
    c.clusterSecret = STRONG;
    assertThatThrownBy(() -> ClusterSecret.validate(c, Map.of())).hasMessageContaining("not both");
  }

  @Test
  void aWorldReadableSecretFileIsNoticed() throws Exception {
    Path file = dir.resolve("open");
    Files.writeString(file, STRONG);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(ClusterSecret.readableByOthers(file)).isTrue();
  }

  @Test
  void yamlFieldsLoad() throws Exception {
    Path yaml = dir.resolve("n.yaml");
    Files.writeString(yaml, "cluster-secret-file: /etc/kvstore/secret\ninsecure: false\n");
    NodeConfig c = NodeConfigLoader.load(yaml);
    assertThat(c.clusterSecretFile).isEqualTo("/etc/kvstore/secret");
    assertThat(c.insecure).isFalse();
  }
}
