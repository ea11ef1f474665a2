package io.kvstore.node.ops.files;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.RateLimitedLog;
import io.kvstore.node.runtime.Scheduler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * {@code chunksInFlight} chunks at once over all operations; it serves what it holds to other
 * members ({@link ChunkServer}); when every chunk is held it assembles the file into ops/files and
 * tells the {@link Listener} (which runs the then-script). At the origin the chunks come by upload
 * ({@link UploadIntake}) instead; an origin the operation does not target ({@link #serveOnly})
 * keeps and serves them but writes nothing. Chunks are deleted when the operation expires.
 * Everything but {@link #op} and {@link #stats} runs on the scheduler's thread.
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
  private final WrittenFiles written;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Predicate<InetSocketAddress> isMember;
  private final Listener listener;
  private final FileTransferStats stats;
  private final ChunkServer server;
  private final Network network;
  private final RandomGenerator random;
  private final Supplier<List<InetSocketAddress>> peers;
  private final RateLimitedLog refusals;
  /** Every file operation held, until it expires (read by upload intake on other threads). */
  private final Map<FileOpId, FileOp> ops = new ConcurrentHashMap<>();
  private final Map<FileOpId, Download> downloads = new LinkedHashMap<>();
  private final ArrayDeque<FileOp> waiting = new ArrayDeque<>();
  /** State of the latest files, by name: {@code ops.files.NAME} in status reports. */
  private final FileStates states;
  private int chunksInFlight;
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
    this.written = new WrittenFiles(filesDir);
    this.network = network;
    this.scheduler = scheduler;
    this.clock = clock;
    this.random = random;
    this.peers = peers;
    this.isMember = isMember;
    this.listener = listener;
    this.stats = stats;
    this.server = new ChunkServer(ops::get, store, network, clock, isMember, stats, config.serveBytesPerSecond());
    this.refusals = new RateLimitedLog(log::warn, 10_000, clock);
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
    java.util.concurrent.atomic.LongAdder refused = stats.refusedTooLarge;
    if (why == null) {
      // fetching would fill the disk, or push it below min-free-disk where the node refuses PUT
      why = room.noDiskFor(op, inProgress());
      refused = stats.refusedNoDisk;
    }
    if (why != null) {
      refused.increment();
      refuseOnReceipt(op, why); // not held: no upload of it is stored either
      return;
    }
    if (manifest.chunkCount() == 0) {
      if (!MessageDigest.isEqual(manifest.listHash(), FileChunking.sha256(new byte[0], 0, 0))) {
        fail(op, "the manifest's list hash is not that of an empty list");
        ops.put(id, op);
        return;
      }
      op.chunkHashes(new byte[0]);
    }
    ops.put(id, op);
    waiting.add(op);
    report(op, "waiting");
    promote();
  }

  /** Chunks arrived by upload (origin): see whether the file is complete. */
  public void uploaded(FileOpId id) {
    Download d = downloads.get(id);
    if (d != null && d.complete()) {
      finish(d);
    }
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
    Download d = downloads.get(piece.op());
    if (d == null) {
      stats.piecesUnsolicited.increment();
      return;
    }
    try {
      if (d.onPiece(from, piece, clock.nanoTime()) == Download.Outcome.SLOT_FREED) {
        chunksInFlight--;
        if (d.complete()) {
          finish(d);
        }
        fill();
      }
    } catch (IOException e) {
      chunksInFlight = countInFlight();
      log.warn("cannot store a chunk of {}: {}", piece.op(), e.toString());
    }
  }

  private void tick() {
    long nowMillis = clock.currentTimeMillis();
    long now = clock.nanoTime();
    expire(nowMillis);
    for (Download d : List.copyOf(downloads.values())) {
      d.onTick(now);
      if (d.complete()) {
        finish(d);
      }
    }
    chunksInFlight = countInFlight();
    fill();
    timer = scheduler.schedule(config.tickMillis(), this::tick);
  }

  /** Starts fetches while slots are free, taking operations in turn. */
  private void fill() {
    long now = clock.nanoTime();
    boolean started = true;
    while (chunksInFlight < config.chunksInFlight() && started) {
      started = false;
      for (Download d : downloads.values()) {
        if (chunksInFlight >= config.chunksInFlight()) {
          break;
        }
        if (!d.op.origin() && d.startNext(now)) {
          chunksInFlight++;
          started = true;
        }
      }
    }
  }

  private int countInFlight() {
    int n = 0;
    for (Download d : downloads.values()) {
      n += d.activeFetches();
    }
    return n;
  }

  /**
   * Starts waiting operations in order while transfer slots are free and the chunk store can
   * reserve what each still needs: a started download always has room to finish, so two can never
   * stall each other in a full store. The first that does not fit waits (the rest behind it, so a
   * large file is not passed by a stream of small ones) until an expiry frees room.
   */
  private void promote() {
    while (downloads.size() < config.maxTransfers() && !waiting.isEmpty()) {
      FileOp op = waiting.peek();
      long needs = room.chunkBytesToCome(op);
      if (!store.reserve(op.id, needs)) {
        if (!op.waitingForRoom) {
          op.waitingForRoom = true;
          stats.waitedForStoreRoom.increment();
          report(op, "waiting for room in the chunk store");
          log.info("file {} of operation {} waits: the chunk store ({} of {} bytes held or reserved) has no room"
              + " for its {} bytes until earlier operations expire", op.manifest.name(), op.id,
              store.bytesHeld() + store.bytesReserved(), store.maxBytes(), needs);
        }
        return;
      }
      waiting.poll();
      Download d = new Download(op, config, store, network, random, peers, stats);
      downloads.put(op.id, d);
      report(op, op.writes ? "fetching" : "uploading");
      if (d.complete()) {
        finish(d);
      }
    }
  }

  private void finish(Download d) {
    FileOp op = d.op;
    downloads.remove(op.id);
    store.release(op.id);
    chunksInFlight = countInFlight();
    if (!op.writes) {
      op.chunkHashes(null); // every chunk is verified and held; the list is served from disk
      report(op, "serving");
      log.info("file {} of operation {} uploaded here; serving its chunks (this node is no target)",
          op.manifest.name(), op.id);
      promote();
      return;
    }
    FileOpId newer = written.newerWriter(op);
    if (newer != null) { // two pushes of one name met here, the older finished last: no roll-back
      op.chunkHashes(null);
      stats.filesSuperseded.increment();
      report(op, "superseded by " + newer.shortHex());
      log.info("file {} of operation {} not written: {}, issued later, wrote it", op.manifest.name(), op.id, newer);
      listener.onFileFailed(op.id, op.manifest, "superseded by " + newer);
      promote();
      return;
    }
    try {
      Path file = written.write(store, op);
      op.chunkHashes(null); // verified chunks are held; the list is served from disk
      stats.filesAssembled.increment();
      report(op, "done");
      log.info("file {} of operation {} written ({} bytes)", op.manifest.name(), op.id, op.manifest.size());
      listener.onFileReady(op.id, op.manifest, file);
    } catch (IOException | RuntimeException e) {
      fail(op, e.getMessage() == null ? e.toString() : e.getMessage());
    }
    promote();
  }

  private void fail(FileOp op, String reason) {
    stats.filesFailed.increment();
    report(op, "failed: " + reason);
    log.warn("file {} of operation {} not written: {}", op.manifest.name(), op.id, reason);
    listener.onFileFailed(op.id, op.manifest, reason);
  }

  /**
   * Refused on receipt, before any fetch: a target reports it as failed and tells the listener (the
   * node's results); a serve-only origin only reports it.
   */
  private void refuseOnReceipt(FileOp op, String reason) {
    if (!op.writes) {
      report(op, "refused: " + reason);
      log.warn("upload of file {} of operation {} refused: {}", op.manifest.name(), op.id, reason);
      return;
    }
    stats.filesFailed.increment();
    report(op, "failed: " + reason);
    log.warn("file {} of operation {} refused: {}", op.manifest.name(), op.id, reason);
    listener.onFileRefused(op.id, op.manifest, reason);
  }

  /** Operations waiting or downloading: what they will still write counts against the disk. */
  private List<FileOp> inProgress() {
    List<FileOp> all = new java.util.ArrayList<>(waiting);
    for (Download d : downloads.values()) {
      all.add(d.op);
    }
    return all;
  }

  private void expire(long nowMillis) {
    for (Iterator<FileOp> it = ops.values().iterator(); it.hasNext(); ) {
      FileOp op = it.next();
      if (nowMillis < op.expiresAtMillis) {
        continue;
      }
      it.remove();
      boolean unfinished = waiting.remove(op);
      Download d = downloads.remove(op.id);
      String held = store.heldCount(op.id) + "/" + op.manifest.chunkCount() + " chunks";
      if ((d != null || unfinished) && op.writes) {
        fail(op, "expired with " + held);
      } else if (d != null || unfinished) {
        report(op, "expired"); // no target here: nothing failed on this node
        log.info("upload of file {} of operation {} incomplete at expiry ({})", op.manifest.name(), op.id, held);
      }
      store.remove(op.id);
      server.forget(op.id);
    }
    promote();
  }

  private void report(FileOp op, String state) {
    states.report(op, state);
  }

  /** Whether {@code op}'s write of {@code name} is done or stale here (ops/written). */
  public boolean writtenOrSuperseded(String name, FileOpId op, long issuedAtMillis) {
    return written.writtenOrSuperseded(name, op, issuedAtMillis);
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
