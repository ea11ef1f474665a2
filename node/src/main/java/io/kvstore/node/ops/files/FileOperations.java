package io.kvstore.node.ops.files;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.run.OperationRunner;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.RateLimitedLog;
import io.kvstore.node.runtime.Scheduler;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where verified operations go on a node: a FILE operation to the {@link FileTransfer} (on its
 * thread), anything else to the script runner; a FILE operation submitted here for other nodes,
 * to the transfer to serve only. When a pushed file has been written, its optional
 * then-script runs through {@link ThenScript} (the script runner again, as kind {@code file}).
 * A FILE operation whose body is no valid manifest is refused here, counted and logged.
 */
public final class FileOperations implements OperationRunner, FileTransfer.Listener {
  private static final Logger log = LoggerFactory.getLogger(FileOperations.class);

  /** Runs the then-script of a file operation once the file is written. */
  @FunctionalInterface
  public interface ThenScript {
    void run(SignedOperation op, String script, Path file);
  }

  /**
   * Records a file operation refused on receipt (not enough disk, larger than the chunk store)
   * where the node's script results go, so the dashboard shows it beside them.
   */
  @FunctionalInterface
  public interface Refusal {
    void refused(SignedOperation op, String reason);
  }

  private final OperationRunner scripts;
  private final ThenScript thenScript;
  private final Refusal refusal;
  private final Scheduler transferThread;
  private final RateLimitedLog invalid;
  public final LongAdder invalidManifests = new LongAdder();
  private FileTransfer transfer;
  /** File operations fetched now, for their then-scripts; bounded like the transfer's table. */
  private final Map<FileOpId, SignedOperation> pending = new LinkedHashMap<>();

  public FileOperations(OperationRunner scripts, ThenScript thenScript, Refusal refusal, Scheduler transferThread,
      Clock clock) {
    this.scripts = scripts;
    this.thenScript = thenScript;
    this.refusal = refusal;
    this.transferThread = transferThread;
    this.invalid = new RateLimitedLog(log::warn, 10_000, clock);
  }

  /** The transfer this routes to (built with this as its listener). */
  public void transfer(FileTransfer transfer) {
    this.transfer = transfer;
  }

  @Override
  public void run(SignedOperation op) {
    if (op.kind() != SignedOperation.Kind.FILE) {
      scripts.run(op);
      return;
    }
    FileManifest manifest = manifest(op);
    if (manifest == null) {
      return;
    }
    FileOpId id = FileOpId.of(op.id());
    transferThread.execute(() -> {
      synchronized (pending) {
        if (pending.size() < 1024) {
          pending.put(id, op);
        }
      }
      transfer.offer(id, manifest, op.issuedAtMillis(), op.expiresAtMillis());
    });
  }

  /**
   * A FILE operation submitted here that does not target this node: the upload comes here, so the
   * transfer keeps and serves its chunks, but writes no file and runs no then-script. A script
   * that does not target this node: nothing.
   */
  @Override
  public void originOnly(SignedOperation op) {
    if (op.kind() != SignedOperation.Kind.FILE) {
      return;
    }
    FileManifest manifest = manifest(op);
    if (manifest != null) {
      FileOpId id = FileOpId.of(op.id());
      transferThread.execute(() -> transfer.serveOnly(id, manifest, op.expiresAtMillis()));
    }
  }

  private FileManifest manifest(SignedOperation op) {
    try {
      return FileManifest.decode(op.body());
    } catch (FileManifest.InvalidManifestException e) {
      invalidManifests.increment();
      invalid.warn("file operation refused, invalid manifest: ", op.idHex() + ": " + e.getMessage());
      return null;
    }
  }

  @Override
  public void onFileReady(FileOpId id, FileManifest manifest, Path file) {
    SignedOperation op;
    synchronized (pending) {
      op = pending.remove(id);
    }
    if (op != null && manifest.hasThenScript()) {
      thenScript.run(op, manifest.thenScript(), file);
    }
  }

  @Override
  public void onFileRefused(FileOpId id, FileManifest manifest, String reason) {
    SignedOperation op;
    synchronized (pending) {
      op = pending.remove(id);
    }
    if (op != null) {
      refusal.refused(op, reason);
    }
  }

  @Override
  public void onFileFailed(FileOpId id, FileManifest manifest, String reason) {
    synchronized (pending) {
      pending.remove(id);
    }
  }
}
