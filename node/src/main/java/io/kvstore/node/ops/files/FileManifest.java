package io.kvstore.node.ops.files;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The body of a FILE operation: what file to write where, and the hashes that let every node check
 * each chunk it receives without trusting the peer that sent it (the manifest is signed with the
 * operation; the chunk-hash list is checked against {@link #listHash}, each chunk against its entry
 * in the list, the assembled file against {@link #fileHash}).
 *
 * <pre>
 * version(1) = 1 | name length(1) | name (ASCII) | size(8) | file SHA-256(32) | chunk size(4)
 * | chunk count(4) | chunk-hash-list SHA-256(32) | then-script length(2) | then-script (UTF-8)
 * </pre>
 *
 * Big-endian, like the operation around it. The whole body stays under {@link #MAX_BODY} so that
 * the signed operation fits one datagram.
 */
public record FileManifest(
    String name, long size, byte[] fileHash, int chunkSize, int chunkCount, byte[] listHash,
    String thenScript) {
  public static final int VERSION = 1;
  /** The chunk size the CLI uses; smaller ones are accepted (tests, small files). */
  public static final int CHUNK_SIZE = 1 << 20;
  public static final int MIN_CHUNK_SIZE = 4 * 1024;
  /** 16,384 chunks of 1 MiB: files up to 16 GiB; the hash list stays at 512 KiB. */
  public static final int MAX_CHUNKS = 16_384;
  /** The operation body limit (OPS-PLAN: a whole operation fits one frame). */
  public static final int MAX_BODY = 8 * 1024;
  public static final int HASH_LENGTH = 32;
  public static final int MAX_NAME_LENGTH = 128;
  /** Bytes of the body besides the name and the then-script. */
  static final int FIXED_LENGTH = 1 + 1 + 8 + HASH_LENGTH + 4 + 4 + HASH_LENGTH + 2;
  /** Whatever the name takes, a then-script of this many bytes always fits. */
  public static final int MAX_THEN_SCRIPT = MAX_BODY - FIXED_LENGTH - MAX_NAME_LENGTH;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** A manifest that is not valid: the reason names the field. */
  public static final class InvalidManifestException extends IllegalArgumentException {
    public InvalidManifestException(String message) {
      super(message);
    }
  }

  public FileManifest {
    checkName(name);
    if (size < 0 || chunkSize < MIN_CHUNK_SIZE || chunkSize > CHUNK_SIZE) {
      throw new InvalidManifestException(
          "size " + size + " / chunk size " + chunkSize + " out of range (chunk size "
              + MIN_CHUNK_SIZE + ".." + CHUNK_SIZE + ")");
    }
    if (chunkCount < 0 || chunkCount > MAX_CHUNKS || chunkCount != chunksFor(size, chunkSize)) {
      throw new InvalidManifestException(
          "chunk count " + chunkCount + " does not match size " + size + " in chunks of " + chunkSize
              + " (at most " + MAX_CHUNKS + ")");
    }
    if (fileHash == null || fileHash.length != HASH_LENGTH || listHash == null
        || listHash.length != HASH_LENGTH) {
      throw new InvalidManifestException("hashes must be SHA-256 (32 bytes)");
    }
    thenScript = thenScript == null ? "" : thenScript;
    if (thenScript.getBytes(StandardCharsets.UTF_8).length > MAX_THEN_SCRIPT) {
      throw new InvalidManifestException(
          "then-script exceeds " + MAX_THEN_SCRIPT + " bytes; push the script as a file instead");
    }
    fileHash = fileHash.clone();
    listHash = listHash.clone();
  }

  /** Chunks of {@code chunkSize} a file of {@code size} bytes needs (the last may be shorter). */
  public static long chunksFor(long size, int chunkSize) {
    return (size + chunkSize - 1) / chunkSize;
  }

  /**
   * Refuses any destination name that is not a plain file name: only [A-Za-z0-9._-], 1-128
   * characters, never "." or anything containing "..", so the file lands in ops/files itself.
   */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..") || name.equals(".")) {
      throw new InvalidManifestException(
          "invalid destination name " + (name == null ? "null" : quoted(name))
              + ": 1-128 of [A-Za-z0-9._-], not '.' and without '..'");
    }
  }

  /** Bytes of chunk {@code index} (the last chunk holds the rest of the file). */
  public int chunkLength(int index) {
    if (index < 0 || index >= chunkCount) {
      throw new IndexOutOfBoundsException("chunk " + index + " of " + chunkCount);
    }
    long start = (long) index * chunkSize;
    return (int) Math.min(chunkSize, size - start);
  }

  /** Bytes of the chunk-hash list: 32 per chunk. */
  public int listLength() {
    return chunkCount * HASH_LENGTH;
  }

  public boolean hasThenScript() {
    return !thenScript.isEmpty();
  }

  @Override
  public byte[] fileHash() {
    return fileHash.clone();
  }

  @Override
  public byte[] listHash() {
    return listHash.clone();
  }

  public byte[] encode() {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    byte[] script = thenScript.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(FIXED_LENGTH + nameBytes.length + script.length);
    out.put((byte) VERSION).put((byte) nameBytes.length).put(nameBytes).putLong(size).put(fileHash)
        .putInt(chunkSize).putInt(chunkCount).put(listHash).putShort((short) script.length).put(script);
    return out.array();
  }

  /** Decodes and validates a manifest; every defect is an {@link InvalidManifestException}. */
  public static FileManifest decode(byte[] body) {
    if (body == null || body.length > MAX_BODY) {
      throw new InvalidManifestException("manifest larger than " + MAX_BODY + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      int version = in.get() & 0xFF;
      if (version != VERSION) {
        throw new InvalidManifestException("manifest version " + version + ", expected " + VERSION);
      }
      byte[] nameBytes = new byte[in.get() & 0xFF];
      in.get(nameBytes);
      long size = in.getLong();
      byte[] fileHash = new byte[HASH_LENGTH];
      in.get(fileHash);
      int chunkSize = in.getInt();
      int chunkCount = in.getInt();
      byte[] listHash = new byte[HASH_LENGTH];
      in.get(listHash);
      byte[] script = new byte[in.getShort() & 0xFFFF];
      in.get(script);
      if (in.hasRemaining()) {
        throw new InvalidManifestException(in.remaining() + " trailing bytes after the manifest");
      }
      return new FileManifest(
          strict(nameBytes, true), size, fileHash, chunkSize, chunkCount, listHash, strict(script, false));
    } catch (BufferUnderflowException e) {
      throw new InvalidManifestException("truncated manifest");
    }
  }

  private static String strict(byte[] bytes, boolean ascii) {
    try {
      return (ascii ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8).newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidManifestException((ascii ? "name" : "then-script") + " is not valid "
          + (ascii ? "ASCII" : "UTF-8"));
    }
  }

  private static String quoted(String name) {
    String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
    return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
  }

  @Override
  public String toString() {
    return "FileManifest[" + name + ", " + size + " bytes, " + chunkCount + " chunks of " + chunkSize
        + (hasThenScript() ? ", then-script" : "") + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileManifest m && java.util.Arrays.equals(encode(), m.encode());
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encode());
  }
}
