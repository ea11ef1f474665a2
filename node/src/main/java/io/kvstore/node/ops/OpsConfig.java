package io.kvstore.node.ops;

import io.kvstore.node.ops.keys.TrustedKey;
import io.kvstore.node.ops.run.BashScriptRunner;
import java.util.List;

/**
 * Fleet operations settings ({@code ops:} in the node config, docs/CONFIGURATION.md). No trusted
 * key: operations are disabled and every one is refused.
 *
 * @param trustedKeys operator keys whose signatures this node accepts
 * @param maxTtlMillis longest validity (expires-at − issued-at) accepted
 * @param maxClockSkewMillis how far in this node's future issued-at may be
 * @param maxActive operations held (and ids remembered) at once
 * @param maxConcurrent scripts running at once (runner)
 * @param maxQueued scripts waiting to run (runner)
 * @param maxTimeoutMillis longest script timeout honoured (runner)
 * @param outputTailBytes script output kept on disk (runner)
 * @param fanout members an operation is relayed to on first receipt
 * @param digestIntervalMillis how often a digest goes to one random member
 */
public record OpsConfig(
    List<TrustedKey> trustedKeys,
    long maxTtlMillis,
    long maxClockSkewMillis,
    int maxActive,
    int maxConcurrent,
    int maxQueued,
    long maxTimeoutMillis,
    int outputTailBytes,
    int fanout,
    long digestIntervalMillis) {

  public OpsConfig {
    trustedKeys = List.copyOf(trustedKeys);
    positive("max-ttl-ms", maxTtlMillis, 7L * 24 * 3_600_000);
    if (maxClockSkewMillis < 0 || maxClockSkewMillis > 24L * 3_600_000) {
      throw new IllegalArgumentException("max-clock-skew-ms must be 0..86400000, not " + maxClockSkewMillis);
    }
    positive("max-active", maxActive, 65_536);
    positive("max-concurrent", maxConcurrent, 64);
    if (maxQueued < 0 || maxQueued > 4096) {
      throw new IllegalArgumentException("max-queued must be 0..4096, not " + maxQueued);
    }
    positive("max-timeout-ms", maxTimeoutMillis, 24L * 3_600_000);
    positive("output-tail-bytes", outputTailBytes, 16 << 20);
    positive("fanout", fanout, 32);
    positive("digest-interval-ms", digestIntervalMillis, 3_600_000);
    if (digestIntervalMillis < 10) {
      throw new IllegalArgumentException("digest-interval-ms must be at least 10, not " + digestIntervalMillis);
    }
  }

  private static void positive(String field, long value, long max) {
    if (value <= 0 || value > max) {
      throw new IllegalArgumentException(field + " must be 1.." + max + ", not " + value);
    }
  }

  /** The defaults, trusting no key (operations disabled). */
  public static OpsConfig defaults() {
    return new OpsConfig(List.of(), 3_600_000, 300_000, 256, 2, 16, 3_600_000, 64 << 10, 4, 1_000);
  }

  /** These settings trusting {@code keys}. */
  public OpsConfig withTrustedKeys(List<TrustedKey> keys) {
    return new OpsConfig(keys, maxTtlMillis, maxClockSkewMillis, maxActive, maxConcurrent, maxQueued,
        maxTimeoutMillis, outputTailBytes, fanout, digestIntervalMillis);
  }

  /** The runner's part of these settings. */
  public BashScriptRunner.Settings runnerSettings() {
    return new BashScriptRunner.Settings(maxConcurrent, maxQueued, maxTimeoutMillis, outputTailBytes);
  }

  /** Whether any operation can be accepted. */
  public boolean enabled() {
    return !trustedKeys.isEmpty();
  }
}
