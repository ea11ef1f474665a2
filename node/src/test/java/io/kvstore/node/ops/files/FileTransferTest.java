package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File transfer between a few nodes on a manual clock and a lossy in-memory network. */
class FileTransferTest {
  static final int CHUNK = FileManifest.MIN_CHUNK_SIZE * 4; // 16 KiB: two pieces per chunk
  static final FileOpId OP = new FileOpId(7, 7);

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
    byte[] content = Files.readAllBytes(dir.resolve("source"));
    uploadChunk(d.chunkHashes(), FileFrames.LIST);
    for (int i = 0; i < d.manifest().chunkCount(); i++) {
      int len = d.manifest().chunkLength(i);
      uploadChunk(Arrays.copyOfRange(content, i * CHUNK, i * CHUNK + len), i);
    }
  }

  void uploadChunk(byte[] data, int index) {
    for (int off = 0; off < Math.max(1, data.length); off += FileFrames.MAX_PIECE) {
      byte[] piece = Arrays.copyOfRange(data, off, Math.min(data.length, off + FileFrames.MAX_PIECE));
      assertEquals(UploadIntake.Result.ACCEPTED,
          nodes.get(0).intake.onPiece(new UploadIntake.PieceKey(OP, index, off), piece));
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

  @Test
  void aFileSpreadsFromTheOriginToEveryNodeUnderLoss() throws Exception {
    FileChunking.Described d = cluster(40 * CHUNK + 123, 6);
    loss = 0.1;
    for (Node n : nodes) {
      n.transfer.offer(OP, d.manifest(), expires());
    }
    clock.advance(100); // the operation spread before the upload started: peers find nothing yet
    upload(d);
    runUntilAllHaveIt(60_000);
    assertTrue(allHaveIt(), () -> nodes.stream().map(n -> n.ready.toString()).toList().toString());
    assertByteIdentical();
    long served = nodes.get(0).transfer.counters().bytesServed.sum();
    assertTrue(served <= 2L * d.manifest().size(),
        "origin served " + served + " bytes of a " + d.manifest().size() + "-byte file to 5 peers");
    long fetched = nodes.stream().mapToLong(n -> n.transfer.counters().bytesFetched.sum()).sum();
    assertTrue(fetched >= 5L * d.manifest().size(), "every peer fetched the whole file: " + fetched);
    assertEquals("done " + OP.shortHex(), nodes.get(3).transfer.state("payload.bin"));
    assertEquals("done " + OP.shortHex(), nodes.get(3).transfer.fileStates().get("payload.bin"));
    assertTrue(nodes.get(2).transfer.counters().piecesResent.sum() > 0, "loss made resends");
  }

  @Test
  void anOriginThatIsNoTargetServesTheUploadToEveryTargetAndWritesNothing() throws Exception {
    // Node 0 takes the upload but is not targeted; 1-5 are the targets; 6 is a member the
    // operation does not target either (it holds nothing and answers NOT_HAVE).
    FileChunking.Described d = cluster(40 * CHUNK + 123, 7);
    loss = 0.1;
    Node origin = nodes.get(0);
    List<Node> targets = nodes.subList(1, 6);
    origin.transfer.serveOnly(OP, d.manifest(), expires());
    for (Node n : targets) {
      n.transfer.offer(OP, d.manifest(), expires());
    }
    clock.advance(100);
    upload(d);
    clock.advance(1); // the intake's completion notice
    assertTrue(origin.transfer.state("payload.bin").startsWith("serving"), origin.transfer.state("payload.bin"));
    for (long t = 0; t < 60_000 && !targets.stream().allMatch(n -> n.ready.contains("payload.bin")); t += 10) {
      clock.advance(10);
    }
    byte[] content = Files.readAllBytes(dir.resolve("source"));
    for (Node n : targets) {
      assertEquals(List.of("payload.bin"), n.ready, "node " + n.index);
      assertArrayEquals(content, Files.readAllBytes(n.files.resolve("payload.bin")), "node " + n.index);
    }
    assertTrue(origin.ready.isEmpty(), "the origin writes nothing and runs no then-script: " + origin.ready);
    assertFalse(Files.exists(origin.files.resolve("payload.bin")));
    assertEquals("serving " + OP.shortHex(), origin.transfer.state("payload.bin"));
    assertEquals(0, origin.transfer.counters().filesAssembled.sum());
    assertEquals(0, origin.transfer.counters().bytesFetched.sum(), "an origin never fetches");
    assertEquals(0, nodes.get(6).transfer.counters().bytesServed.sum(), "no target depends on a bystander");
    long size = d.manifest().size();
    long fromOrigin = origin.transfer.counters().bytesServed.sum();
    long betweenTargets = targets.stream().mapToLong(n -> n.transfer.counters().bytesServed.sum()).sum();
    assertTrue(fromOrigin <= 2 * size, "origin served " + fromOrigin + " bytes of a " + size + "-byte file");
    assertTrue(betweenTargets >= 2 * size,
        "targets served each other " + betweenTargets + " bytes of " + 5 * size + " they needed");
  }

  @Test
  void aServeOnlyOperationWhoseUploadNeverCompletesExpiresWithoutFailingAnything() throws Exception {
    FileChunking.Described d = cluster(2 * CHUNK, 1);
    Node origin = nodes.get(0);
    origin.transfer.serveOnly(OP, d.manifest(), clock.currentTimeMillis() + 1_000);
    uploadChunk(d.chunkHashes(), FileFrames.LIST);
    uploadChunk(Arrays.copyOfRange(Files.readAllBytes(dir.resolve("source")), 0, CHUNK), 0);
    clock.advance(10);
    assertEquals("uploading 1/2 " + OP.shortHex(), origin.transfer.state("payload.bin"));
    clock.advance(2_000);
    assertEquals("expired " + OP.shortHex(), origin.transfer.state("payload.bin"));
    assertTrue(origin.ready.isEmpty(), origin.ready.toString());
    assertEquals(0, origin.transfer.counters().filesFailed.sum());
    assertFalse(Files.exists(dir.resolve("node0").resolve("chunks").resolve(OP.hex())));
  }

  @Test
  void aTamperedChunkIsRefusedAndFetchedAgainFromAnotherPeer() throws Exception {
    FileChunking.Described d = cluster(12 * CHUNK, 4);
    // Node 1 flips a byte in every piece it serves.
    tamper = (from, frame) -> {
      if (from == 1 && (frame[InternalFrame.TYPE_OFFSET] & 0xFF) == FileFrames.CHUNK_PIECE
          && frame.length > 100) {
        byte[] bad = frame.clone();
        bad[bad.length - 1] ^= 1;
        return bad;
      }
      return frame;
    };
    for (Node n : nodes) {
      n.transfer.offer(OP, d.manifest(), expires());
    }
    upload(d);
    runUntilAllHaveIt(60_000);
    long rejected = nodes.stream().mapToLong(n -> n.transfer.counters().chunksRejected.sum()).sum();
    assertTrue(rejected > 0, "someone fetched from the tampering node");
    assertTrue(allHaveIt());
    assertByteIdentical();
  }

  @Test
  void aNodeThatComesLaterFetchesFromPeersNotTheOrigin() throws Exception {
    FileChunking.Described d = cluster(20 * CHUNK, 5);
    Node late = nodes.get(4);
    for (Node n : nodes.subList(0, 4)) {
      n.transfer.offer(OP, d.manifest(), expires());
    }
    upload(d);
    for (long t = 0; t < 60_000 && !nodes.subList(0, 4).stream().allMatch(n -> n.ready.contains("payload.bin")); t += 10) {
      clock.advance(10);
    }
    long originBefore = nodes.get(0).transfer.counters().bytesServed.sum();
    late.transfer.offer(OP, d.manifest(), expires()); // caught up by dissemination
    runUntilAllHaveIt(60_000);
    assertTrue(allHaveIt());
    assertByteIdentical();
    long origin = nodes.get(0).transfer.counters().bytesServed.sum() - originBefore;
    assertTrue(origin < d.manifest().size() / 2, "the origin served the late node " + origin + " bytes");
  }

  @Test
  void nonMembersAreNeverAnsweredAndUnknownOperationsGetNotHave() throws Exception {
    cluster(CHUNK, 2);
    List<byte[]> sent = new ArrayList<>();
    Node n = nodes.get(0);
    tamper = (from, frame) -> {
      sent.add(frame);
      return frame;
    };
    InetSocketAddress stranger = new InetSocketAddress("127.0.0.9", 9);
    n.transfer.onWant(stranger, FileFrames.want(new byte[16], OP, 0, 0, 100, false));
    assertEquals(0, sent.size());
    assertEquals(1, n.transfer.counters().framesFromNonMembers.sum());
    n.transfer.onWant(nodes.get(1).address, FileFrames.want(new byte[16], OP, 0, 0, 100, false));
    assertEquals(1, sent.size());
    assertEquals(FileFrames.NOT_HAVE, FileFrames.decodePiece(sent.get(0)).status());
    n.transfer.onPiece(stranger, FileFrames.piece(new byte[16], OP, 0, 0, FileFrames.DATA, 0, new byte[5], 5));
    assertEquals(2, n.transfer.counters().framesFromNonMembers.sum());
    n.transfer.onWant(nodes.get(1).address, new byte[20]);
    assertEquals(1, n.transfer.counters().framesMalformed.sum());
  }

  @Test
  void uploadsAreRefusedForUnknownOperationsBadPiecesAndTamperedChunks() throws Exception {
    FileChunking.Described d = cluster(3 * CHUNK, 1);
    Node n = nodes.get(0);
    byte[] piece = new byte[FileFrames.MAX_PIECE];
    assertEquals(UploadIntake.Result.UNKNOWN_OPERATION,
        n.intake.onPiece(new UploadIntake.PieceKey(OP, 0, 0), piece));
    n.transfer.offer(OP, d.manifest(), expires());
    assertEquals(UploadIntake.Result.BAD_PIECE, n.intake.onPiece(new UploadIntake.PieceKey(OP, 0, 0), piece),
        "a chunk before the list");
    assertEquals(UploadIntake.Result.BAD_PIECE,
        n.intake.onPiece(new UploadIntake.PieceKey(OP, FileFrames.LIST, 1), new byte[95]), "misaligned");
    assertEquals(UploadIntake.Result.BAD_PIECE,
        n.intake.onPiece(new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), new byte[95]), "wrong length");
    assertEquals(UploadIntake.Result.BAD_PIECE,
        n.intake.onPiece(new UploadIntake.PieceKey(OP, 3, 0), piece), "beyond the last chunk");
    byte[] forgedList = d.chunkHashes().clone();
    forgedList[0] ^= 1;
    assertEquals(UploadIntake.Result.CHUNK_REJECTED,
        n.intake.onPiece(new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), forgedList));
    uploadChunk(d.chunkHashes(), FileFrames.LIST);
    byte[] content = Files.readAllBytes(dir.resolve("source"));
    byte[] bad = Arrays.copyOfRange(content, 0, CHUNK);
    bad[5] ^= 1;
    n.intake.onPiece(new UploadIntake.PieceKey(OP, 0, 0), Arrays.copyOfRange(bad, 0, FileFrames.MAX_PIECE));
    assertEquals(UploadIntake.Result.CHUNK_REJECTED, n.intake.onPiece(new UploadIntake.PieceKey(OP, 0,
        FileFrames.MAX_PIECE), Arrays.copyOfRange(bad, FileFrames.MAX_PIECE, CHUNK)));
    assertEquals(1 + 1, n.transfer.counters().chunksRejected.sum());
    upload(d); // the good chunks still go in
    clock.advance(100);
    assertEquals(List.of("payload.bin"), n.ready);
    assertArrayEquals(content, Files.readAllBytes(n.files.resolve("payload.bin")));
  }

  @Test
  void chunksAreDeletedWhenTheOperationExpiresAndTheFileStays() throws Exception {
    FileChunking.Described d = cluster(2 * CHUNK, 2);
    for (Node n : nodes) {
      n.transfer.offer(OP, d.manifest(), clock.currentTimeMillis() + 10_000);
    }
    upload(d);
    runUntilAllHaveIt(9_000);
    assertTrue(allHaveIt());
    Path chunks = dir.resolve("node1").resolve("chunks").resolve(OP.hex());
    assertTrue(Files.exists(chunks));
    clock.advance(11_000);
    assertFalse(Files.exists(chunks));
    assertTrue(Files.exists(nodes.get(1).files.resolve("payload.bin")));
    assertNull(nodes.get(1).transfer.op(OP));
  }

  @Test
  void anOperationThatExpiresBeforeItsChunksArriveFailsAndWritesNothing() throws Exception {
    FileChunking.Described d = cluster(2 * CHUNK, 2);
    nodes.get(1).transfer.offer(OP, d.manifest(), clock.currentTimeMillis() + 1_000);
    clock.advance(2_000); // nobody uploads
    assertTrue(nodes.get(1).ready.get(0).startsWith("failed expired"), nodes.get(1).ready.toString());
    assertFalse(Files.exists(nodes.get(1).files.resolve("payload.bin")));
    assertTrue(nodes.get(1).transfer.state("payload.bin").startsWith("failed"));
  }

  @Test
  void aFileLargerThanTheWholeChunkStoreIsRefusedAtOnceAndNothingOfItIsStored() throws Exception {
    cluster(CHUNK, 2);
    // A signed manifest may announce up to 16 GiB; this node's store holds 64 MiB.
    int chunkSize = FileManifest.CHUNK_SIZE;
    long size = 100L * chunkSize;
    FileManifest huge = new FileManifest("huge.bin", size, new byte[32], chunkSize, 100, new byte[32], "");
    nodes.get(1).transfer.offer(OP, huge, expires());
    assertTrue(nodes.get(1).ready.size() == 1 && nodes.get(1).ready.get(0).startsWith("failed")
        && nodes.get(1).ready.get(0).contains("exceed the chunk store"), nodes.get(1).ready.toString());
    assertTrue(nodes.get(1).transfer.state("huge.bin").startsWith("failed"));
    assertNull(nodes.get(1).transfer.op(OP));
    assertEquals(UploadIntake.Result.UNKNOWN_OPERATION,
        nodes.get(1).intake.onPiece(new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), new byte[FileFrames.MAX_PIECE]));
    clock.advance(5_000);
    assertEquals(0, nodes.get(1).transfer.storeBytes());
    assertEquals(1, nodes.get(1).transfer.counters().refusedTooLarge.sum());
  }

  @Test
  void aForgedUploadPieceDoesNotStopATargetFromFetching() throws Exception {
    FileChunking.Described d = cluster(2 * CHUNK, 2);
    for (Node n : nodes) {
      n.transfer.offer(OP, d.manifest(), expires());
    }
    // Anyone who knows the operation id may send OPS_CHUNK to node 1: a list of bytes nobody signed.
    assertEquals(UploadIntake.Result.CHUNK_REJECTED, nodes.get(1).intake.onPiece(
        new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), new byte[d.manifest().listLength()]));
    upload(d);
    runUntilAllHaveIt(30_000);
    assertTrue(allHaveIt(), () -> nodes.stream().map(n -> n.ready.toString()).toList().toString());
    assertByteIdentical();
  }

  /** The CLI's upload of {@code content} as operation {@code op} to node 0. */
  void upload(FileOpId op, byte[] content, FileChunking.Described d) {
    List<byte[]> chunks = new ArrayList<>();
    chunks.add(d.chunkHashes());
    for (int i = 0; i < d.manifest().chunkCount(); i++) {
      chunks.add(Arrays.copyOfRange(content, i * CHUNK, i * CHUNK + d.manifest().chunkLength(i)));
    }
    for (int c = 0; c < chunks.size(); c++) {
      byte[] data = chunks.get(c);
      for (int off = 0; off < data.length; off += FileFrames.MAX_PIECE) {
        assertEquals(UploadIntake.Result.ACCEPTED, nodes.get(0).intake.onPiece(new UploadIntake.PieceKey(op, c - 1, off),
            Arrays.copyOfRange(data, off, Math.min(data.length, off + FileFrames.MAX_PIECE))));
      }
    }
  }

  @Test
  void twoPushesThatTogetherExceedAStoreEachFitsBothArriveOneAfterTheOther() throws Exception {
    storeBytes = index -> index == 0 ? 64L << 20 : 720L << 10; // node 1: room for 1.1 files, not 2
    cluster(CHUNK, 2);
    loss = 0.2; // a fetch that waits for a resend lets the other download take the slot: they interleave
    FileOpId first = new FileOpId(1, 1);
    FileOpId second = new FileOpId(2, 2);
    byte[] a = new byte[40 * CHUNK];
    byte[] b = new byte[40 * CHUNK];
    new Random(1).nextBytes(a);
    new Random(2).nextBytes(b);
    FileChunking.Described da = FileChunking.describe(Files.write(dir.resolve("a"), a), "a.bin", CHUNK, "");
    FileChunking.Described db = FileChunking.describe(Files.write(dir.resolve("b"), b), "b.bin", CHUNK, "");
    long firstExpires = clock.currentTimeMillis() + 20_000;
    for (Node n : nodes) {
      n.transfer.offer(first, da.manifest(), firstExpires);
      n.transfer.offer(second, db.manifest(), clock.currentTimeMillis() + 120_000);
    }
    upload(first, a, da);
    upload(second, b, db);
    Node target = nodes.get(1);
    for (long t = 0; t < 15_000 && !target.ready.contains("a.bin"); t += 10) {
      clock.advance(10);
    }
    // Before reservations both fetched in turn, filled the store half and half, and neither finished.
    assertEquals(List.of("a.bin"), target.ready, "the first has room to finish; the second waits");
    assertTrue(target.transfer.state("b.bin").startsWith("waiting for room in the chunk store"),
        target.transfer.state("b.bin"));
    assertEquals(1, target.transfer.counters().waitedForStoreRoom.sum());
    assertTrue(target.transfer.storeBytes() <= 720L << 10);
    while (clock.currentTimeMillis() < firstExpires + 30_000 && !target.ready.contains("b.bin")) {
      clock.advance(10); // the first's chunks go at its expiry: room for the second
    }
    assertEquals(List.of("a.bin", "b.bin"), target.ready);
    assertArrayEquals(a, Files.readAllBytes(target.files.resolve("a.bin")));
    assertArrayEquals(b, Files.readAllBytes(target.files.resolve("b.bin")));
  }
}
