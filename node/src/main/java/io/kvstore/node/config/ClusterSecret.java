package io.kvstore.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Where a node's cluster secret comes from. Secure by default: a node always authenticates
 * internal datagrams unless started with {@code insecure}; one given no secret creates one in its
 * data directory (so {@code ./kvstore node} needs nothing), but a node told to join a cluster must
 * be given that cluster's secret, since a fresh one would only form a cluster of one.
 *
 * @param secret the HMAC key, or null when running insecure
 * @param source how it was obtained
 * @param file the file it was read from or written to, or null
 */
public record ClusterSecret(String secret, Source source, Path file) {
  /** File name of a secret a node created for itself, inside its data directory. */
  public static final String FILE_NAME = "cluster-secret";
  public static final String ENV = "KVSTORE_CLUSTER_SECRET";
  public static final int MIN_LENGTH = 16;

  /** How the secret was obtained, which decides what the node tells its operator. */
  public enum Source {
    /** {@code cluster-secret} in the YAML file. */
    CONFIG,
    /** {@code cluster-secret-file} / {@code --cluster-secret-file}. */
    FILE,
    /** The KVSTORE_CLUSTER_SECRET environment variable. */
    ENVIRONMENT,
    /** Created by this node on an earlier start, in DATA_DIR/cluster-secret. */
    DATA_DIR,
    /** Created by this node just now, in DATA_DIR/cluster-secret. */
    CREATED,
    /** An in-memory node given no secret: random, known to nobody else. */
    EPHEMERAL,
    /** {@code --insecure}: no authentication at all. */
    INSECURE
  }

  public boolean insecure() {
    return source == Source.INSECURE;
  }

  /**
   * Checks what needs no side effect: conflicting settings and a secret given inline.
   *
   * @throws ConfigException naming the field
   */
  static void validate(NodeConfig config, Map<String, String> env) {
    boolean inline = config.clusterSecret != null && !config.clusterSecret.isEmpty();
    boolean file = config.clusterSecretFile != null && !config.clusterSecretFile.isBlank();
    if (inline && file) {
      throw ConfigException.field(
          "cluster-secret", "give either cluster-secret or cluster-secret-file, not both");
    }
    if (config.insecure && (inline || file)) {
      throw ConfigException.field(
          "insecure", "contradicts the cluster secret also given; drop one of them");
    }
    if (inline) {
      requireStrong("cluster-secret", config.clusterSecret);
    }
    String fromEnv = env.get(ENV);
    if (!config.insecure && !inline && !file && fromEnv != null && !fromEnv.isEmpty()) {
      requireStrong("cluster-secret", fromEnv);
    }
  }

  /**
   * Resolves the secret, creating DATA_DIR/cluster-secret when the node is on its own and has
   * none. The data directory must exist unless the node keeps data in memory.
   *
   * @throws ConfigException if the secret cannot be read, is too short, or the node wants to join
   *     a cluster without one
   */
  public static ClusterSecret resolve(NodeConfig config, Map<String, String> env) {
    validate(config, env);
    if (config.insecure) {
      return new ClusterSecret(null, Source.INSECURE, null);
    }
    if (config.clusterSecret != null && !config.clusterSecret.isEmpty()) {
      return new ClusterSecret(config.clusterSecret, Source.CONFIG, null);
    }
    if (config.clusterSecretFile != null && !config.clusterSecretFile.isBlank()) {
      Path file = Path.of(config.clusterSecretFile);
      return new ClusterSecret(read("cluster-secret-file", file), Source.FILE, file);
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return new ClusterSecret(fromEnv, Source.ENVIRONMENT, null);
    }
    Path own = config.memory ? null : config.dataDirPath().resolve(FILE_NAME).toAbsolutePath();
    if (own != null && Files.exists(own)) {
      return new ClusterSecret(read("data-dir", own), Source.DATA_DIR, own);
    }
    if (!config.seeds.isEmpty()) {
      throw new ConfigException(
          "joining a cluster (--join/seeds) needs the cluster's secret: pass --cluster-secret-file"
              + " FILE (the secret file of a node already in the cluster, e.g. its DATA_DIR/"
              + FILE_NAME + "), or set " + ENV + "; --insecure turns authentication off");
    }
    String generated = generate();
    if (own == null) {
      return new ClusterSecret(generated, Source.EPHEMERAL, null);
    }
    write(own, generated);
    return new ClusterSecret(generated, Source.CREATED, own);
  }

  /** 32 random bytes as 64 hex characters, the format {@code ./kvstore cluster} also uses. */
  public static String generate() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Writes a secret file readable by its owner only (0600), atomically: a reader never sees a
   * partial secret, and an existing file is never replaced.
   */
  public static void write(Path file, String secret) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp", ownerOnly());
      try {
        Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
        Files.createLink(file, tmp); // complete and 0600 when it appears; never replaces
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (FileAlreadyExistsException e) {
      throw new ConfigException("cluster secret file " + file + " appeared while creating it; retry");
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException("cannot create the cluster secret file " + file + ": " + e);
    }
  }

  /** Reads and checks a secret file; names {@code field} in every error. */
  public static String read(String field, Path file) {
    String secret;
    try {
      secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      throw ConfigException.field(field, "the cluster secret file " + file + " does not exist");
    } catch (IOException e) {
      throw ConfigException.field(field, "cannot read the cluster secret file " + file + ": " + e);
    }
    if (secret.isEmpty()) {
      throw ConfigException.field(field, "the cluster secret file " + file + " is empty");
    }
    requireStrong(field, secret);
    return secret;
  }

  /** True if others than the owner may read the file (worth a warning, like ssh gives). */
  public static boolean readableByOthers(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static void requireStrong(String field, String secret) {
    if (secret.length() < MIN_LENGTH) {
      throw ConfigException.field(
          field, "the cluster secret must be at least " + MIN_LENGTH
              + " characters (e.g. from: openssl rand -hex 32)");
    }
  }

  private static java.nio.file.attribute.FileAttribute<Set<PosixFilePermission>> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }

  @Override
  public String toString() {
    return "ClusterSecret[" + source + (file == null ? "" : ", " + file) + "]"; // never the secret
  }
}
