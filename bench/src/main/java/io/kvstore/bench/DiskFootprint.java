package io.kvstore.bench;

import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.WalMode;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.time.HybridLogicalClock;
import io.kvstore.node.runtime.SystemClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * How much disk and memory the RocksDB engine needs: loads N keys (default 1,000,000) of
 * SHA-256-derived 32-byte keys and random, incompressible 100-byte values into a fresh engine in a
 * temporary directory, compacts, and prints disk bytes against the raw key-plus-value bytes.
 *
 * <p>Run with the node's heap: {@code java -Xmx64m -cp bench/target/benchmarks.jar
 * io.kvstore.bench.DiskFootprint [N]}.
 */
public final class DiskFootprint {
  static final int KEY_BYTES = 32;
  static final int VALUE_BYTES = 100;
  private static final long SEED = 411;

  private DiskFootprint() {}

  public static void main(String[] args) throws IOException {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("kvstore-footprint");
    long started = System.nanoTime();
    try (RocksDbStorageEngine engine =
        RocksDbStorageEngine.open(dir, StorageLimits.UNLIMITED, WalMode.EVERY_WRITE)) {
      load(engine, keys, started);
      long compactionStarted = System.nanoTime();
      engine.compact();
      double compactionSeconds = secondsSince(compactionStarted);

      long rawBytes = (long) keys * (KEY_BYTES + VALUE_BYTES);
      long diskBytes = engine.diskBytes();
      System.out.printf("keys               %,d%n", engine.keyCount());
      System.out.printf(
          "raw bytes          %,d (%d-byte key + %d-byte value each; engine counts %,d live)%n",
          rawBytes, KEY_BYTES, VALUE_BYTES, engine.liveBytes());
      System.out.printf("disk bytes         %,d (after compaction)%n", diskBytes);
      System.out.printf("ratio              %.3f x raw%n", (double) diskBytes / rawBytes);
      System.out.printf("disk bytes per key %.1f%n", (double) diskBytes / keys);
      System.out.printf("RSS                %s%n", residentSetSize());
      System.out.printf(
          "elapsed            %.1f s (compaction %.1f s)%n",
          secondsSince(started), compactionSeconds);
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void load(RocksDbStorageEngine engine, int keys, long started) {
    HybridLogicalClock clock = new HybridLogicalClock(SystemClock.INSTANCE);
    SplittableRandom random = new SplittableRandom(SEED);
    MessageDigest sha256 = sha256();
    byte[] value = new byte[VALUE_BYTES];
    int tenth = Math.max(1, keys / 10);
    for (int i = 0; i < keys; i++) {
      random.nextBytes(value);
      engine.put(key(sha256, i), value, clock.now());
      if ((i + 1) % tenth == 0) {
        System.out.printf(
            "%3d%% loaded (%,d keys, %.1f s)%n",
            100L * (i + 1) / keys, i + 1, secondsSince(started));
      }
    }
  }

  /** Key number {@code index}: the SHA-256 of its 8 big-endian bytes, as clients derive keys. */
  static byte[] key(MessageDigest sha256, long index) {
    return sha256.digest(ByteBuffer.allocate(Long.BYTES).putLong(index).array());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir + "; remove it by hand", e);
    }
  }

  /** VmRSS from /proc/self/status (Linux), or a note saying it is unavailable. */
  private static String residentSetSize() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
      return lines
          .filter(line -> line.startsWith("VmRSS:"))
          .map(line -> line.substring("VmRSS:".length()).trim())
          .findFirst()
          .orElse("unknown (no VmRSS line in /proc/self/status)");
    } catch (IOException e) {
      return "unknown (/proc/self/status unreadable: " + e.getMessage() + ")";
    }
  }

  private static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
