package io.kvstore.node.ops.files;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of file transfers on one node (status reports and /metrics as {@code ops.transfer.*}
 * through monitor's {@code FileTransferMetrics}; each file's state is {@code ops.files.NAME}).
 */
public final class FileTransferStats {
  public final LongAdder bytesServed = new LongAdder();
  public final LongAdder bytesFetched = new LongAdder();
  public final LongAdder bytesUploaded = new LongAdder();
  public final LongAdder chunksVerified = new LongAdder();
  /** Chunks (or chunk-hash lists) whose SHA-256 did not match: tampered or corrupted in transit. */
  public final LongAdder chunksRejected = new LongAdder();
  public final LongAdder piecesUnsolicited = new LongAdder();
  public final LongAdder piecesResent = new LongAdder();
  public final LongAdder framesMalformed = new LongAdder();
  /** Frames from sources that are no members: never answered. */
  public final LongAdder framesFromNonMembers = new LongAdder();
  /** Wants not answered because the serving rate was used up (the requester asks again). */
  public final LongAdder servingThrottled = new LongAdder();
  public final LongAdder notHaveAnswers = new LongAdder();
  public final LongAdder deferAnswers = new LongAdder();
  public final LongAdder filesAssembled = new LongAdder();
  public final LongAdder filesFailed = new LongAdder();
  /** Files not written because a push of the same name issued later had written it already. */
  public final LongAdder filesSuperseded = new LongAdder();
  /** File operations refused because every transfer slot and the waiting line were taken. */
  public final LongAdder refusedBusy = new LongAdder();
  /** Uploaded pieces refused because another address began that chunk's upload. */
  public final LongAdder piecesFromAnotherSource = new LongAdder();
  public final LongAdder storeFull = new LongAdder();
  /** File operations that had to wait for room in the chunk store before their download started. */
  public final LongAdder waitedForStoreRoom = new LongAdder();
  /** File operations refused because the file (with its chunk list) is larger than the whole chunk store. */
  public final LongAdder refusedTooLarge = new LongAdder();
  /** File operations refused because they would leave the data disk below min-free-disk. */
  public final LongAdder refusedNoDisk = new LongAdder();
}
