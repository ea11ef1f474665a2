package io.kvstore.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A request, left in the data directory, that the node's next SIGTERM be a restart rather than a
 * leave (docs/OPERATIONS.md, "Rolling restart"). The node then stops without leaving the cluster
 * or streaming its ranges away (it is back in seconds with its data; meanwhile the other replicas
 * answer and hints keep its writes) and exits with {@link #EXIT_CODE}, which a supervisor
 * (`./kvstore cluster`, or systemd with {@code RestartForceExitStatus=75}) takes as "start me
 * again". The file may name the jar and the config to start with next: a rollout pushes them
 * first as signed files.
 *
 * <p>Whoever can write the data directory can ask for this: the node's own user, and operations
 * (scripts run as that user). Nothing in a datagram can.
 */
public final class RestartRequest {
  /** EX_TEMPFAIL: "stopped on purpose, start me again". */
  public static final int EXIT_CODE = 75;
  public static final String FILE_NAME = "restart-requested";
  private static final int MAX_BYTES = 4096;

  private final Path file;

  public RestartRequest(Path dataDir) {
    this.file = dataDir.resolve(FILE_NAME);
  }

  public Path file() {
    return file;
  }

  public boolean pending() {
    return Files.isRegularFile(file);
  }

  /**
   * What the node is to start with next, named by the request's lines; either may be absent.
   *
   * @param jar the jar to start
   * @param config the YAML configuration to start with (in place of the one it had)
   */
  public record Next(Optional<Path> jar, Optional<Path> config) {}

  /**
   * The jar the request names, if any (see {@link #next()}).
   *
   * @throws IllegalArgumentException naming what is wrong with a line that fails the check
   */
  public Optional<Path> jar() {
    return next().jar();
  }

  /**
   * What the request names: each non-empty line an absolute path of a readable regular file,
   * ending in {@code .jar} (the jar) or {@code .yaml}/{@code .yml} (the config), at most one of
   * each. The kind is in the name rather than the line's place, so that a request naming only a
   * config still gives an older supervisor (which reads the first line as the jar) a line it
   * refuses, rather than one it misreads. An empty request names neither.
   *
   * @throws IllegalArgumentException naming what is wrong with a line that fails the check
   */
  public Next next() {
    String text;
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length > MAX_BYTES) {
        throw new IllegalArgumentException(file + " is over " + MAX_BYTES + " bytes");
      }
      text = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Path jar = null;
    Path config = null;
    for (String raw : text.lines().toList()) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      boolean isJar = line.endsWith(".jar");
      if (!Path.of(line).isAbsolute() || !(isJar || line.endsWith(".yaml") || line.endsWith(".yml"))) {
        throw new IllegalArgumentException(file + " names '" + line + "': not an absolute path of a .jar,"
            + " .yaml or .yml");
      }
      Path named = Path.of(line);
      if (!Files.isRegularFile(named) || !Files.isReadable(named)) {
        throw new IllegalArgumentException(file + " names " + named + ", which is not a readable file");
      }
      if ((isJar ? jar : config) != null) {
        throw new IllegalArgumentException(file + " names two " + (isJar ? "jars" : "configs"));
      }
      if (isJar) {
        jar = named;
      } else {
        config = named;
      }
    }
    return new Next(Optional.ofNullable(jar), Optional.ofNullable(config));
  }

  /** Removes the request (the supervisor does, once it has read it). */
  public void clear() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot remove " + file + ": " + e.getMessage(), e);
    }
  }
}
