package io.kvstore.node.storage;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves RocksDB's write-ahead log out of the process: to the operating system ({@link #flushNow},
 * for {@link WalMode#BUFFERED}: what survives {@code kill -9}) and to the disk ({@link #syncNow},
 * group commit and a timer in the background, which bounds what a power failure can lose). Each
 * is skipped when every write so far is known to be flushed, or synced, already.
 *
 * <p>Why sequence numbers suffice: RocksDB appends a write's WAL record before it publishes the
 * write's sequence number, and a reader sees only published writes. So once a flush that began
 * after sequence {@code s} was published has returned, every write up to {@code s}, including every
 * write any reader could have seen then, is in the OS.
 *
 * <p>The flush at the end of a batch that wrote nothing (a GET batch) should cost nothing, so
 * before it asks RocksDB it compares two counters the writers keep: writes begun (counted before
 * RocksDB sees them) and writes ended. If the writes begun equal the writes that had ended when the
 * last flush began, every write ever begun, including any whose value a reader saw, was in the
 * buffer that flush wrote out.
 */
final class WalDurability {
  private static final Logger log = LoggerFactory.getLogger(WalDurability.class);

  private final RocksDB db;
  private final Path dir;
  private final Lock shared;
  private final BooleanSupplier closed;
  /** The highest RocksDB sequence number known to be handed to the OS (0: nothing yet). */
  private final AtomicLong flushedSequence = new AtomicLong();
  /** The highest RocksDB sequence number known to be fsynced in the WAL (0: nothing yet). */
  private final AtomicLong syncedSequence = new AtomicLong();
  private final ScheduledExecutorService timer;
  private final AtomicLong writesBegun = new AtomicLong();
  private final AtomicLong writesEnded = new AtomicLong();
  /** Writes ended before the start of the last flush that returned: all of them are in the OS. */
  private final AtomicLong writesFlushed = new AtomicLong();

  /**
   * @param shared the engine's shared lock over its native handles, held by every background sync
   * @param closed whether the engine has closed (read under {@code shared})
   */
  WalDurability(RocksDB db, Path dir, long syncIntervalMillis, Lock shared, BooleanSupplier closed) {
    this.db = db;
    this.dir = dir;
    this.shared = shared;
    this.closed = closed;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "rocksdb-wal-sync " + dir.getFileName());
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleWithFixedDelay(
        this::syncInBackground, syncIntervalMillis, syncIntervalMillis, TimeUnit.MILLISECONDS);
  }

  /** A writer calls this before it hands a write to RocksDB ... */
  void beginWrite() {
    writesBegun.incrementAndGet();
  }

  /** ... and this once RocksDB returned, whether the write succeeded or failed. */
  void endWrite() {
    writesEnded.incrementAndGet();
  }

  /** Writes begun so far (tests). */
  long writesBegun() {
    return writesBegun.get();
  }

  /** Whether every write begun so far is known to be in the OS: no lock, no call into RocksDB. */
  boolean nothingToFlush() {
    return writesBegun.get() == writesFlushed.get();
  }

  /** Hands the buffered WAL to the OS, unless already done; the caller holds the shared lock. */
  void flushNow() {
    long ended = writesEnded.get(); // before the flush: these are in the buffer it writes out
    flushSequence();
    writesFlushed.accumulateAndGet(ended, Math::max);
  }

  private void flushSequence() {
    long latest = db.getLatestSequenceNumber(); // before flushing: see the class comment
    if (flushedSequence.get() >= latest) {
      return;
    }
    try {
      db.flushWal(false);
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "WAL write", e);
    }
    flushedSequence.accumulateAndGet(latest, Math::max);
  }

  /** Fsyncs the WAL now (flushing it first), unless already synced; the caller holds the shared lock. */
  void syncNow() {
    long ended = writesEnded.get();
    long latest = db.getLatestSequenceNumber();
    if (syncedSequence.get() >= latest) {
      return;
    }
    try {
      db.flushWal(true);
    } catch (RocksDBException e) {
      throw RocksDbFailures.failure(dir, "WAL sync", e);
    }
    syncedSequence.accumulateAndGet(latest, Math::max);
    flushedSequence.accumulateAndGet(latest, Math::max);
    writesFlushed.accumulateAndGet(ended, Math::max);
  }

  /** Stops the background task (the engine calls it while closing, before freeing handles). */
  void stop() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("The WAL sync task of {} did not stop within 10 s", dir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void syncInBackground() {
    // Skip a round rather than wait while wipeout or close hold the lock (close stops this task).
    if (!shared.tryLock()) {
      return;
    }
    try {
      if (!closed.getAsBoolean()) {
        syncNow();
      }
    } catch (RuntimeException e) {
      // Rethrowing would cancel the schedule; the next round, or a sync on demand, tries again.
      log.warn("Periodic WAL sync of {} failed: {}", dir, e.getMessage());
    } finally {
      shared.unlock();
    }
  }
}
