package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.runtime.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing of verified operations by kind, and the then-script after a file is written. */
class FileOperationsTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final OperatorKey key = OperatorKeys.generate("alice");
  final List<SignedOperation> scripts = new ArrayList<>();
  final List<String> thens = new ArrayList<>();

  FilePush push() {
    return new FilePush(dir, FileTransferConfig.defaults(), (to, frame) -> { }, clock, clock,
        new SplittableRandom(1), List::of, a -> false, scripts::add,
        (op, script, file) -> thens.add(op.idHex8() + " " + script + " " + file.getFileName()));
  }

  SignedOperation fileOp(byte[] body) {
    return SignedOperation.builder(new SplittableRandom(2), clock.currentTimeMillis()).file(body).sign(key);
  }

  @Test
  void scriptsGoToTheRunnerFilesToTheTransferAndTheThenScriptRunsOnceTheFileIsWritten() throws Exception {
    FilePush push = push();
    push.start();
    SignedOperation script = SignedOperation.builder(new SplittableRandom(3), clock.currentTimeMillis())
        .script("echo hi").sign(key);
    push.runner().run(script);
    assertEquals(List.of(script), scripts);

    Path source = Files.write(dir.resolve("src"), new byte[5000]);
    FileChunking.Described d = FileChunking.describe(source, "conf.txt", FileManifest.MIN_CHUNK_SIZE, "cat conf.txt");
    SignedOperation op = fileOp(d.manifest().encode());
    push.runner().run(op);
    clock.advance(0);
    assertEquals(1, scripts.size(), "a file operation is not a script");
    FileOpId id = FileOpId.of(op.id());
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(new UploadIntake.PieceKey(id, FileFrames.LIST, 0).encode(),
        d.chunkHashes()));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(new UploadIntake.PieceKey(id, 0, 0).encode(),
        java.util.Arrays.copyOf(new byte[0], 4096)));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(new UploadIntake.PieceKey(id, 1, 0).encode(),
        new byte[5000 - 4096]));
    clock.advance(50);
    assertEquals(List.of(op.idHex8() + " cat conf.txt conf.txt"), thens);
    assertTrue(Files.exists(dir.resolve("ops").resolve("files").resolve("conf.txt")));
  }

  @Test
  void aFileOperationSubmittedToANodeItDoesNotTargetIsServedThereButNeitherWrittenNorScripted()
      throws Exception {
    FilePush push = push();
    push.start();
    Path source = Files.write(dir.resolve("src"), new byte[5000]);
    FileChunking.Described d = FileChunking.describe(source, "conf.txt", FileManifest.MIN_CHUNK_SIZE, "cat conf.txt");
    SignedOperation op = fileOp(d.manifest().encode());
    push.runner().originOnly(op);
    push.runner().originOnly(SignedOperation.builder(new SplittableRandom(3), clock.currentTimeMillis())
        .script("echo hi").sign(key));
    clock.advance(0);
    FileOpId id = FileOpId.of(op.id());
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(new UploadIntake.PieceKey(id, FileFrames.LIST, 0).encode(),
        d.chunkHashes()));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(new UploadIntake.PieceKey(id, 0, 0).encode(), new byte[4096]));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(new UploadIntake.PieceKey(id, 1, 0).encode(),
        new byte[5000 - 4096]));
    clock.advance(50);
    assertEquals("serving " + id.shortHex(), push.transfer().state("conf.txt"));
    Path chunks = dir.resolve("ops").resolve("chunks").resolve(id.hex());
    assertTrue(Files.isRegularFile(chunks.resolve("0")) && Files.isRegularFile(chunks.resolve("1")), "kept to serve");
    assertFalse(Files.exists(dir.resolve("ops").resolve("files").resolve("conf.txt")));
    assertTrue(thens.isEmpty(), "no then-script where the file is not written");
    assertTrue(scripts.isEmpty(), "a script for other nodes does not run here");
  }

  @Test
  void aFileOperationWithoutAValidManifestIsRefusedAndCounted() {
    FilePush push = push();
    push.runner().run(fileOp(new byte[] {1, 2, 3}));
    clock.advance(50);
    assertEquals(1, push.invalidManifests());
    assertTrue(scripts.isEmpty());
    assertTrue(push.transfer().fileStates().isEmpty(), "nothing fetched");
  }

  @Test
  void afterARestartAHeldFileOperationWhoseFileIsMissingIsFetchedAgainAndAWrittenOneIsLeftAlone()
      throws Exception {
    Path source = Files.write(dir.resolve("src"), new byte[5000]);
    SignedOperation missing = fileOp(FileChunking.describe(source, "missing.bin", FileManifest.MIN_CHUNK_SIZE, "")
        .manifest().encode());
    SignedOperation written = SignedOperation.builder(new SplittableRandom(4), clock.currentTimeMillis())
        .file(FileChunking.describe(source, "written.bin", FileManifest.MIN_CHUNK_SIZE, "cat written.bin")
            .manifest().encode()).sign(key);
    SignedOperation otherNodes = SignedOperation.builder(new SplittableRandom(5), clock.currentTimeMillis())
        .file(FileChunking.describe(source, "theirs.bin", FileManifest.MIN_CHUNK_SIZE, "").manifest().encode())
        .sign(key);
    SignedOperation script = SignedOperation.builder(new SplittableRandom(6), clock.currentTimeMillis())
        .script("echo once").sign(key);
    Files.createDirectories(dir.resolve("ops").resolve("files"));
    Files.write(dir.resolve("ops").resolve("files").resolve("written.bin"), new byte[5000]);

    FilePush push = push();
    push.start();
    int resumed = push.resume(List.of(missing, written, otherNodes, script), op -> op != otherNodes);
    clock.advance(0);

    assertEquals(1, resumed, "only the targeted file operation whose file is missing");
    assertTrue(push.transfer().state("missing.bin").startsWith("waiting")
        || push.transfer().state("missing.bin").startsWith("fetching"), push.transfer().state("missing.bin"));
    assertEquals(null, push.transfer().state("written.bin"), "a written file is not fetched again");
    assertEquals(null, push.transfer().state("theirs.bin"), "not targeted here");
    assertTrue(scripts.isEmpty(), "a script that ran before the restart does not run again");
    assertTrue(thens.isEmpty(), "no then-script runs for a file written before the restart");
  }
}
