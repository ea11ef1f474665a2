package io.kvstore.node.ops.files;

/**
 * A FILE operation this node holds, shared by the transfer thread (fetching, serving) and the
 * event loops (uploads at the origin): the manifest, expiry, whether this node writes the file,
 * and whether the chunks came from an upload here. The verified chunk-hash list is published
 * once, safely (volatile).
 */
final class FileOp {
  final FileOpId id;
  final FileManifest manifest;
  /** When the operation was issued: of two pushes of one name, the later one's file stays. */
  final long issuedAtMillis;
  final long expiresAtMillis;
  /**
   * False at an origin the operation does not target: it keeps the uploaded chunks and serves
   * them, but never writes the file.
   */
  final boolean writes;
  /** The verified chunk-hash list, or null until it is fetched or uploaded. */
  private volatile byte[] chunkHashes;
  /** Reported once as waiting for room in the chunk store (transfer thread only). */
  boolean waitingForRoom;
  /** Chunks arrive here by upload: this node is the origin and does not fetch. */
  private volatile boolean origin;

  FileOp(FileOpId id, FileManifest manifest, long issuedAtMillis, long expiresAtMillis, boolean writes) {
    this.id = id;
    this.manifest = manifest;
    this.issuedAtMillis = issuedAtMillis;
    this.expiresAtMillis = expiresAtMillis;
    this.writes = writes;
    if (!writes) {
      origin = true; // its chunks can only come by upload: it never fetches
    }
  }

  byte[] chunkHashes() {
    return chunkHashes;
  }

  void chunkHashes(byte[] verified) {
    chunkHashes = verified;
  }

  boolean origin() {
    return origin;
  }

  void markOrigin() {
    origin = true;
  }

  /** Whether {@code data[0, length)} is chunk {@code index} (or the list) of this file. */
  boolean verifies(int index, byte[] data, int length) {
    byte[] expected;
    if (index == FileFrames.LIST) {
      expected = manifest.listHash();
    } else {
      byte[] list = chunkHashes;
      if (list == null) {
        return false;
      }
      expected = java.util.Arrays.copyOfRange(
          list, index * FileManifest.HASH_LENGTH, (index + 1) * FileManifest.HASH_LENGTH);
    }
    return length == lengthOf(index)
        && java.security.MessageDigest.isEqual(expected, FileChunking.sha256(data, 0, length));
  }

  int lengthOf(int index) {
    return index == FileFrames.LIST ? manifest.listLength() : manifest.chunkLength(index);
  }
}
