package io.kvstore.node.ops.files;

/**
 * Bounds and pacing of file transfers (docs/OPERATIONS.md "Files").
 *
 * @param chunksInFlight chunks a node fetches at once, over all operations (each holds a buffer of
 *     one chunk: the transfer's memory bound)
 * @param piecesInFlight pieces of one chunk requested and not yet answered
 * @param pieceTimeoutMillis a piece unanswered this long is asked again
 * @param timeoutsBeforeSwitch timeouts of one peer within a chunk before another peer is asked
 * @param peersPerAttempt peers asked for a chunk before it is put back and retried later
 * @param retryMillis how long a chunk nobody had waits before it is asked for again
 * @param tickMillis period of the timer that resends and starts fetches
 * @param serveBytesPerSecond bytes of pieces this node serves per second, to all peers together
 * @param maxTransfers operations fetched at once (each holds its chunk-hash list, ≤ 512 KiB);
 *     further ones wait, up to {@code maxWaiting}
 * @param maxWaiting file operations waiting for a transfer slot; beyond, refused and counted
 * @param maxStoreBytes bytes of chunks held on disk
 */
public record FileTransferConfig(
    int chunksInFlight, int piecesInFlight, long pieceTimeoutMillis, int timeoutsBeforeSwitch,
    int peersPerAttempt, long retryMillis, long tickMillis, long serveBytesPerSecond, int maxTransfers,
    int maxWaiting, long maxStoreBytes) {

  public static FileTransferConfig defaults() {
    return new FileTransferConfig(2, 32, 250, 3, 6, 200, 20, 64L << 20, 4, 256, 4L << 30);
  }

  public FileTransferConfig {
    if (chunksInFlight < 1 || piecesInFlight < 1 || pieceTimeoutMillis < 1 || timeoutsBeforeSwitch < 1
        || peersPerAttempt < 1 || retryMillis < 1 || tickMillis < 1 || serveBytesPerSecond < FileFrames.MAX_PIECE
        || maxTransfers < 1 || maxWaiting < 0 || maxStoreBytes < 1) {
      throw new IllegalArgumentException("file transfer settings out of range: " + this);
    }
  }

  public FileTransferConfig withServeBytesPerSecond(long bytesPerSecond) {
    return new FileTransferConfig(chunksInFlight, piecesInFlight, pieceTimeoutMillis, timeoutsBeforeSwitch,
        peersPerAttempt, retryMillis, tickMillis, bytesPerSecond, maxTransfers, maxWaiting, maxStoreBytes);
  }

  public FileTransferConfig withMaxStoreBytes(long bytes) {
    return new FileTransferConfig(chunksInFlight, piecesInFlight, pieceTimeoutMillis, timeoutsBeforeSwitch,
        peersPerAttempt, retryMillis, tickMillis, serveBytesPerSecond, maxTransfers, maxWaiting, bytes);
  }
}
