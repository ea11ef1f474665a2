package io.kvstore.node.monitor;

import io.kvstore.node.ops.files.FilePush;
import io.kvstore.node.ops.files.FileTransferStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * File push as stats: {@code ops.transfer.*} counters and, for the latest files,
 * {@code ops.files.NAME} (text: its state and operation id, e.g. {@code done 1a2b3c4d}), which
 * {@code ./kvstore ops push --monitor} reads back from the status server. Few on purpose: the
 * status server takes at most 128 stats per report, names of at most 64 bytes.
 */
public final class FileTransferMetrics {
  /** Files reported by name (the latest). */
  static final int FILES = 4;
  private static final int MAX_NAME = 64;
  private static final String PREFIX = "ops.files.";

  private FileTransferMetrics() {}

  /** The stat name of file {@code name}: cut to 64 bytes (names are ASCII), the cut marked "~". */
  public static String statName(String name) {
    String full = PREFIX + name;
    return full.length() <= MAX_NAME ? full : full.substring(0, MAX_NAME - 1) + "~";
  }

  public static List<Stat> stats(FilePush push) {
    FileTransferStats s = push.transfer().counters();
    List<Stat> out = new ArrayList<>();
    out.add(Stat.counter("ops.transfer.bytes.served", "bytes", s.bytesServed.sum()));
    out.add(Stat.counter("ops.transfer.bytes.fetched", "bytes", s.bytesFetched.sum()));
    out.add(Stat.counter("ops.transfer.bytes.uploaded", "bytes", s.bytesUploaded.sum()));
    out.add(Stat.counter("ops.transfer.pieces.other_source", "pieces", s.piecesFromAnotherSource.sum()));
    out.add(Stat.counter("ops.transfer.chunks.verified", "chunks", s.chunksVerified.sum()));
    out.add(Stat.counter("ops.transfer.chunks.rejected", "chunks", s.chunksRejected.sum()));
    out.add(Stat.counter("ops.transfer.assembled", "files", s.filesAssembled.sum()));
    out.add(Stat.counter("ops.transfer.failed", "files", s.filesFailed.sum()));
    out.add(Stat.counter("ops.transfer.superseded", "files", s.filesSuperseded.sum()));
    // Frames and operations turned away, whatever the reason (logs and FileTransferStats tell which).
    out.add(Stat.counter("ops.transfer.refused", "frames",
        s.framesMalformed.sum() + s.framesFromNonMembers.sum() + s.piecesUnsolicited.sum()
            + push.framesDropped() + s.refusedBusy.sum() + s.refusedTooLarge.sum() + s.refusedNoDisk.sum() + s.storeFull.sum()
            + push.invalidManifests()));
    out.add(Stat.counter("ops.transfer.refused.disk", "files", s.refusedNoDisk.sum()));
    out.add(Stat.counter("ops.transfer.throttled", "wants", s.servingThrottled.sum()));
    out.add(Stat.gauge("ops.transfer.store.bytes", "bytes", push.transfer().storeBytes()));
    out.add(Stat.counter("ops.transfer.store.waits", "files", s.waitedForStoreRoom.sum()));
    List<Map.Entry<String, String>> files = new ArrayList<>(push.transfer().fileStates().entrySet());
    for (Map.Entry<String, String> file : files.subList(Math.max(0, files.size() - FILES), files.size())) {
      out.add(Stat.text(statName(file.getKey()), file.getValue()));
    }
    return out;
  }
}
