package io.kvstore.node.ops.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Cuts a file into chunks and hashes them, streaming (one chunk-sized buffer, whatever the file
 * size): what the pushing CLI needs to sign a manifest and upload the chunk-hash list.
 */
public final class FileChunking {
  private FileChunking() {}

  /** The manifest of {@code file} and its chunk-hash list (32 bytes per chunk). */
  public record Described(FileManifest manifest, byte[] chunkHashes) {}

  public static Described describe(Path file, String name, int chunkSize, String thenScript)
      throws IOException {
    FileManifest.checkName(name);
    long size = Files.size(file);
    long chunks = FileManifest.chunksFor(size, chunkSize);
    if (chunks > FileManifest.MAX_CHUNKS) {
      throw new FileManifest.InvalidManifestException(
          "file of " + size + " bytes needs " + chunks + " chunks, at most " + FileManifest.MAX_CHUNKS);
    }
    MessageDigest whole = sha256();
    MessageDigest chunk = sha256();
    byte[] hashes = new byte[(int) chunks * FileManifest.HASH_LENGTH];
    byte[] buffer = new byte[chunkSize];
    long read = 0;
    try (InputStream in = Files.newInputStream(file)) {
      for (int i = 0; i < chunks; i++) {
        int length = (int) Math.min(chunkSize, size - read);
        int n = in.readNBytes(buffer, 0, length);
        if (n != length) {
          throw new IOException(file + " changed while it was read (shorter than " + size + " bytes)");
        }
        whole.update(buffer, 0, length);
        chunk.update(buffer, 0, length);
        System.arraycopy(chunk.digest(), 0, hashes, i * FileManifest.HASH_LENGTH, FileManifest.HASH_LENGTH);
        read += length;
      }
    }
    FileManifest manifest =
        new FileManifest(name, size, whole.digest(), chunkSize, (int) chunks, sha256().digest(hashes),
            thenScript);
    return new Described(manifest, hashes);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  public static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest digest = sha256();
    digest.update(data, offset, length);
    return digest.digest();
  }
}
