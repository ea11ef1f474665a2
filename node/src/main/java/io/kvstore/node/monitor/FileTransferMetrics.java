package io.kvstore.node.monitor;

import io.kvstore.node.ops.FilePush;
import io.kvstore.node.ops.FileTransferStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * File push as stats: {@code ops.transfer.*} counters and, per recent file, {@code ops.files.NAME}
 * (text: its state and operation id, e.g. {@code done 1a2b3c4d}), which {@code ./kvstore ops push
 * --monitor} reads back from the status server.
 */
public final class FileTransferMetrics {
  private FileTransferMetrics() {}

  public static List<Stat> stats(FilePush push) {
    FileTransferStats s = push.transfer().counters();
    List<Stat> out = new ArrayList<>();
    out.add(Stat.counter("ops.transfer.bytes.served", "bytes", s.bytesServed.sum()));
    out.add(Stat.counter("ops.transfer.bytes.fetched", "bytes", s.bytesFetched.sum()));
    out.add(Stat.counter("ops.transfer.bytes.uploaded", "bytes", s.bytesUploaded.sum()));
    out.add(Stat.counter("ops.transfer.chunks.verified", "chunks", s.chunksVerified.sum()));
    out.add(Stat.counter("ops.transfer.chunks.rejected", "chunks", s.chunksRejected.sum()));
    out.add(Stat.counter("ops.transfer.pieces.resent", "pieces", s.piecesResent.sum()));
    out.add(Stat.counter("ops.transfer.pieces.unsolicited", "pieces", s.piecesUnsolicited.sum()));
    out.add(Stat.counter("ops.transfer.frames.malformed", "frames", s.framesMalformed.sum()));
    out.add(Stat.counter("ops.transfer.frames.nonmember", "frames", s.framesFromNonMembers.sum()));
    out.add(Stat.counter("ops.transfer.serving.throttled", "wants", s.servingThrottled.sum()));
    out.add(Stat.counter("ops.transfer.assembled", "files", s.filesAssembled.sum()));
    out.add(Stat.counter("ops.transfer.failed", "files", s.filesFailed.sum()));
    out.add(Stat.counter("ops.transfer.refused.busy", "operations", s.refusedBusy.sum()));
    out.add(Stat.counter("ops.transfer.store.full", "chunks", s.storeFull.sum()));
    out.add(Stat.counter("ops.transfer.manifest.invalid", "operations", push.invalidManifests()));
    out.add(Stat.counter("ops.transfer.frames.dropped", "frames", push.framesDropped()));
    out.add(Stat.gauge("ops.transfer.store.bytes", "bytes", push.transfer().storeBytes()));
    for (Map.Entry<String, String> file : push.transfer().fileStates().entrySet()) {
      out.add(Stat.text("ops.files." + file.getKey(), file.getValue()));
    }
    return out;
  }
}
