package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Frames and uploads a node refuses: from non-members, for unknown operations, malformed, forged,
 * tampered or too large for its chunk store; and that nothing of them is stored.
 */
class FileTransferRefusalTest extends FileTransferHarness {
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
        n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, 0, 0), piece));
    n.transfer.offer(OP, d.manifest(), expires());
    assertEquals(UploadIntake.Result.BAD_PIECE, n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, 0, 0), piece),
        "a chunk before the list");
    assertEquals(UploadIntake.Result.BAD_PIECE,
        n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, FileFrames.LIST, 1), new byte[95]), "misaligned");
    assertEquals(UploadIntake.Result.BAD_PIECE,
        n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), new byte[95]), "wrong length");
    assertEquals(UploadIntake.Result.BAD_PIECE,
        n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, 3, 0), piece), "beyond the last chunk");
    byte[] forgedList = d.chunkHashes().clone();
    forgedList[0] ^= 1;
    assertEquals(UploadIntake.Result.CHUNK_REJECTED,
        n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), forgedList));
    uploadChunk(d.chunkHashes(), FileFrames.LIST);
    byte[] content = Files.readAllBytes(dir.resolve("source"));
    byte[] bad = Arrays.copyOfRange(content, 0, CHUNK);
    bad[5] ^= 1;
    n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, 0, 0), Arrays.copyOfRange(bad, 0, FileFrames.MAX_PIECE));
    assertEquals(UploadIntake.Result.CHUNK_REJECTED, n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, 0,
        FileFrames.MAX_PIECE), Arrays.copyOfRange(bad, FileFrames.MAX_PIECE, CHUNK)));
    assertEquals(1 + 1, n.transfer.counters().chunksRejected.sum());
    upload(d); // the good chunks still go in
    clock.advance(100);
    assertEquals(List.of("payload.bin"), n.ready);
    assertArrayEquals(content, Files.readAllBytes(n.files.resolve("payload.bin")));
  }

  @Test
  void aChunkBeingUploadedBelongsToTheAddressThatBeganItAndOneAddressHoldsAtMostTwo() throws Exception {
    FileChunking.Described d = cluster(5 * CHUNK, 1);
    Node n = nodes.get(0);
    n.transfer.offer(OP, d.manifest(), expires());
    uploadChunk(d.chunkHashes(), FileFrames.LIST);
    byte[] content = Files.readAllBytes(dir.resolve("source"));
    java.net.InetAddress other = java.net.InetAddress.getByName("127.0.0.9");
    // The CLI began chunk 0: someone else who learnt the operation id cannot write over its pieces.
    assertEquals(UploadIntake.Result.ACCEPTED, n.intake.onPiece(CLI, new UploadIntake.PieceKey(OP, 0, 0),
        Arrays.copyOfRange(content, 0, FileFrames.MAX_PIECE)));
    assertEquals(UploadIntake.Result.BUSY, n.intake.onPiece(other,
        new UploadIntake.PieceKey(OP, 0, FileFrames.MAX_PIECE), new byte[CHUNK - FileFrames.MAX_PIECE]));
    assertEquals(1, n.transfer.counters().piecesFromAnotherSource.sum());
    // One address opens at most two chunks at a time, so it cannot take all four slots.
    assertEquals(UploadIntake.Result.ACCEPTED, n.intake.onPiece(other, new UploadIntake.PieceKey(OP, 1, 0),
        new byte[FileFrames.MAX_PIECE]));
    assertEquals(UploadIntake.Result.ACCEPTED, n.intake.onPiece(other, new UploadIntake.PieceKey(OP, 2, 0),
        new byte[FileFrames.MAX_PIECE]));
    assertEquals(UploadIntake.Result.BUSY, n.intake.onPiece(other, new UploadIntake.PieceKey(OP, 3, 0),
        new byte[FileFrames.MAX_PIECE]));
    // The CLI finishes its chunk, and its upload of the rest still completes once the other's idle.
    assertEquals(UploadIntake.Result.ACCEPTED, n.intake.onPiece(CLI,
        new UploadIntake.PieceKey(OP, 0, FileFrames.MAX_PIECE), Arrays.copyOfRange(content, FileFrames.MAX_PIECE, CHUNK)));
    clock.advance(UploadIntake.IDLE_MILLIS + 1);
    upload(d);
    clock.advance(100);
    assertEquals(List.of("payload.bin"), n.ready);
    assertArrayEquals(content, Files.readAllBytes(n.files.resolve("payload.bin")));
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
        nodes.get(1).intake.onPiece(CLI, new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), new byte[FileFrames.MAX_PIECE]));
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
    assertEquals(UploadIntake.Result.CHUNK_REJECTED, nodes.get(1).intake.onPiece(CLI,
        new UploadIntake.PieceKey(OP, FileFrames.LIST, 0), new byte[d.manifest().listLength()]));
    upload(d);
    runUntilAllHaveIt(30_000);
    assertTrue(allHaveIt(), () -> nodes.stream().map(n -> n.ready.toString()).toList().toString());
    assertByteIdentical();
  }
}
