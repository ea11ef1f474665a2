package io.kvstore.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.kvstore.node.replication.ReplicationConfig;

/**
 * The {@code replication:} section of the node config. Unset fields keep ReplicationConfig's
 * defaults (N=3, R=2, W=2: strict quorums); docs/REPLICATION.md explains each.
 */
public final class ReplicationSettings {
  private static final ReplicationConfig D = ReplicationConfig.defaults();

  @JsonProperty("n")
  public int n = D.n();

  @JsonProperty("r")
  public int r = D.r();

  @JsonProperty("w")
  public int w = D.w();

  @JsonProperty("timeout-ms")
  public long timeoutMillis = D.timeoutMillis();

  @JsonProperty("tombstone-grace-ms")
  public long tombstoneGraceMillis = D.tombstoneGraceMillis();

  @JsonProperty("max-outstanding")
  public int maxOutstanding = D.maxOutstanding();

  /** Accepts sizes like 64MB. */
  @JsonProperty("max-hint-bytes")
  public String maxHintBytes = (D.maxHintBytes() >> 20) + "MB";

  @JsonProperty("read-repairs-per-second")
  public int readRepairsPerSecond = D.readRepairsPerSecond();

  @JsonProperty("anti-entropy-interval-ms")
  public long antiEntropyIntervalMillis = D.antiEntropyIntervalMillis();

  /** Accepts sizes like 4MB (per second). */
  @JsonProperty("anti-entropy-bytes-per-second")
  public String antiEntropyBytesPerSecond = (D.antiEntropyBytesPerSecond() >> 20) + "MB";

  private static final io.kvstore.node.replication.RebalanceConfig RD =
      io.kvstore.node.replication.RebalanceConfig.defaults();

  /** Accepts sizes like 8MB: streamed bytes per second a node sends at most when ranges move. */
  @JsonProperty("rebalance-bytes-per-second")
  public String rebalanceBytesPerSecond = (RD.bytesPerSecond() >> 20) + "MB";

  @JsonProperty("rebalance-settle-ms")
  public long rebalanceSettleMillis = RD.settleMillis();

  @JsonProperty("leave-stream-timeout-ms")
  public long leaveStreamTimeoutMillis = RD.leaveTimeoutMillis();

  /** The rebalancing settings; names the field that is wrong. */
  public io.kvstore.node.replication.RebalanceConfig toRebalanceConfig() {
    long rate = ByteSize.parse("replication.rebalance-bytes-per-second", rebalanceBytesPerSecond);
    try {
      return new io.kvstore.node.replication.RebalanceConfig(
          rate, rebalanceSettleMillis, leaveStreamTimeoutMillis);
    } catch (IllegalArgumentException e) {
      throw ConfigException.field("replication", e.getMessage());
    }
  }

  /** The settings as the replication code takes them; names the field that is wrong. */
  public ReplicationConfig toConfig() {
    long hintBytes = ByteSize.parse("replication.max-hint-bytes", maxHintBytes);
    long repairBytes =
        ByteSize.parse("replication.anti-entropy-bytes-per-second", antiEntropyBytesPerSecond);
    try {
      return new ReplicationConfig(n, r, w, timeoutMillis, tombstoneGraceMillis, maxOutstanding,
          hintBytes, readRepairsPerSecond, antiEntropyIntervalMillis, repairBytes);
    } catch (IllegalArgumentException e) {
      throw ConfigException.field("replication", e.getMessage());
    }
  }
}
