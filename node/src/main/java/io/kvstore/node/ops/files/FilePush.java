package io.kvstore.node.ops.files;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.run.OperationRunner;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.protocol.InternalFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * File push on one node, assembled: the chunk store under DATA_DIR/ops/chunks, the transfer (files
 * written to DATA_DIR/ops/files), the upload intake and the routing of operations by kind. The
 * transfer runs on {@code thread} (its own in a real node, so that disk writes never delay
 * membership; the simulation thread in the simulator): {@link #onFrame} must be called there.
 */
public final class FilePush {
  /** Frames waiting for the transfer's thread, in bytes at most (beyond: dropped, counted). */
  public static final long MAX_QUEUED_BYTES = 4L << 20;

  private final Scheduler thread;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final LongAdder framesDropped = new LongAdder();
  private final FileTransfer transfer;
  private final UploadIntake intake;
  private final FileOperations operations;

  /**
   * @param livePeers live members but this node (a fetch shuffles them and asks a few)
   * @param isMember whether an address is a live member: nobody else is answered
   * @param scripts where SCRIPT operations go (the script runner)
   * @param thenScript runs a file's then-script once the file is written
   * @param refusal records a file operation refused on receipt among the node's results
   * @param disk the data disk's free space and the floor a push must leave
   */
  public FilePush(Path dataDir, FileTransferConfig config, Network network, Scheduler thread, Clock clock,
      RandomGenerator random, Supplier<List<InetSocketAddress>> livePeers,
      Predicate<InetSocketAddress> isMember, OperationRunner scripts, FileOperations.ThenScript thenScript,
      FileOperations.Refusal refusal, DiskRoom disk) {
    this.thread = thread;
    Path ops = dataDir.resolve("ops");
    Path filesDir = ops.resolve("files");
    try {
      FileAssembly.deleteLeftovers(filesDir); // a crash mid-assembly leaves a part file
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot clear " + ops.resolve("assembly"), e);
    }
    ChunkStore store = new ChunkStore(ops.resolve("chunks"), config.maxStoreBytes());
    operations = new FileOperations(scripts, thenScript, refusal, thread, clock);
    transfer = new FileTransfer(config, store, disk, ops.resolve("files"), network, thread, clock, random,
        livePeers, isMember, operations, new FileTransferStats());
    operations.transfer(transfer);
    intake = new UploadIntake(transfer, store, clock, op -> thread.execute(() -> transfer.uploaded(op)));
  }

  /** Starts the transfer's timer (on its thread). */
  public void start() {
    transfer.start();
  }

  public void close() {
    transfer.close();
  }

  /**
   * After a restart: the FILE operations this node had accepted (its replay memory keeps them
   * until they expire) and that target it are fetched again unless {@code ops/written/NAME} says
   * this operation, or a push of the same name issued later, wrote the file — a node that crashed
   * mid-transfer lost its chunks, and the replay memory would refuse the operation if it came by
   * again. The file's presence or size proves nothing (an older push of an equally long file). A
   * recorded write is left alone, so its then-script never runs twice; a crash between the
   * file's rename and its record fetches and writes the same bytes again and runs the then-script
   * (it had not started). Returns how many were resumed.
   */
  public int resume(List<SignedOperation> held, Predicate<SignedOperation> targetedHere) {
    int resumed = 0;
    for (SignedOperation op : held) {
      if (op.kind() != SignedOperation.Kind.FILE || !targetedHere.test(op)) {
        continue;
      }
      FileManifest manifest;
      try {
        manifest = FileManifest.decode(op.body());
      } catch (FileManifest.InvalidManifestException e) {
        continue; // refused when it first came; counted then
      }
      if (transfer.writtenOrSuperseded(manifest.name(), FileOpId.of(op.id()), op.issuedAtMillis())) {
        continue;
      }
      operations.run(op);
      resumed++;
    }
    return resumed;
  }

  /** Verified operations of every kind go here: files are fetched, scripts run. */
  public OperationRunner runner() {
    return operations;
  }

  /**
   * A CHUNK_WANT or CHUNK_PIECE frame (authenticated) from any thread: handed to the transfer's
   * thread unless {@link #MAX_QUEUED_BYTES} already wait there (a flood cannot fill the heap).
   */
  public void receive(InetSocketAddress from, byte[] frame) {
    if (queuedBytes.addAndGet(frame.length) > MAX_QUEUED_BYTES) {
      queuedBytes.addAndGet(-frame.length);
      framesDropped.increment();
      return;
    }
    thread.execute(() -> {
      queuedBytes.addAndGet(-frame.length);
      onFrame(from, frame);
    });
  }

  /** Frames dropped because too many bytes waited for the transfer's thread. */
  public long framesDropped() {
    return framesDropped.sum();
  }

  /** A CHUNK_WANT or CHUNK_PIECE frame (authenticated), on the transfer's thread. */
  public void onFrame(InetSocketAddress from, byte[] frame) {
    if ((frame[InternalFrame.TYPE_OFFSET] & 0xFF) == FileFrames.CHUNK_WANT) {
      transfer.onWant(from, frame);
    } else {
      transfer.onPiece(from, frame);
    }
  }

  /** OPS_CHUNK: one uploaded piece from {@code source} (any thread). */
  public UploadIntake.Result upload(InetAddress source, byte[] key, byte[] piece) {
    return intake.onPiece(source, UploadIntake.PieceKey.decode(key), piece);
  }

  public FileTransfer transfer() {
    return transfer;
  }

  /** FILE operations refused here because their body is no valid manifest. */
  public long invalidManifests() {
    return operations.invalidManifests.sum();
  }
}
