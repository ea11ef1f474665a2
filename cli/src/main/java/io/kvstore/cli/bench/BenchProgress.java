package io.kvstore.cli.bench;

import java.time.Duration;

/**
 * A snapshot of a running benchmark, for a progress bar.
 *
 * @param phase what the generator is doing
 * @param elapsed time since the phase began (warm-up and measurement count as one run)
 * @param planned planned length of the run (warm-up plus measurement); zero while preloading
 * @param keysLoaded keys stored so far while preloading
 * @param keysTotal keys to preload
 * @param opsPerSecond replies per second since the previous snapshot
 * @param timeouts requests that timed out so far in this phase
 */
public record BenchProgress(
    Phase phase,
    Duration elapsed,
    Duration planned,
    long keysLoaded,
    long keysTotal,
    double opsPerSecond,
    long timeouts) {

  public enum Phase {
    /** Storing every key once so that GETs hit. */
    PRELOAD,
    /** Loading the server; nothing is recorded yet. */
    WARMUP,
    /** Recording throughput and latency. */
    MEASURE
  }

  /** How far the current phase is, from 0 to 1. */
  public double fraction() {
    double fraction =
        phase == Phase.PRELOAD
            ? (double) keysLoaded / keysTotal
            : (double) elapsed.toNanos() / planned.toNanos();
    return Math.min(1.0, fraction);
  }
}
