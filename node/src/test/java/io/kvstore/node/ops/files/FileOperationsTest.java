package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
  static final java.net.InetAddress CLI = java.net.InetAddress.getLoopbackAddress();
  @TempDir Path dir;
  final ManualClock clock = new ManualClock();
  final OperatorKey key = OperatorKeys.generate("alice");
  final List<SignedOperation> scripts = new ArrayList<>();
  final List<String> thens = new ArrayList<>();

  final List<String> refused = new ArrayList<>();

  FilePush push() {
    return push(DiskRoom.unlimited());
  }

  FilePush push(DiskRoom disk) {
    return new FilePush(dir, FileTransferConfig.defaults(), (to, frame) -> { }, clock, clock,
        new SplittableRandom(1), List::of, a -> false, scripts::add,
        (op, script, file) -> thens.add(op.idHex8() + " " + script + " " + file.getFileName()),
        (op, why) -> refused.add(op.idHex8() + " " + why), disk);
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
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(CLI, new UploadIntake.PieceKey(id, FileFrames.LIST, 0).encode(),
        d.chunkHashes()));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(CLI, new UploadIntake.PieceKey(id, 0, 0).encode(),
        java.util.Arrays.copyOf(new byte[0], 4096)));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(CLI, new UploadIntake.PieceKey(id, 1, 0).encode(),
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
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(CLI, new UploadIntake.PieceKey(id, FileFrames.LIST, 0).encode(),
        d.chunkHashes()));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(CLI, new UploadIntake.PieceKey(id, 0, 0).encode(), new byte[4096]));
    assertEquals(UploadIntake.Result.ACCEPTED, push.upload(CLI, new UploadIntake.PieceKey(id, 1, 0).encode(),
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
    new WrittenFiles(dir.resolve("ops").resolve("files"))
        .record("written.bin", FileOpId.of(written.id()), written.issuedAtMillis());

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

  /** Uploads every chunk of {@code op} at this node, as the CLI does at the origin. */
  void uploadAll(FilePush push, SignedOperation op, FileChunking.Described d, byte[] content) {
    FileOpId id = FileOpId.of(op.id());
    assertEquals(UploadIntake.Result.ACCEPTED,
        push.upload(CLI, new UploadIntake.PieceKey(id, FileFrames.LIST, 0).encode(), d.chunkHashes()));
    int chunk = d.manifest().chunkSize();
    for (int i = 0; i < d.manifest().chunkCount(); i++) {
      int length = d.manifest().chunkLength(i);
      for (int at = 0; at < length; at += FileFrames.MAX_PIECE) {
        byte[] piece = java.util.Arrays.copyOfRange(content, i * chunk + at,
            i * chunk + Math.min(length, at + FileFrames.MAX_PIECE));
        assertEquals(UploadIntake.Result.ACCEPTED, push.upload(CLI, new UploadIntake.PieceKey(id, i, at).encode(), piece));
      }
    }
    clock.advance(50);
  }

  /** Writes {@code bytes} to {@code source} in the test's directory and describes it as a push of {@code name}. */
  private FileChunking.Described described(String source, byte[] bytes, String name, String then) throws java.io.IOException {
    return FileChunking.describe(Files.write(dir.resolve(source), bytes), name, FileManifest.MIN_CHUNK_SIZE, then);
  }

  static byte[] content(int size, int seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  SignedOperation fileOp(FileChunking.Described d, int seed, long issuedAt) {
    return SignedOperation.builder(new SplittableRandom(seed), issuedAt).file(d.manifest().encode()).sign(key);
  }

  @Test
  void afterARestartAPushOverAnOlderFileOfTheSameNameAndSizeIsFetchedAgainAndAWrittenOneIsNot()
      throws Exception {
    byte[] v1 = content(5000, 1);
    byte[] v2 = content(5000, 2); // config v1 replaced by an equally long v2
    FileChunking.Described d1 = described("v1", v1, "app.conf", "echo v1");
    FileChunking.Described d2 = described("v2", v2, "app.conf", "echo v2");
    SignedOperation op1 = fileOp(d1, 11, clock.currentTimeMillis());
    SignedOperation op2 = fileOp(d2, 12, clock.currentTimeMillis() + 1_000);
    Path conf = dir.resolve("ops").resolve("files").resolve("app.conf");

    FilePush before = push();
    before.start();
    before.runner().run(op1);
    clock.advance(0);
    uploadAll(before, op1, d1, v1);
    assertArrayEquals(v1, Files.readAllBytes(conf));
    before.runner().run(op2); // held, then the node crashes before v2 is written
    clock.advance(0);
    before.close();
    assertEquals(List.of(op1.idHex8() + " echo v1 app.conf"), thens);

    FilePush after = push(); // restarted: the chunk store is empty, app.conf still holds v1
    after.start();
    assertEquals(1, after.resume(List.of(op1, op2), op -> true),
        "v2 is fetched again (same name and size as v1 proves nothing); v1 is not (it wrote the file)");
    clock.advance(0);
    assertTrue(after.transfer().state("app.conf").endsWith(FileOpId.of(op2.id()).shortHex()),
        after.transfer().state("app.conf"));
    uploadAll(after, op2, d2, v2);
    assertArrayEquals(v2, Files.readAllBytes(conf));
    assertEquals(List.of(op1.idHex8() + " echo v1 app.conf", op2.idHex8() + " echo v2 app.conf"), thens);
    after.close();

    FilePush again = push(); // a second restart: both are written or stale, nothing runs again
    again.start();
    assertEquals(0, again.resume(List.of(op1, op2), op -> true), "v1 must not roll v2 back");
    clock.advance(50);
    assertArrayEquals(v2, Files.readAllBytes(conf));
    assertEquals(2, thens.size());
  }

  @Test
  void anOlderPushThatFinishesAfterANewerOneOfTheSameNameIsNotWrittenAndRunsNoThenScript() throws Exception {
    byte[] v1 = content(5000, 1);
    byte[] v2 = content(6000, 2);
    FileChunking.Described d1 = described("v1", v1, "app.conf", "echo v1");
    FileChunking.Described d2 = described("v2", v2, "app.conf", "echo v2");
    SignedOperation op1 = fileOp(d1, 11, clock.currentTimeMillis());
    SignedOperation op2 = fileOp(d2, 12, clock.currentTimeMillis() + 1_000);
    FilePush push = push();
    push.start();
    push.runner().run(op1);
    push.runner().run(op2);
    clock.advance(0);
    uploadAll(push, op2, d2, v2);
    uploadAll(push, op1, d1, v1);

    assertArrayEquals(v2, Files.readAllBytes(dir.resolve("ops").resolve("files").resolve("app.conf")));
    assertEquals(List.of(op2.idHex8() + " echo v2 app.conf"), thens);
    assertEquals("superseded by " + FileOpId.of(op2.id()).shortHex() + " " + FileOpId.of(op1.id()).shortHex(),
        push.transfer().state("app.conf"));
    assertEquals(1, push.transfer().counters().filesSuperseded.sum());
  }

  @Test
  void aPushThatWouldLeaveTheDiskBelowItsFloorIsRefusedOnReceiptWithItsReasonAndNothingIsFetched()
      throws Exception {
    byte[] v = content(5000, 3);
    FileChunking.Described d = described("v", v, "big.bin", "echo never");
    long needed = 5000 + d.manifest().listLength() + 5000; // chunks and list, then the assembled file
    long floor = 1_000_000;
    long[] free = {floor + needed - 1};
    FilePush push = push(new DiskRoom(() -> free[0], floor));
    push.start();
    SignedOperation tooBig = fileOp(d, 21, clock.currentTimeMillis());
    push.runner().run(tooBig);
    clock.advance(50);

    assertEquals(1, refused.size(), "recorded among the node's results");
    assertTrue(refused.get(0).startsWith(tooBig.idHex8() + " not enough free disk: it needs " + needed + " bytes"),
        refused.get(0));
    assertTrue(refused.get(0).contains("min-free-disk (" + floor + " bytes)"), refused.get(0));
    assertTrue(push.transfer().state("big.bin").startsWith("failed: not enough free disk"),
        push.transfer().state("big.bin"));
    assertEquals(1, push.transfer().counters().refusedNoDisk.sum());
    assertEquals(UploadIntake.Result.UNKNOWN_OPERATION, push.upload(CLI,
        new UploadIntake.PieceKey(FileOpId.of(tooBig.id()), FileFrames.LIST, 0).encode(), d.chunkHashes()),
        "not held: no upload of it is stored");
    assertFalse(Files.exists(dir.resolve("ops").resolve("chunks").resolve(FileOpId.of(tooBig.id()).hex())));

    free[0] = floor + needed; // just enough: taken, written, then-script run
    SignedOperation fits = fileOp(d, 22, clock.currentTimeMillis());
    push.runner().run(fits);
    clock.advance(0);
    uploadAll(push, fits, d, v);
    assertArrayEquals(v, Files.readAllBytes(dir.resolve("ops").resolve("files").resolve("big.bin")));
    assertEquals(List.of(fits.idHex8() + " echo never big.bin"), thens);
    assertEquals(1, refused.size());
  }

  @Test
  void theFreeDiskCheckCountsWhatPushesInProgressWillStillWrite() throws Exception {
    byte[] a = content(5000, 4);
    byte[] b = content(5000, 5);
    FileChunking.Described da = described("a", a, "a.bin", "");
    FileChunking.Described db = described("b", b, "b.bin", "");
    long each = 5000 + da.manifest().listLength() + 5000;
    long floor = 1_000;
    FilePush push = push(new DiskRoom(() -> floor + each + each / 2, floor)); // room for one and a half
    push.start();
    SignedOperation first = fileOp(da, 31, clock.currentTimeMillis());
    SignedOperation second = fileOp(db, 32, clock.currentTimeMillis());
    push.runner().run(first);
    push.runner().run(second);
    clock.advance(50);

    assertTrue(push.transfer().state("a.bin").startsWith("fetching"), push.transfer().state("a.bin"));
    assertTrue(push.transfer().state("b.bin").startsWith("failed: not enough free disk"),
        push.transfer().state("b.bin"));
    assertTrue(refused.get(0).contains("pushes in progress " + each + " more"), refused.get(0));
  }
}
