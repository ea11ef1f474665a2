package io.kvstore.node.ops.files;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a file operation ends on this node, and who hears of it: a complete one is written into
 * ops/files and the {@link FileTransfer.Listener} told, unless a push of the same name issued later
 * wrote it first (no roll-back); at an origin the operation does not target it is served instead.
 * Failures, expiries and refusals on receipt are counted, reported in {@link FileStates} and logged.
 * Transfer thread only, but for {@link #writtenOrSuperseded}.
 */
final class FileOutcomes {
  /** File push logs under one name on a node, whichever part of it speaks. */
  private static final Logger log = LoggerFactory.getLogger(FileTransfer.class);

  private final ChunkStore store;
  private final WrittenFiles written;
  private final FileStates states;
  private final FileTransfer.Listener listener;
  private final FileTransferStats stats;

  FileOutcomes(ChunkStore store, WrittenFiles written, FileStates states, FileTransfer.Listener listener,
      FileTransferStats stats) {
    this.store = store;
    this.written = written;
    this.states = states;
    this.listener = listener;
    this.stats = stats;
  }

  /** Every chunk of {@code op} is held and verified. */
  void complete(FileOp op) {
    if (!op.writes) {
      op.chunkHashes(null); // every chunk is verified and held; the list is served from disk
      states.report(op, "serving");
      log.info("file {} of operation {} uploaded here; serving its chunks (this node is no target)",
          op.manifest.name(), op.id);
      return;
    }
    FileOpId newer = written.newerWriter(op);
    if (newer != null) { // two pushes of one name met here, the older finished last: no roll-back
      op.chunkHashes(null);
      stats.filesSuperseded.increment();
      states.report(op, "superseded by " + newer.shortHex());
      log.info("file {} of operation {} not written: {}, issued later, wrote it", op.manifest.name(), op.id, newer);
      listener.onFileFailed(op.id, op.manifest, "superseded by " + newer);
      return;
    }
    try {
      Path file = written.write(store, op);
      op.chunkHashes(null); // verified chunks are held; the list is served from disk
      stats.filesAssembled.increment();
      states.report(op, "done");
      log.info("file {} of operation {} written ({} bytes)", op.manifest.name(), op.id, op.manifest.size());
      listener.onFileReady(op.id, op.manifest, file);
    } catch (IOException | RuntimeException e) {
      failed(op, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  void failed(FileOp op, String reason) {
    stats.filesFailed.increment();
    states.report(op, "failed: " + reason);
    log.warn("file {} of operation {} not written: {}", op.manifest.name(), op.id, reason);
    listener.onFileFailed(op.id, op.manifest, reason);
  }

  /**
   * Refused on receipt, before any fetch: a target reports it as failed and tells the listener (the
   * node's results); a serve-only origin only reports it.
   */
  void refusedOnReceipt(FileOp op, String reason) {
    if (!op.writes) {
      states.report(op, "refused: " + reason);
      log.warn("upload of file {} of operation {} refused: {}", op.manifest.name(), op.id, reason);
      return;
    }
    stats.filesFailed.increment();
    states.report(op, "failed: " + reason);
    log.warn("file {} of operation {} refused: {}", op.manifest.name(), op.id, reason);
    listener.onFileRefused(op.id, op.manifest, reason);
  }

  /** {@code op} expired while waiting or downloading (before its chunks are deleted). */
  void expiredUnfinished(FileOp op) {
    String held = store.heldCount(op.id) + "/" + op.manifest.chunkCount() + " chunks";
    if (op.writes) {
      failed(op, "expired with " + held);
    } else {
      states.report(op, "expired"); // no target here: nothing failed on this node
      log.info("upload of file {} of operation {} incomplete at expiry ({})", op.manifest.name(), op.id, held);
    }
  }

  /** Whether {@code op}'s write of {@code name} is done or stale here (ops/written). */
  boolean writtenOrSuperseded(String name, FileOpId op, long issuedAtMillis) {
    return written.writtenOrSuperseded(name, op, issuedAtMillis);
  }
}
