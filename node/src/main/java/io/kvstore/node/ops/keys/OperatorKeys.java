package io.kvstore.node.ops.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Operator Ed25519 keys (the JDK's provider, no dependency) and their files:
 *
 * <ul>
 *   <li>{@code NAME.key}: the line {@value #PRIVATE_HEADER}, then one line of base64 PKCS#8 DER,
 *       mode 0600 from creation on. The PKCS#8 is the RFC 5958 v2 form that also holds the public
 *       key, so signing needs no second file.
 *   <li>{@code NAME.pub}: one line {@code kvstore-ed25519 BASE64 NAME}, BASE64 being the X.509
 *       SubjectPublicKeyInfo DER; the same line may be pasted inline into {@code ops.trusted-keys}.
 * </ul>
 *
 * A key's fingerprint is the first 8 bytes of SHA-256 over its raw 32-byte public key.
 */
public final class OperatorKeys {
  public static final String PRIVATE_HEADER = "# kvstore operator private key";
  public static final String PUBLIC_PREFIX = "kvstore-ed25519";
  public static final int FINGERPRINT_BYTES = 8;
  /** Key names go on the public line and into file names. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** X.509 SubjectPublicKeyInfo of an Ed25519 key, before its 32 raw bytes (RFC 8410). */
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  /** PKCS#8 v2 (OneAsymmetricKey) before the 32-byte seed; then 0x81 0x21 0x00 + public key. */
  private static final byte[] PKCS8_V2_PREFIX = HexFormat.of().parseHex("3051020101300506032b657004220420");
  private static final byte[] PKCS8_V2_PUBLIC_TAG = {(byte) 0x81, 0x21, 0x00};
  private static final int RAW = 32;

  private OperatorKeys() {}

  /** A fresh key pair named {@code name}. */
  public static OperatorKey generate(String name) {
    checkName(name);
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new OperatorKey(name, pair.getPrivate(), pair.getPublic());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  /** The private key file of {@code out} (DIR/NAME): DIR/NAME.key. */
  public static Path privateFile(Path out) {
    return out.resolveSibling(out.getFileName() + ".key");
  }

  /** The public key file of {@code out} (DIR/NAME): DIR/NAME.pub. */
  public static Path publicFile(Path out) {
    return out.resolveSibling(out.getFileName() + ".pub");
  }

  /**
   * Writes {@code key} to {@code out}.key and {@code out}.pub. Without {@code force} an existing
   * file is left alone and nothing is written; the private file is never readable by others, not
   * even while it is being written.
   */
  public static void save(OperatorKey key, Path out, boolean force) {
    Path priv = privateFile(out);
    Path pub = publicFile(out);
    Path dir = priv.toAbsolutePath().getParent();
    if (!Files.exists(dir)) {
      throw new KeyFileException("directory " + dir + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new KeyFileException(dir + " is not a directory");
    }
    if (!Files.isWritable(dir)) {
      throw new KeyFileException("directory " + dir + " is not writable");
    }
    if (!force) {
      for (Path p : List.of(priv, pub)) {
        if (Files.exists(p)) {
          throw new KeyFileException(p + " exists; not overwritten (--force replaces it)");
        }
      }
    }
    String privText = PRIVATE_HEADER + "\n"
        + Base64.getEncoder().encodeToString(pkcs8WithPublic(key)) + "\n";
    write(priv, privText, true);
    write(pub, publicLine(key.publicKey(), key.name()) + "\n", false);
  }

  private static void write(Path target, String text, boolean secret) {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      FileAttribute<?> mode =
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
      Files.createFile(tmp, mode);
      Files.write(tmp, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AccessDeniedException e) {
      throw new KeyFileException("cannot write " + target + ": permission denied", e);
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException("cannot write " + target + ": " + e.getFile() + " exists", e);
    } catch (IOException e) {
      throw new KeyFileException("cannot write " + target + ": " + e, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: the temporary holds nothing the target does not
      }
    }
  }

  /** Reads a private key file written by {@link #save}; the name is the file's, less ".key". */
  public static OperatorKey loadPrivate(Path file) {
    List<String> lines = readLines(file);
    if (lines.size() != 2 || !lines.get(0).equals(PRIVATE_HEADER)) {
      throw new KeyFileException(file + " is not a kvstore operator private key (expected the line '"
          + PRIVATE_HEADER + "' and one line of base64)");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(lines.get(1));
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(file + ": the key line is not base64");
    }
    int pubAt = PKCS8_V2_PREFIX.length + RAW;
    if (der.length != pubAt + PKCS8_V2_PUBLIC_TAG.length + RAW
        || !Arrays.equals(der, 0, PKCS8_V2_PREFIX.length, PKCS8_V2_PREFIX, 0, PKCS8_V2_PREFIX.length)
        || !Arrays.equals(der, pubAt, pubAt + 3, PKCS8_V2_PUBLIC_TAG, 0, 3)) {
      throw new KeyFileException(file + " does not hold an Ed25519 key with its public key (PKCS#8 v2)");
    }
    try {
      PrivateKey priv = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      PublicKey pub = publicFromRaw(Arrays.copyOfRange(der, pubAt + 3, der.length));
      String name = file.getFileName().toString().replaceFirst("\\.key$", "");
      OperatorKey key = new OperatorKey(NAME.matcher(name).matches() ? name : "operator", priv, pub);
      checkPair(key, file);
      checkPrivate(file);
      return key;
    } catch (GeneralSecurityException e) {
      throw new KeyFileException(file + ": not a valid Ed25519 key (" + e.getMessage() + ")");
    }
  }

  /**
   * Refuses a private key that others than its owner may read or change, as ssh does: whoever
   * can read it can run anything on every node that trusts it, so a key left mode 0644 (copied
   * with a umask, unpacked from an archive) is to be fixed, not used. Skipped where the file
   * system has no POSIX modes.
   */
  private static void checkPrivate(Path file) {
    java.util.Set<java.nio.file.attribute.PosixFilePermission> modes;
    try {
      modes = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return;
    } catch (IOException e) {
      throw new KeyFileException("cannot read the mode of " + file + ": " + e);
    }
    java.util.Set<java.nio.file.attribute.PosixFilePermission> others = new java.util.HashSet<>(modes);
    others.removeAll(PosixFilePermissions.fromString("rwx------"));
    if (!others.isEmpty()) {
      throw new KeyFileException(file + " is accessible to others (mode " + PosixFilePermissions.toString(modes)
          + "): whoever reads it can run anything on the nodes that trust it; chmod 600 " + file
          + " (and consider the key leaked if others could read it)");
    }
  }

  /** A key pair whose halves do not belong together would sign what no node verifies. */
  private static void checkPair(OperatorKey key, Path file) throws GeneralSecurityException {
    byte[] probe = "kvstore key check".getBytes(StandardCharsets.UTF_8);
    java.security.Signature s = java.security.Signature.getInstance("Ed25519");
    s.initSign(key.privateKey());
    s.update(probe);
    byte[] sig = s.sign();
    s.initVerify(key.publicKey());
    s.update(probe);
    if (!s.verify(sig)) {
      throw new KeyFileException(file + ": its public key does not match its private key");
    }
  }

  /** Reads a public key file: one {@code kvstore-ed25519 BASE64 NAME} line. */
  public static TrustedKey loadPublic(Path file) {
    List<String> lines = readLines(file).stream().filter(l -> !l.isBlank()).toList();
    if (lines.size() != 1) {
      throw new KeyFileException(file + ": expected one line '" + PUBLIC_PREFIX + " BASE64 NAME'");
    }
    return parsePublic(lines.get(0), file.toString());
  }

  /** Parses a {@code kvstore-ed25519 BASE64 NAME} line; {@code where} names it in errors. */
  public static TrustedKey parsePublic(String line, String where) {
    String[] parts = line.trim().split("\\s+");
    if (parts.length != 3 || !parts[0].equals(PUBLIC_PREFIX)) {
      throw new KeyFileException(where + ": expected '" + PUBLIC_PREFIX + " BASE64 NAME'");
    }
    if (!NAME.matcher(parts[2]).matches()) {
      throw new KeyFileException(where + ": key name '" + parts[2] + "' is not [A-Za-z0-9._-]{1,64}");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(where + ": the key is not base64");
    }
    if (der.length != SPKI_PREFIX.length + RAW
        || !Arrays.equals(der, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      throw new KeyFileException(where + ": not an Ed25519 public key");
    }
    try {
      PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
      return new TrustedKey(parts[2], key, fingerprint(key));
    } catch (GeneralSecurityException e) {
      throw new KeyFileException(where + ": not a valid Ed25519 public key (" + e.getMessage() + ")");
    }
  }

  /** The public line of {@code key} named {@code name}. */
  public static String publicLine(PublicKey key, String name) {
    checkName(name);
    return PUBLIC_PREFIX + " " + Base64.getEncoder().encodeToString(key.getEncoded()) + " " + name;
  }

  /** First {@value #FINGERPRINT_BYTES} bytes of SHA-256 over the raw 32-byte public key. */
  public static byte[] fingerprint(PublicKey key) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(raw(key));
      return Arrays.copyOf(hash, FINGERPRINT_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String fingerprintHex(PublicKey key) {
    return HexFormat.of().formatHex(fingerprint(key));
  }

  private static byte[] raw(PublicKey key) {
    byte[] der = key.getEncoded();
    if (der.length != SPKI_PREFIX.length + RAW
        || !Arrays.equals(der, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
      throw new IllegalArgumentException("not an Ed25519 public key");
    }
    return Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length);
  }

  private static PublicKey publicFromRaw(byte[] raw) throws GeneralSecurityException {
    byte[] der = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + RAW);
    System.arraycopy(raw, 0, der, SPKI_PREFIX.length, RAW);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
  }

  private static byte[] pkcs8WithPublic(OperatorKey key) {
    byte[] v1 = key.privateKey().getEncoded(); // 302e020100300506032b657004220420 + 32-byte seed
    byte[] seed = Arrays.copyOfRange(v1, v1.length - RAW, v1.length);
    byte[] out = new byte[PKCS8_V2_PREFIX.length + RAW + PKCS8_V2_PUBLIC_TAG.length + RAW];
    System.arraycopy(PKCS8_V2_PREFIX, 0, out, 0, PKCS8_V2_PREFIX.length);
    System.arraycopy(seed, 0, out, PKCS8_V2_PREFIX.length, RAW);
    System.arraycopy(PKCS8_V2_PUBLIC_TAG, 0, out, PKCS8_V2_PREFIX.length + RAW, 3);
    System.arraycopy(raw(key.publicKey()), 0, out, PKCS8_V2_PREFIX.length + RAW + 3, RAW);
    return out;
  }

  private static List<String> readLines(Path file) {
    try {
      if (Files.size(file) > 4096) {
        throw new KeyFileException(file + " is too large to be a key file");
      }
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new KeyFileException(file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new KeyFileException("cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new KeyFileException("cannot read " + file + ": " + e);
    }
  }

  private static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new KeyFileException("key name '" + name + "' is not [A-Za-z0-9._-]{1,64}");
    }
  }
}
