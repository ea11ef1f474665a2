package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreTest {
  static final FileOpId OP = new FileOpId(1, 2);
  @TempDir Path dir;

  @Test
  void storesReadsAndCountsChunks() throws Exception {
    ChunkStore store = new ChunkStore(dir.resolve("chunks"), 1 << 20);
    byte[] data = new byte[5000];
    new Random(1).nextBytes(data);
    assertTrue(store.put(OP, 3, data, data.length));
    assertTrue(store.has(OP, 3));
    assertFalse(store.has(OP, 2));
    assertFalse(store.has(OP, FileFrames.LIST));
    assertEquals(1, store.heldCount(OP));
    assertEquals(5000, store.bytesHeld());
    byte[] piece = new byte[100];
    store.read(OP, 3, 4900, piece, 100);
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 4900, 5000), piece);
    assertTrue(store.put(OP, 3, data, data.length), "a chunk held is accepted again");
    assertEquals(5000, store.bytesHeld(), "and not counted twice");
    assertTrue(store.put(OP, FileFrames.LIST, data, 64));
    assertTrue(store.has(OP, FileFrames.LIST));
    assertEquals(1, store.heldCount(OP), "the list is no chunk");
  }

  @Test
  void refusesChunksBeyondItsBoundAndWritesNothing() throws Exception {
    ChunkStore store = new ChunkStore(dir.resolve("chunks"), 10_000);
    assertTrue(store.put(OP, 0, new byte[6000], 6000));
    assertFalse(store.put(OP, 1, new byte[6000], 6000));
    assertEquals(1, store.refusedFull());
    assertEquals(6000, store.bytesHeld());
    assertFalse(store.has(OP, 1));
    assertFalse(Files.exists(store.chunkPath(OP, 1)));
    assertTrue(store.has(OP, 0), "what was stored is untouched");
  }

  @Test
  void reservedRoomIsTakenOnlyByItsOwnChunksAndGivenBackOnReleaseOrRemove() throws Exception {
    ChunkStore store = new ChunkStore(dir.resolve("chunks"), 10_000);
    FileOpId other = new FileOpId(9, 9);
    assertTrue(store.reserve(OP, 8000));
    assertFalse(store.reserve(other, 3000), "8,000 of 10,000 are promised");
    assertFalse(store.put(other, 0, new byte[3000], 3000), "an unreserved chunk may not take reserved room");
    assertTrue(store.put(other, 0, new byte[2000], 2000));
    assertTrue(store.put(OP, 0, new byte[6000], 6000), "taken from its reservation");
    assertEquals(2000, store.bytesReserved());
    assertEquals(8000, store.bytesHeld());
    assertTrue(store.put(OP, 1, new byte[2000], 2000));
    assertEquals(0, store.bytesReserved());
    assertEquals(10_000, store.bytesHeld());
    store.remove(other);
    assertTrue(store.reserve(other, 2000));
    store.release(other);
    assertEquals(0, store.bytesReserved());
    assertTrue(store.reserve(other, 2000));
    store.remove(other);
    assertEquals(0, store.bytesReserved(), "remove gives the reservation back too");
  }

  @Test
  void removeDeletesAndReleasesAndAStartWipesLeftovers() throws Exception {
    ChunkStore store = new ChunkStore(dir.resolve("chunks"), 1 << 20);
    store.put(OP, 0, new byte[100], 100);
    store.put(new FileOpId(9, 9), 0, new byte[50], 50);
    store.remove(OP);
    assertEquals(50, store.bytesHeld());
    assertFalse(store.has(OP, 0));
    assertFalse(Files.exists(dir.resolve("chunks").resolve(OP.hex())));
    ChunkStore again = new ChunkStore(dir.resolve("chunks"), 1 << 20);
    assertEquals(0, again.bytesHeld());
    try (var files = Files.list(dir.resolve("chunks"))) {
      assertEquals(0, files.count(), "a restarted node fetches again");
    }
  }

  @Test
  void assemblesByteIdenticalAtomicallyAndVerifiesTheWholeFile() throws Exception {
    int chunk = FileManifest.MIN_CHUNK_SIZE;
    byte[] file = new byte[chunk * 3 + 17];
    new Random(7).nextBytes(file);
    Path source = dir.resolve("source.bin");
    Files.write(source, file);
    FileChunking.Described d = FileChunking.describe(source, "out.bin", chunk, "");
    ChunkStore store = new ChunkStore(dir.resolve("chunks"), 1 << 20);
    for (int i = 0; i < d.manifest().chunkCount(); i++) {
      int len = d.manifest().chunkLength(i);
      store.put(OP, i, java.util.Arrays.copyOfRange(file, i * chunk, i * chunk + len), len);
    }
    Path files = dir.resolve("files");
    Path out = FileAssembly.assemble(store, OP, d.manifest(), files);
    assertEquals(files.resolve("out.bin"), out);
    assertArrayEquals(file, Files.readAllBytes(out));
    try (var listing = Files.list(files)) {
      assertEquals(1, listing.count(), "no temporary file left");
    }
  }

  @Test
  void aMismatchLeavesTheOldFileAndNoTemporary() throws Exception {
    int chunk = FileManifest.MIN_CHUNK_SIZE;
    byte[] file = new byte[chunk + 1];
    Path source = dir.resolve("source.bin");
    Files.write(source, file);
    FileChunking.Described d = FileChunking.describe(source, "app.conf", chunk, "");
    ChunkStore store = new ChunkStore(dir.resolve("chunks"), 1 << 20);
    store.put(OP, 0, new byte[chunk], chunk);
    byte[] wrong = {1};
    store.put(OP, 1, wrong, 1);
    Path files = Files.createDirectories(dir.resolve("files"));
    Files.writeString(files.resolve("app.conf"), "old");
    assertThrows(FileAssembly.HashMismatchException.class,
        () -> FileAssembly.assemble(store, OP, d.manifest(), files));
    assertEquals("old", Files.readString(files.resolve("app.conf")));
    try (var listing = Files.list(files)) {
      assertEquals(1, listing.count());
    }
  }

  @Test
  void aPartLeftByACrashIsDeletedAtStartAndNeverSitsInTheFilesDirectory() throws Exception {
    Path files = Files.createDirectories(dir.resolve("files"));
    Path assembly = Files.createDirectories(dir.resolve("assembly"));
    Files.write(assembly.resolve("big.bin." + OP.shortHex() + ".part"), new byte[100]);
    Files.writeString(files.resolve(".a.12345678.part"), "a pushed file that only looks like a part");
    assertEquals(1, FileAssembly.deleteLeftovers(files));
    try (var left = Files.list(assembly)) {
      assertEquals(0, left.count());
    }
    assertTrue(Files.exists(files.resolve(".a.12345678.part")), "files in ops/files are never touched");
    assertEquals(0, FileAssembly.deleteLeftovers(dir.resolve("elsewhere").resolve("files")));
  }

  @Test
  void chunkingHashesEveryChunkAndTheList() throws Exception {
    int chunk = FileManifest.MIN_CHUNK_SIZE;
    byte[] file = new byte[chunk * 2];
    new Random(3).nextBytes(file);
    Path source = dir.resolve("s");
    Files.write(source, file);
    FileChunking.Described d = FileChunking.describe(source, "s", chunk, "echo");
    assertEquals(2, d.manifest().chunkCount());
    assertArrayEquals(FileChunking.sha256(file, chunk, chunk), java.util.Arrays.copyOfRange(d.chunkHashes(), 32, 64));
    assertArrayEquals(FileChunking.sha256(d.chunkHashes(), 0, 64), d.manifest().listHash());
    assertArrayEquals(FileChunking.sha256(file, 0, file.length), d.manifest().fileHash());
  }
}
