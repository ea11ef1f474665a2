package io.kvstore.cli.bench;

/** Receives a {@link BenchProgress} about every 500 ms, on the thread that runs the benchmark. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = progress -> {};

  void onProgress(BenchProgress progress);
}
