package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What an operation's expiry does to its upload, its chunks and a download that never finished.
 */
class FileTransferExpiryTest extends FileTransferHarness {
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
}
