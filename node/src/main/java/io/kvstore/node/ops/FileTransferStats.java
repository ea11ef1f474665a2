package io.kvstore.node.ops;

import io.kvstore.node.monitor.Stat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Counters of file transfers on one node (status reports and /metrics as {@code ops.transfer.*}; each file's state is {@code ops.files.NAME}). */
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
  /** File operations refused because every transfer slot and the waiting line were taken. */
  public final LongAdder refusedBusy = new LongAdder();
  public final LongAdder storeFull = new LongAdder();

  public List<Stat> stats() {
    List<Stat> out = new ArrayList<>();
    out.add(Stat.counter("ops.transfer.bytes.served", "bytes", bytesServed.sum()));
    out.add(Stat.counter("ops.transfer.bytes.fetched", "bytes", bytesFetched.sum()));
    out.add(Stat.counter("ops.transfer.bytes.uploaded", "bytes", bytesUploaded.sum()));
    out.add(Stat.counter("ops.transfer.chunks.verified", "chunks", chunksVerified.sum()));
    out.add(Stat.counter("ops.transfer.chunks.rejected", "chunks", chunksRejected.sum()));
    out.add(Stat.counter("ops.transfer.pieces.resent", "pieces", piecesResent.sum()));
    out.add(Stat.counter("ops.transfer.pieces.unsolicited", "pieces", piecesUnsolicited.sum()));
    out.add(Stat.counter("ops.transfer.frames.malformed", "frames", framesMalformed.sum()));
    out.add(Stat.counter("ops.transfer.frames.nonmember", "frames", framesFromNonMembers.sum()));
    out.add(Stat.counter("ops.transfer.serving.throttled", "wants", servingThrottled.sum()));
    out.add(Stat.counter("ops.transfer.assembled", "files", filesAssembled.sum()));
    out.add(Stat.counter("ops.transfer.failed", "files", filesFailed.sum()));
    out.add(Stat.counter("ops.transfer.refused.busy", "operations", refusedBusy.sum()));
    out.add(Stat.counter("ops.transfer.store.full", "chunks", storeFull.sum()));
    return out;
  }
}
