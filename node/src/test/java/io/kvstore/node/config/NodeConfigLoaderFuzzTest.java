package io.kvstore.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Fuzzes the node's configuration path as an operator's file reaches it: YAML parsing over the
 * defaults ({@link NodeConfigLoader#load}) and then {@link NodeConfig#validate}. Whatever the file
 * holds, the only failure allowed is a {@link ConfigException} with a message (which the command
 * line prints with exit code 2); a configuration that passes holds values in range. CI runs the
 * seeds in {@code src/test/resources/io/kvstore/node/config/NodeConfigLoaderFuzzTestInputs};
 * {@code bench/fuzz.sh} fuzzes it for longer.
 */
class NodeConfigLoaderFuzzTest {
  /** An IP literal: anything else would make validate() ask DNS about fuzzed names. */
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  @FuzzTest(maxDuration = "60s")
  void loadsAndValidatesOrNamesTheProblem(byte[] yaml) throws IOException {
    Path file = Files.createTempFile("kvstore-fuzz", ".yaml");
    try {
      Files.write(file, yaml);
      NodeConfig config;
      try {
        config = NodeConfigLoader.load(file);
      } catch (ConfigException e) {
        assertThat(e.getMessage()).isNotBlank();
        return;
      }
      assertThat(config).isNotNull();
      if (config.bind != null && !IP_LITERAL.matcher(config.bind).matches()) {
        config.bind = "127.0.0.1";
      }
      try {
        config.validate();
      } catch (ConfigException e) {
        assertThat(e.getMessage()).isNotBlank();
        return;
      }
      assertThat(config.port).isBetween(1, 65_535);
      assertThat(config.maxKeys).isNotNegative();
      assertThat(config.maxBytesValue()).isNotNegative();
      assertThat(config.replyCacheValue()).isBetween(1L << 20, (1L << 31) - 1);
      assertThat(config.ioThreads).isBetween(1, 64);
      assertThat(config.labels.size()).isLessThanOrEqualTo(32);
      assertThat(config.seedAddresses()).allSatisfy(s -> assertThat(s.port()).isBetween(1, 65_535));
      boolean secretGiven = (config.clusterSecret != null && !config.clusterSecret.isEmpty())
          || (config.clusterSecretFile != null && !config.clusterSecretFile.isBlank());
      assertThat(config.insecure && secretGiven).as("insecure with a secret is refused").isFalse();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
