package io.kvstore.node.ops.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.node.ops.files.FileManifest.InvalidManifestException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileManifestTest {
  static final byte[] H1 = filled(1);
  static final byte[] H2 = filled(2);

  static byte[] filled(int b) {
    byte[] h = new byte[32];
    Arrays.fill(h, (byte) b);
    return h;
  }

  static FileManifest manifest(String name, long size, String then) {
    return new FileManifest(name, size, H1, FileManifest.CHUNK_SIZE,
        (int) FileManifest.chunksFor(size, FileManifest.CHUNK_SIZE), H2, then);
  }

  @Test
  void roundTripsEveryField() {
    FileManifest m = manifest("app-1.2.jar", 3L * FileManifest.CHUNK_SIZE + 5, "systemctl restart x\n");
    FileManifest back = FileManifest.decode(m.encode());
    assertEquals(m, back);
    assertEquals("app-1.2.jar", back.name());
    assertEquals(4, back.chunkCount());
    assertEquals(5, back.chunkLength(3));
    assertEquals(FileManifest.CHUNK_SIZE, back.chunkLength(0));
    assertArrayEquals(H1, back.fileHash());
    assertArrayEquals(H2, back.listHash());
    assertEquals("systemctl restart x\n", back.thenScript());
    assertEquals(128, back.listLength());
  }

  @Test
  void theLargestManifestFitsTheOperationBody() {
    String name = "n".repeat(128);
    String script = "x".repeat(FileManifest.MAX_THEN_SCRIPT);
    FileManifest m = manifest(name, 1L << 34, script); // 16 GiB: 16,384 chunks
    assertEquals(FileManifest.MAX_BODY, m.encode().length);
    assertEquals(m, FileManifest.decode(m.encode()));
    InvalidManifestException e = assertThrows(InvalidManifestException.class,
        () -> manifest(name, 10, script + "x"));
    assertTrue(e.getMessage().contains("then-script"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "../etc", "a/b", "a..b", "..hidden", "sp ace", "tab\t", "é.txt",
      "a\\b", "/abs", "x\u0000y"})
  void refusesNamesThatAreNotPlainFileNames(String name) {
    InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> manifest(name, 1, ""));
    assertTrue(e.getMessage().startsWith("invalid destination name"), e.getMessage());
  }

  @Test
  void refusesNamesLongerThan128() {
    assertThrows(InvalidManifestException.class, () -> manifest("a".repeat(129), 1, ""));
    assertEquals("a".repeat(128), manifest("a".repeat(128), 1, "").name());
  }

  @Test
  void acceptsNamesOfTheAllowedAlphabet() {
    for (String ok : new String[] {"a", "A-Z_0.9", ".env", "x.tar.gz", "-", "_"}) {
      assertEquals(ok, FileManifest.decode(manifest(ok, 0, "").encode()).name());
    }
  }

  @Test
  void refusesAChunkCountThatDoesNotMatchTheSize() {
    InvalidManifestException e = assertThrows(InvalidManifestException.class,
        () -> new FileManifest("f", FileManifest.CHUNK_SIZE + 1L, H1, FileManifest.CHUNK_SIZE, 1, H2, ""));
    assertTrue(e.getMessage().contains("chunk count"), e.getMessage());
    assertThrows(InvalidManifestException.class,
        () -> new FileManifest("f", 1L << 35, H1, FileManifest.CHUNK_SIZE, 32_768, H2, ""));
    assertThrows(InvalidManifestException.class,
        () -> new FileManifest("f", 10, H1, 100, 1, H2, "")); // chunk size below the minimum
    assertThrows(InvalidManifestException.class,
        () -> new FileManifest("f", -1, H1, FileManifest.CHUNK_SIZE, 0, H2, ""));
    assertThrows(InvalidManifestException.class,
        () -> new FileManifest("f", 1, new byte[31], FileManifest.CHUNK_SIZE, 1, H2, ""));
  }

  @Test
  void decodingRefusesTruncatedTrailingAndForeignBytes() {
    byte[] good = manifest("file.bin", 10, "echo hi").encode();
    for (int cut = 0; cut < good.length; cut++) {
      byte[] shorter = Arrays.copyOf(good, cut);
      assertThrows(InvalidManifestException.class, () -> FileManifest.decode(shorter), "cut at " + cut);
    }
    assertThrows(InvalidManifestException.class, () -> FileManifest.decode(Arrays.copyOf(good, good.length + 1)));
    byte[] version = good.clone();
    version[0] = 2;
    assertTrue(assertThrows(InvalidManifestException.class, () -> FileManifest.decode(version))
        .getMessage().contains("version"));
    byte[] badName = good.clone();
    badName[2] = '/';
    assertThrows(InvalidManifestException.class, () -> FileManifest.decode(badName));
    byte[] badUtf8 = good.clone();
    badUtf8[badUtf8.length - 1] = (byte) 0xFF;
    assertTrue(assertThrows(InvalidManifestException.class, () -> FileManifest.decode(badUtf8))
        .getMessage().contains("UTF-8"));
    assertThrows(InvalidManifestException.class, () -> FileManifest.decode(new byte[FileManifest.MAX_BODY + 1]));
    byte[] count = good.clone();
    ByteBuffer.wrap(count).putInt(2 + 8 + 8 + 32 + 4, 7);
    assertThrows(InvalidManifestException.class, () -> FileManifest.decode(count));
  }

  @Test
  void anEmptyFileHasNoChunks() {
    FileManifest m = manifest("empty", 0, "");
    assertEquals(0, m.chunkCount());
    assertEquals(0, m.listLength());
    assertThrows(IndexOutOfBoundsException.class, () -> m.chunkLength(0));
  }
}
