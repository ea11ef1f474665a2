package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.node.runtime.ManualClock;
import io.kvstore.node.runtime.Network;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few file-transfer nodes on a manual clock and a lossy in-memory network, and the CLI's upload
 * to node 0: the fixture of the FileTransfer*Test classes.
 */
abstract class FileTransferHarness {
  static final int CHUNK = FileManifest.MIN_CHUNK_SIZE * 4; // 16 KiB: two pieces per chunk
  static final FileOpId OP = new FileOpId(7, 7);
  /** The address the CLI uploads from. */
  static final java.net.InetAddress CLI = java.net.InetAddress.getLoopbackAddress();

  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final Random faults = new Random(11);
  final List<Node> nodes = new ArrayList<>();
  double loss;
  /** Rewrites what a node sends (tampering); identity by default. */
  BiFunction<Integer, byte[], byte[]> tamper = (from, frame) -> frame;
  /** Bytes of each node's chunk store, by node index. */
  java.util.function.IntToLongFunction storeBytes = index -> 64L << 20;

  final class Node {
    final int index;
    final InetSocketAddress address;
    final FileTransfer transfer;
    final UploadIntake intake;
    final Path files;
    final List<String> ready = new ArrayList<>();

    Node(int index) throws Exception {
      this.index = index;
      this.address = new InetSocketAddress("127.0.0.1", 5000 + index);
      Path home = dir.resolve("node" + index);
      this.files = home.resolve("files");
      ChunkStore store = new ChunkStore(home.resolve("chunks"), storeBytes.applyAsLong(index));
      Network network = (to, frame) -> deliver(index, to, tamper.apply(index, frame));
      transfer = new FileTransfer(FileTransferConfig.defaults(), store, DiskRoom.unlimited(), files, network, clock, clock,
          new SplittableRandom(index), this::peers, a -> nodes.stream().anyMatch(n -> n.address.equals(a)),
          new FileTransfer.Listener() {
            @Override
            public void onFileReady(FileOpId op, FileManifest manifest, Path file) {
              ready.add(manifest.name());
            }

            @Override
            public void onFileFailed(FileOpId op, FileManifest manifest, String reason) {
              ready.add("failed " + reason);
            }
          }, new FileTransferStats());
      intake = new UploadIntake(transfer, store, clock, op -> clock.schedule(0, () -> transfer.uploaded(op)));
      transfer.start();
    }

    List<InetSocketAddress> peers() {
      return nodes.stream().filter(n -> n != this).map(n -> n.address).toList();
    }

    void receive(InetSocketAddress from, byte[] frame) {
      int type = frame[InternalFrame.TYPE_OFFSET] & 0xFF;
      if (type == FileFrames.CHUNK_WANT) {
        transfer.onWant(from, frame);
      } else {
        transfer.onPiece(from, frame);
      }
    }
  }

  void deliver(int from, InetSocketAddress to, byte[] frame) {
    if (loss > 0 && faults.nextDouble() < loss) {
      return;
    }
    Node source = nodes.get(from);
    for (Node n : nodes) {
      if (n.address.equals(to)) {
        clock.schedule(1, () -> n.receive(source.address, frame));
      }
    }
  }

  FileChunking.Described cluster(int size, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      nodes.add(new Node(i));
    }
    byte[] content = new byte[size];
    new Random(5).nextBytes(content);
    Files.write(dir.resolve("source"), content);
    return FileChunking.describe(dir.resolve("source"), "payload.bin", CHUNK, "");
  }

  long expires() {
    return clock.currentTimeMillis() + 600_000;
  }

  /** The CLI's upload to node 0: the list, then every chunk, piece by piece. */
  void upload(FileChunking.Described d) throws Exception {
    upload(OP, Files.readAllBytes(dir.resolve("source")), d);
  }

  /** The CLI's upload of {@code content} as operation {@code op} to node 0. */
  void upload(FileOpId op, byte[] content, FileChunking.Described d) {
    uploadChunk(op, d.chunkHashes(), FileFrames.LIST);
    for (int i = 0; i < d.manifest().chunkCount(); i++) {
      int len = d.manifest().chunkLength(i);
      uploadChunk(op, Arrays.copyOfRange(content, i * CHUNK, i * CHUNK + len), i);
    }
  }

  void uploadChunk(byte[] data, int index) {
    uploadChunk(OP, data, index);
  }

  void uploadChunk(FileOpId op, byte[] data, int index) {
    for (int off = 0; off < Math.max(1, data.length); off += FileFrames.MAX_PIECE) {
      byte[] piece = Arrays.copyOfRange(data, off, Math.min(data.length, off + FileFrames.MAX_PIECE));
      assertEquals(UploadIntake.Result.ACCEPTED,
          nodes.get(0).intake.onPiece(CLI, new UploadIntake.PieceKey(op, index, off), piece));
    }
  }

  boolean allHaveIt() {
    return nodes.stream().allMatch(n -> n.ready.contains("payload.bin"));
  }

  void runUntilAllHaveIt(long maxMillis) {
    for (long t = 0; t < maxMillis && !allHaveIt(); t += 10) {
      clock.advance(10);
    }
  }

  void assertByteIdentical() throws Exception {
    byte[] content = Files.readAllBytes(dir.resolve("source"));
    for (Node n : nodes) {
      assertArrayEquals(content, Files.readAllBytes(n.files.resolve("payload.bin")), "node " + n.index);
    }
  }
}
