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
 * again". The file may name the jar to start next: a rollout pushes it first as a signed file.
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
   * The jar the request names (its first line, if any), checked: an absolute path of a readable
   * regular file ending in {@code .jar}. Empty when the request names none.
   *
   * @throws IllegalArgumentException naming what is wrong with a jar line that fails the check
   */
  public Optional<Path> jar() {
    String text;
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length > MAX_BYTES) {
        throw new IllegalArgumentException(file + " is over " + MAX_BYTES + " bytes");
      }
      text = new String(bytes, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String line = text.lines().findFirst().orElse("").strip();
    Path jar = Path.of(line);
    if (!jar.isAbsolute() || !line.endsWith(".jar")) {
      throw new IllegalArgumentException(file + " names '" + line + "': not an absolute path of a .jar");
    }
    if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
      throw new IllegalArgumentException(file + " names " + jar + ", which is not a readable file");
    }
    return Optional.of(jar);
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
