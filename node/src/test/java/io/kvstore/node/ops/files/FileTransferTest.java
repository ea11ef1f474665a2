package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.protocol.InternalFrame;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A file spreading from its upload to every target: under loss, from an origin that is no target,
 * past a tampering peer, to a node that comes later, and two pushes sharing a small store.
 */
class FileTransferTest extends FileTransferHarness {
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
