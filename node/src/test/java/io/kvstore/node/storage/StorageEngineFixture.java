package io.kvstore.node.storage;

import static io.kvstore.node.storage.TestData.key;
import static io.kvstore.node.storage.TestData.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvstore.node.storage.StorageEngine.WriteResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every storage-engine contract test needs: engines opened through the subclass's
 * {@link #newEngine} and closed after each test, usage assertions, threads run together.
 */
abstract class StorageEngineFixture {
  static final int KEY_BYTES = 32;

  private final List<StorageEngine> engines = new ArrayList<>();

  /** A new, empty engine. */
  protected abstract StorageEngine newEngine(StorageLimits limits);

  protected final StorageEngine open(StorageLimits limits) {
    StorageEngine engine = newEngine(limits);
    engines.add(engine);
    return engine;
  }

  protected final StorageEngine open() {
    return open(StorageLimits.UNLIMITED);
  }

  @AfterEach
  void closeEngines() {
    engines.forEach(StorageEngine::close);
  }

  protected static void assertUsage(StorageEngine engine, long keys, long bytes) {
    assertThat(engine.keyCount()).as("key count").isEqualTo(keys);
    assertThat(engine.liveBytes()).as("live bytes").isEqualTo(bytes);
  }

  /** A task of one numbered thread. */
  interface ThreadTask<T> {
    T run(int thread) throws Exception;
  }

  static <T> List<T> runConcurrently(int threads, ThreadTask<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<T>> calls = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        calls.add(() -> task.run(thread));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> future : pool.invokeAll(calls)) {
        results.add(future.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
