package io.kvstore.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.kvstore.node.ops.OpsConfig;
import io.kvstore.node.ops.keys.KeyFileException;
import io.kvstore.node.ops.keys.OperatorKeys;
import io.kvstore.node.ops.keys.TrustedKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code ops:} section of the node config (fleet operations, docs/OPERATIONS.md). With no
 * trusted key, operations are disabled. docs/CONFIGURATION.md documents each field.
 */
public final class OpsSettings {
  private static final OpsConfig D = OpsConfig.defaults();
  /** More keys than any fleet has operators; each costs a signature check only when named. */
  static final int MAX_TRUSTED_KEYS = 64;

  /** Paths of {@code .pub} files, or inline {@code kvstore-ed25519 BASE64 NAME} lines. */
  @JsonProperty("trusted-keys")
  public List<String> trustedKeys = new ArrayList<>();

  @JsonProperty("max-ttl-ms")
  public long maxTtlMillis = D.maxTtlMillis();

  @JsonProperty("max-clock-skew-ms")
  public long maxClockSkewMillis = D.maxClockSkewMillis();

  @JsonProperty("max-active")
  public int maxActive = D.maxActive();

  @JsonProperty("max-concurrent")
  public int maxConcurrent = D.maxConcurrent();

  @JsonProperty("max-queued")
  public int maxQueued = D.maxQueued();

  @JsonProperty("max-timeout-ms")
  public long maxTimeoutMillis = D.maxTimeoutMillis();

  /** Accepts sizes like 64KB. */
  @JsonProperty("output-tail-bytes")
  public String outputTailBytes = (D.outputTailBytes() >> 10) + "KB";

  @JsonProperty("fanout")
  public int fanout = D.fanout();

  @JsonProperty("digest-interval-ms")
  public long digestIntervalMillis = D.digestIntervalMillis();

  /** The settings as the ops code takes them, keys loaded; names the field that is wrong. */
  public OpsConfig toConfig() {
    if (trustedKeys == null) {
      throw ConfigException.field("ops.trusted-keys", "is empty; leave it out to disable operations");
    }
    if (trustedKeys.size() > MAX_TRUSTED_KEYS) {
      throw ConfigException.field("ops.trusted-keys", "at most " + MAX_TRUSTED_KEYS + " keys");
    }
    List<TrustedKey> keys = new ArrayList<>();
    Set<String> fingerprints = new HashSet<>();
    for (String entry : trustedKeys) {
      if (entry == null || entry.isBlank()) {
        throw ConfigException.field("ops.trusted-keys", "has an empty entry");
      }
      TrustedKey key;
      try {
        String e = entry.trim();
        key = e.startsWith(OperatorKeys.PUBLIC_PREFIX + " ")
            ? OperatorKeys.parsePublic(e, "inline key")
            : OperatorKeys.loadPublic(Path.of(e));
      } catch (KeyFileException | java.nio.file.InvalidPathException ex) {
        throw ConfigException.field("ops.trusted-keys", ex.getMessage());
      }
      if (fingerprints.add(key.fingerprintHex())) {
        keys.add(key);
      }
    }
    long tail = ByteSize.parse("ops.output-tail-bytes", outputTailBytes);
    try {
      return new OpsConfig(keys, maxTtlMillis, maxClockSkewMillis, maxActive, maxConcurrent, maxQueued,
          maxTimeoutMillis, (int) Math.min(Integer.MAX_VALUE, tail), fanout, digestIntervalMillis);
    } catch (IllegalArgumentException e) {
      throw ConfigException.field("ops", e.getMessage());
    }
  }
}
