package io.kvstore.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.node.ops.files.ChunkStore;
import io.kvstore.node.ops.files.DiskRoom;
import io.kvstore.node.ops.files.FileChunking;
import io.kvstore.node.ops.files.FileFrames;
import io.kvstore.node.ops.files.FileManifest;
import io.kvstore.node.ops.files.FileOpId;
import io.kvstore.node.ops.files.FileTransfer;
import io.kvstore.node.ops.files.FileTransferConfig;
import io.kvstore.node.ops.files.FileTransferStats;
import io.kvstore.node.ops.files.UploadIntake;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pushed file spreading through 20 simulated nodes (the real {@link FileTransfer},
 * {@link ChunkStore} and assembly on each, frames over the seeded {@link SimNetwork}): with loss,
 * jitter and duplication; with one node that tampers with every piece it serves (its chunks are
 * refused and fetched again from others); and with a node that is down while the file spreads and
 * fetches it from peers when it is back (dissemination hands it the operation again, modelled by
 * offering it at the restart).
 */
class FileSwarmTest {
  static final int NODES = 20;
  static final int CHUNK = 64 * 1024;
  static final FileOpId OP = new FileOpId(0x0f11e, 1);
  static final int TAMPERER = 7;
  static final int LATE = 13;

  @TempDir Path dir;

  final class FileNode implements SimEndpoint {
    final int index;
    final InetSocketAddress address;
    final SimProcess process;
    final Traffic traffic = new Traffic();
    final Path home;
    FileTransfer transfer;
    UploadIntake intake;
    final List<String> ready = new ArrayList<>();

    FileNode(int index) {
      this.index = index;
      this.address = new InetSocketAddress("10.0.0." + (index + 1), 4000);
      this.process = new SimProcess(sim);
      this.home = dir.resolve("n" + index);
    }

    void start() {
      int generation = process.start(this);
      Scheduler scheduler = process.scheduler(generation);
      Network port = (to, frame) -> {
        if (process.isRunning(generation)) {
          network.send(this, to, index == TAMPERER ? tampered(frame) : frame);
        }
      };
      ChunkStore store = new ChunkStore(home.resolve("chunks"), 1L << 30);
      transfer = new FileTransfer(FileTransferConfig.defaults(), store, DiskRoom.unlimited(), home.resolve("files"), port,
          scheduler, sim.clock(), sim.random(((long) index << 20) | generation), this::peers,
          a -> upNodes().contains(a),
          new FileTransfer.Listener() {
            @Override
            public void onFileReady(FileOpId op, FileManifest manifest, Path file) {
              ready.add(manifest.name());
            }

            @Override
            public void onFileFailed(FileOpId op, FileManifest manifest, String reason) {
              ready.add("failed: " + reason);
            }
          }, new FileTransferStats());
      intake = new UploadIntake(transfer, store, sim.clock(), op -> scheduler.execute(() -> transfer.uploaded(op)));
      transfer.start();
    }

    List<InetSocketAddress> peers() {
      return upNodes().stream().filter(a -> !a.equals(address)).toList();
    }

    @Override
    public boolean isUp() {
      return process.isUp();
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public InetSocketAddress address() {
      return address;
    }

    @Override
    public Traffic traffic() {
      return traffic;
    }

    @Override
    public void receive(InetSocketAddress from, byte[] frame) {
      if ((frame[InternalFrame.TYPE_OFFSET] & 0xFF) == FileFrames.CHUNK_WANT) {
        transfer.onWant(from, frame);
      } else {
        transfer.onPiece(from, frame);
      }
    }
  }

  Simulation sim;
  SimNetwork network;
  final List<FileNode> nodes = new ArrayList<>();

  /** Live members as every node's membership would see them (the test is not about membership). */
  Set<InetSocketAddress> upNodes() {
    Set<InetSocketAddress> up = new HashSet<>();
    for (FileNode n : nodes) {
      if (n.isUp()) {
        up.add(n.address);
      }
    }
    return up;
  }

  static byte[] tampered(byte[] frame) {
    if ((frame[InternalFrame.TYPE_OFFSET] & 0xFF) == FileFrames.CHUNK_PIECE && frame.length > 200) {
      byte[] bad = frame.clone();
      bad[bad.length - 7] ^= 0x40;
      return bad;
    }
    return frame;
  }

  @SeededTest
  void aFileReachesEveryNodeDespiteLossATampererAndANodeThatWasDown(long seed) throws Exception {
    sim = new Simulation(seed);
    network = new SimNetwork(sim);
    network.setLoss(0.05).setDuplication(0.02).setLatency(1, 4);
    for (int i = 0; i < NODES; i++) {
      FileNode n = new FileNode(i);
      nodes.add(n);
      network.register(n);
      n.start();
    }
    byte[] content = new byte[3 * 1024 * 1024 + 4321]; // 49 chunks of 64 KiB
    new SplittableRandom(seed).nextBytes(content);
    Path source = Files.write(dir.resolve("source.bin"), content);
    FileChunking.Described d = FileChunking.describe(source, "release.tar", CHUNK, "");
    long expires = sim.clock().currentTimeMillis() + 600_000;
    FileNode late = nodes.get(LATE);
    late.process.stop(); // down while the file spreads
    for (FileNode n : nodes) {
      if (n.isUp()) {
        n.transfer.offer(OP, d.manifest(), expires);
      }
    }
    upload(nodes.get(0), d, content);
    assertTrue(sim.runUntil(() -> everyUpNodeHas("release.tar"), Duration.ofSeconds(60)),
        () -> "seed " + seed + ": " + states());
    long originBefore = nodes.get(0).transfer.counters().bytesServed.sum();
    late.start();
    late.transfer.offer(OP, d.manifest(), expires);
    assertTrue(sim.runUntil(() -> late.ready.contains("release.tar"), Duration.ofSeconds(60)), states());

    for (FileNode n : nodes) {
      assertArrayEquals(content, Files.readAllBytes(n.home.resolve("files").resolve("release.tar")),
          "node " + n.index);
      assertEquals(List.of("release.tar"), n.ready, "node " + n.index);
    }
    long rejected = nodes.stream().mapToLong(n -> n.transfer.counters().chunksRejected.sum()).sum();
    assertTrue(rejected > 0, "the tamperer's chunks were refused");
    long origin = nodes.get(0).transfer.counters().bytesServed.sum();
    assertTrue(origin <= 2L * content.length,
        "origin served " + origin + " bytes of a " + content.length + "-byte file to 19 peers");
    long originToLate = origin - originBefore;
    assertTrue(originToLate < content.length / 2, "the late node was served by peers: origin gave it " + originToLate);
    long served = nodes.stream().mapToLong(n -> n.transfer.counters().bytesServed.sum()).sum();
    assertTrue(served >= (NODES - 1L) * content.length, "every byte the nodes got was served: " + served);
  }

  boolean everyUpNodeHas(String name) {
    return nodes.stream().filter(FileNode::isUp).allMatch(n -> n.ready.contains(name));
  }

  String states() {
    StringBuilder out = new StringBuilder();
    for (FileNode n : nodes) {
      out.append(n.index).append('=').append(n.isUp() ? n.transfer.state("release.tar") : "down").append(' ');
    }
    return out.toString();
  }

  /** The CLI's upload to the origin, one piece per virtual millisecond. */
  void upload(FileNode origin, FileChunking.Described d, byte[] content) {
    List<Runnable> pieces = new ArrayList<>();
    addPieces(pieces, origin, d.chunkHashes(), FileFrames.LIST);
    for (int i = 0; i < d.manifest().chunkCount(); i++) {
      int len = d.manifest().chunkLength(i);
      addPieces(pieces, origin, Arrays.copyOfRange(content, i * CHUNK, i * CHUNK + len), i);
    }
    for (int i = 0; i < pieces.size(); i++) {
      sim.after(i / 4, pieces.get(i));
    }
  }

  void addPieces(List<Runnable> pieces, FileNode origin, byte[] data, int index) {
    for (int off = 0; off < data.length; off += FileFrames.MAX_PIECE) {
      byte[] piece = Arrays.copyOfRange(data, off, Math.min(data.length, off + FileFrames.MAX_PIECE));
      int offset = off;
      pieces.add(() -> assertEquals(UploadIntake.Result.ACCEPTED,
          origin.intake.onPiece(java.net.InetAddress.getLoopbackAddress(), // the CLI
              new UploadIntake.PieceKey(OP, index, offset), piece)));
    }
  }
}
