package io.kvstore.node.ops.files;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.RateLimitedLog;
import io.kvstore.node.runtime.Scheduler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File push on one node, sans-IO (time through {@link Clock}, timers through {@link Scheduler},
 * frames through {@link Network}, a seeded random; the disk through {@link ChunkStore} and
 * {@link FileAssembly}). Once the node holds a FILE operation ({@link #offer}), it fetches the
 * chunk-hash list and then the chunks from random members ({@link Download}), at most
 * {@code chunksInFlight} chunks at once over all operations ({@link DownloadSchedule}); it serves
 * what it holds to other members ({@link ChunkServer}); when every chunk is held it assembles the
 * file into ops/files and tells the {@link Listener}, which runs the then-script
 * ({@link FileOutcomes}). At the origin the chunks come by upload ({@link UploadIntake}) instead;
 * an origin the operation does not target ({@link #serveOnly}) keeps and serves them but writes
 * nothing. This class decides which operations are held (refusals on receipt), takes the frames
 * in and lets operations expire, deleting their chunks. Everything but {@link #op} and
 * {@link #stats} runs on the scheduler's thread.
 */
public final class FileTransfer {
  private static final Logger log = LoggerFactory.getLogger(FileTransfer.class);

  /** Hears about finished files. */
  public interface Listener {
    void onFileReady(FileOpId op, FileManifest manifest, Path file);

    void onFileFailed(FileOpId op, FileManifest manifest, String reason);

    /**
     * Refused on receipt, before anything was fetched (larger than the chunk store, not enough
     * free disk): a failure the operator should see beside the node's script results.
     */
    default void onFileRefused(FileOpId op, FileManifest manifest, String reason) {
      onFileFailed(op, manifest, reason);
    }
  }

  private final FileTransferConfig config;
  private final ChunkStore store;
  private final TransferRoom room;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Predicate<InetSocketAddress> isMember;
  private final FileTransferStats stats;
  private final ChunkServer server;
  private final RateLimitedLog refusals;
  /** Every file operation held, until it expires (read by upload intake on other threads). */
  private final Map<FileOpId, FileOp> ops = new ConcurrentHashMap<>();
  /** State of the latest files, by name: {@code ops.files.NAME} in status reports. */
  private final FileStates states;
  private final FileOutcomes outcomes;
  private final DownloadSchedule schedule;
  private Scheduler.Cancellable timer;

  /** @param disk the data disk: a push that would leave it below its floor is refused on receipt */
  public FileTransfer(FileTransferConfig config, ChunkStore store, DiskRoom disk, Path filesDir, Network network,
      Scheduler scheduler, Clock clock, RandomGenerator random,
      Supplier<List<InetSocketAddress>> peers, Predicate<InetSocketAddress> isMember,
      Listener listener, FileTransferStats stats) {
    this.config = config;
    this.store = store;
    this.room = new TransferRoom(store, disk);
    this.states = new FileStates(store);
    this.scheduler = scheduler;
    this.clock = clock;
    this.isMember = isMember;
    this.stats = stats;
    this.server = new ChunkServer(ops::get, store, network, clock, isMember, stats, config.serveBytesPerSecond());
    this.refusals = new RateLimitedLog(log::warn, 10_000, clock);
    this.outcomes = new FileOutcomes(store, new WrittenFiles(filesDir), states, listener, stats);
    this.schedule = new DownloadSchedule(config, store, room, states, network, clock, random, peers, stats,
        outcomes::complete);
  }

  public void start() {
    timer = scheduler.schedule(config.tickMillis(), this::tick);
  }

  public void close() {
    if (timer != null) {
      timer.cancel();
    }
  }

  public FileTransferStats counters() {
    return stats;
  }

  /** The operation, if this node holds it (any thread). */
  FileOp op(FileOpId id) {
    return ops.get(id);
  }

  /**
   * A FILE operation this node holds (verified, stored by dissemination): fetch it, unless it is
   * known already. Refused (counted, logged) when every slot and the waiting line are taken.
   */
  public void offer(FileOpId id, FileManifest manifest, long issuedAtMillis, long expiresAtMillis) {
    hold(id, manifest, issuedAtMillis, expiresAtMillis, true);
  }

  /** {@link #offer} of an operation issued now. */
  public void offer(FileOpId id, FileManifest manifest, long expiresAtMillis) {
    offer(id, manifest, clock.currentTimeMillis(), expiresAtMillis);
  }

  /**
   * A FILE operation a client submitted here that does not target this node: the upload comes
   * here, so its chunks are kept (in the bounded chunk store, until the operation expires) and
   * served to the targets, but the file is not written and no listener is told. It takes a
   * transfer slot until the upload is complete, as a targeted origin does.
   */
  public void serveOnly(FileOpId id, FileManifest manifest, long expiresAtMillis) {
    hold(id, manifest, clock.currentTimeMillis(), expiresAtMillis, false);
  }

  private void hold(FileOpId id, FileManifest manifest, long issuedAtMillis, long expiresAtMillis,
      boolean writes) {
    if (ops.containsKey(id) || clock.currentTimeMillis() >= expiresAtMillis) {
      return;
    }
    if (ops.size() >= config.maxTransfers() + config.maxWaiting()) {
      stats.refusedBusy.increment();
      refusals.warn("file operation refused (busy: every transfer slot and the waiting line taken): ", id);
      return;
    }
    FileOp op = new FileOp(id, manifest, issuedAtMillis, expiresAtMillis, writes);
    String why = room.tooLargeForStore(op);
    LongAdder refused = stats.refusedTooLarge;
    if (why == null) {
      // fetching would fill the disk, or push it below min-free-disk where the node refuses PUT
      why = room.noDiskFor(op, schedule.inProgress());
      refused = stats.refusedNoDisk;
    }
    if (why != null) {
      refused.increment();
      outcomes.refusedOnReceipt(op, why); // not held: no upload of it is stored either
      return;
    }
    if (manifest.chunkCount() == 0) {
      if (!MessageDigest.isEqual(manifest.listHash(), FileChunking.sha256(new byte[0], 0, 0))) {
        outcomes.failed(op, "the manifest's list hash is not that of an empty list");
        ops.put(id, op);
        return;
      }
      op.chunkHashes(new byte[0]);
    }
    ops.put(id, op);
    schedule.enqueue(op);
  }

  /** Chunks arrived by upload (origin): see whether the file is complete. */
  public void uploaded(FileOpId id) {
    schedule.uploaded(id);
  }

  public void onWant(InetSocketAddress from, byte[] frame) {
    server.onWant(from, frame);
  }

  public void onPiece(InetSocketAddress from, byte[] frame) {
    if (!isMember.test(from)) {
      stats.framesFromNonMembers.increment();
      return;
    }
    FileFrames.Piece piece;
    try {
      piece = FileFrames.decodePiece(frame);
    } catch (FileFrames.MalformedFileFrameException e) {
      stats.framesMalformed.increment();
      return;
    }
    schedule.onPiece(from, piece, clock.nanoTime());
  }

  private void tick() {
    long nowMillis = clock.currentTimeMillis();
    long now = clock.nanoTime();
    expire(nowMillis);
    schedule.onTick(now);
    timer = scheduler.schedule(config.tickMillis(), this::tick);
  }

  private void expire(long nowMillis) {
    for (Iterator<FileOp> it = ops.values().iterator(); it.hasNext(); ) {
      FileOp op = it.next();
      if (nowMillis < op.expiresAtMillis) {
        continue;
      }
      it.remove();
      if (schedule.drop(op)) {
        outcomes.expiredUnfinished(op);
      }
      store.remove(op.id);
      server.forget(op.id);
    }
    schedule.promote();
  }

  /** Whether {@code op}'s write of {@code name} is done or stale here (ops/written). */
  public boolean writtenOrSuperseded(String name, FileOpId op, long issuedAtMillis) {
    return outcomes.writtenOrSuperseded(name, op, issuedAtMillis);
  }

  /** Bytes of chunks held on disk now. */
  public long storeBytes() {
    return store.bytesHeld();
  }

  /**
   * The latest files by name and their state with the operation's short id, e.g.
   * {@code fetching 12/100 1a2b3c4d}, {@code done 1a2b3c4d} (any thread).
   */
  public Map<String, String> fileStates() {
    return states.all();
  }

  /**
   * The state of file {@code name} and its operation's short id ("waiting", "fetching k/n",
   * "done", "failed: reason", then the id), or null. At an origin the operation does not target:
   * "uploading k/n", "serving" (every chunk held, no file written), "expired".
   */
  public String state(String name) {
    return states.state(name);
  }
}
