package io.kvstore.node.ops.files;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which held file operations download now, and how many chunk fetches run: at most
 * {@code maxTransfers} {@link Download}s at once, the others wait in line in arrival order; at
 * most {@code chunksInFlight} chunk fetches over all downloads, started one per download in turn.
 * A download starts only once the chunk store has reserved what it still needs. A download that
 * holds every chunk leaves the schedule and goes to {@code completed}; the next in line starts.
 * Transfer thread only.
 */
final class DownloadSchedule {
  /** File push logs under one name on a node, whichever part of it speaks. */
  private static final Logger log = LoggerFactory.getLogger(FileTransfer.class);

  private final FileTransferConfig config;
  private final ChunkStore store;
  private final TransferRoom room;
  private final FileStates states;
  private final Network network;
  private final Clock clock;
  private final RandomGenerator random;
  private final Supplier<List<InetSocketAddress>> peers;
  private final FileTransferStats stats;
  private final Consumer<FileOp> completed;
  private final ArrayDeque<FileOp> waiting = new ArrayDeque<>();
  private final Map<FileOpId, Download> downloads = new LinkedHashMap<>();
  private int chunksInFlight;

  DownloadSchedule(FileTransferConfig config, ChunkStore store, TransferRoom room, FileStates states,
      Network network, Clock clock, RandomGenerator random, Supplier<List<InetSocketAddress>> peers,
      FileTransferStats stats, Consumer<FileOp> completed) {
    this.config = config;
    this.store = store;
    this.room = room;
    this.states = states;
    this.network = network;
    this.clock = clock;
    this.random = random;
    this.peers = peers;
    this.stats = stats;
    this.completed = completed;
  }

  /** A newly held operation joins the line; it starts at once if a slot and room are free. */
  void enqueue(FileOp op) {
    waiting.add(op);
    states.report(op, "waiting");
    promote();
  }

  /** Chunks arrived by upload (origin): the download may be complete. */
  void uploaded(FileOpId id) {
    Download d = downloads.get(id);
    if (d != null && d.complete()) {
      finish(d);
    }
  }

  /** A piece (or a refusal) from a member, for whichever download asked for it. */
  void onPiece(InetSocketAddress from, FileFrames.Piece piece, long nowNanos) {
    Download d = downloads.get(piece.op());
    if (d == null) {
      stats.piecesUnsolicited.increment();
      return;
    }
    try {
      if (d.onPiece(from, piece, nowNanos) == Download.Outcome.SLOT_FREED) {
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

  /** Resends what timed out, hands over what is complete, then fills the free fetch slots. */
  void onTick(long nowNanos) {
    for (Download d : List.copyOf(downloads.values())) {
      d.onTick(nowNanos);
      if (d.complete()) {
        finish(d);
      }
    }
    chunksInFlight = countInFlight();
    fill();
  }

  /**
   * Takes an expired operation out of the line or stops its download (its chunks and reservation
   * go with the store's {@code remove}); true if it was either, i.e. unfinished here.
   */
  boolean drop(FileOp op) {
    boolean waited = waiting.remove(op);
    boolean downloading = downloads.remove(op.id) != null;
    return waited || downloading;
  }

  /** Operations waiting or downloading: what they will still write counts against the disk. */
  List<FileOp> inProgress() {
    List<FileOp> all = new ArrayList<>(waiting);
    for (Download d : downloads.values()) {
      all.add(d.op);
    }
    return all;
  }

  /**
   * Starts waiting operations in order while transfer slots are free and the chunk store can
   * reserve what each still needs: a started download always has room to finish, so two can never
   * stall each other in a full store. The first that does not fit waits (the rest behind it, so a
   * large file is not passed by a stream of small ones) until an expiry frees room.
   */
  void promote() {
    while (downloads.size() < config.maxTransfers() && !waiting.isEmpty()) {
      FileOp op = waiting.peek();
      long needs = room.chunkBytesToCome(op);
      if (!store.reserve(op.id, needs)) {
        if (!op.waitingForRoom) {
          op.waitingForRoom = true;
          stats.waitedForStoreRoom.increment();
          states.report(op, "waiting for room in the chunk store");
          log.info("file {} of operation {} waits: the chunk store ({} of {} bytes held or reserved) has no room"
              + " for its {} bytes until earlier operations expire", op.manifest.name(), op.id,
              store.bytesHeld() + store.bytesReserved(), store.maxBytes(), needs);
        }
        return;
      }
      waiting.poll();
      Download d = new Download(op, config, store, network, random, peers, stats);
      downloads.put(op.id, d);
      states.report(op, op.writes ? "fetching" : "uploading");
      if (d.complete()) {
        finish(d);
      }
    }
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

  /** Every chunk is held: the reservation goes, the file's end is decided, the next one starts. */
  private void finish(Download d) {
    FileOp op = d.op;
    downloads.remove(op.id);
    store.release(op.id);
    chunksInFlight = countInFlight();
    completed.accept(op);
    promote();
  }
}
