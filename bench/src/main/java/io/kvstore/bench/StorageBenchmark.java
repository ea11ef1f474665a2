package io.kvstore.bench;

import io.kvstore.node.storage.MemoryStorageEngine;
import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.WalMode;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.storage.StorageEngine.WriteResult;
import io.kvstore.node.storage.StorageLimits;
import io.kvstore.node.storage.VersionedRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Put and get latency of the storage engines with 100-byte values over 10,000 and 100,000
 * SHA-256-derived keys, in the node's 64 MB heap. Puts cycle through the keys with rising
 * timestamps, so after the first pass each put overwrites a live value; gets read keys loaded
 * beforehand (RocksDB's are compacted into tables first, so reads go through the block cache, not
 * the memtable). {@code rocksdb-sync} fsyncs every put.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar StorageBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx64m")
public class StorageBenchmark {

  /** An engine over a set of keys, for puts. */
  @State(Scope.Benchmark)
  public static class PutState {
    @Param({"memory", "rocksdb", "rocksdb-sync"})
    public String engine;

    @Param({"10000", "100000"})
    public int keys;

    Engine store;
    private long timestamp;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
      store = new Engine(engine, keys);
    }

    @TearDown(Level.Trial)
    public void close() {
      store.close();
    }
  }

  /** An engine loaded with every key, for gets. */
  @State(Scope.Benchmark)
  public static class GetState {
    @Param({"memory", "rocksdb"})
    public String engine;

    @Param({"10000", "100000"})
    public int keys;

    Engine store;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
      store = new Engine(engine, keys);
      store.load();
    }

    @TearDown(Level.Trial)
    public void close() {
      store.close();
    }
  }

  @Benchmark
  public WriteResult put(PutState state) {
    byte[] key = state.store.keys[state.next];
    state.next = (state.next + 1) % state.keys;
    return state.store.engine.put(key, state.store.value, ++state.timestamp);
  }

  @Benchmark
  public VersionedRecord get(GetState state) {
    byte[] key = state.store.keys[state.next];
    state.next = (state.next + 1) % state.keys;
    return state.store.engine.get(key);
  }

  /** An engine of the named kind in a temporary directory, with its keys and a value. */
  static final class Engine {
    final StorageEngine engine;
    final byte[][] keys;
    final byte[] value = new byte[DiskFootprint.VALUE_BYTES];
    private final Path dir;

    Engine(String kind, int keyCount) throws IOException {
      MessageDigest sha256 = DiskFootprint.sha256();
      keys = new byte[keyCount][];
      for (int i = 0; i < keyCount; i++) {
        keys[i] = DiskFootprint.key(sha256, i);
      }
      new SplittableRandom(keyCount).nextBytes(value);
      dir = Files.createTempDirectory("kvstore-bench");
      engine =
          switch (kind) {
            case "memory" -> new MemoryStorageEngine(StorageLimits.UNLIMITED);
            case "rocksdb" -> RocksDbStorageEngine.open(dir, StorageLimits.UNLIMITED, WalMode.EVERY_WRITE);
            case "rocksdb-sync" -> RocksDbStorageEngine.open(dir, StorageLimits.UNLIMITED, WalMode.FSYNC_EVERY_WRITE);
            default ->
                throw new IllegalArgumentException(
                    "unknown engine '" + kind + "': use memory, rocksdb or rocksdb-sync");
          };
    }

    /** Stores every key, then compacts RocksDB so that reads come from tables. */
    void load() {
      for (byte[] key : keys) {
        engine.put(key, value, 1);
      }
      if (engine instanceof RocksDbStorageEngine rocksDb) {
        rocksDb.compact();
      }
    }

    void close() {
      engine.close();
      DiskFootprint.deleteRecursively(dir);
    }
  }
}
