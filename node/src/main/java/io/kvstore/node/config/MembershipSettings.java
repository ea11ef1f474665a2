package io.kvstore.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.kvstore.node.cluster.MembershipLimits;
import io.kvstore.node.cluster.SwimConfig;

/**
 * The membership protocol's timing, as written in the {@code membership:} section of the config
 * file (milliseconds). Unset fields keep SwimConfig's defaults; docs/CLUSTER.md explains each.
 */
public final class MembershipSettings {
  private static final SwimConfig D = SwimConfig.defaults();

  @JsonProperty("probe-interval-ms")
  public long probeIntervalMillis = D.probeIntervalMillis();

  @JsonProperty("probe-timeout-ms")
  public long probeTimeoutMillis = D.probeTimeoutMillis();

  @JsonProperty("indirect-probes")
  public int indirectProbes = D.indirectProbes();

  @JsonProperty("gossip-interval-ms")
  public long gossipIntervalMillis = D.gossipIntervalMillis();

  @JsonProperty("gossip-fanout")
  public int gossipFanout = D.gossipFanout();

  @JsonProperty("retransmit-mult")
  public int retransmitMult = D.retransmitMult();

  @JsonProperty("suspicion-mult")
  public double suspicionMult = D.suspicionMult();

  @JsonProperty("suspicion-max-mult")
  public double suspicionMaxMult = D.suspicionMaxMult();

  @JsonProperty("max-local-health")
  public int maxLocalHealth = D.maxLocalHealth();

  @JsonProperty("push-pull-interval-ms")
  public long pushPullIntervalMillis = D.pushPullIntervalMillis();

  @JsonProperty("dead-retention-ms")
  public long deadRetentionMillis = D.deadRetentionMillis();

  @JsonProperty("gossip-to-the-dead-ms")
  public long gossipToTheDeadMillis = D.gossipToTheDeadMillis();

  @JsonProperty("join-retry-max-ms")
  public long joinRetryMaxMillis = D.joinRetryMaxMillis();

  @JsonProperty("max-datagram")
  public int maxDatagramBytes = D.maxDatagramBytes();

  /** Members remembered at most; 0 sizes it to the heap (heap / 64 KiB, 1,024 at 64 MB). */
  @JsonProperty("max-members")
  public int maxMembers = 0;

  @JsonProperty("max-pending-admissions")
  public int maxPendingAdmissions = 1024;

  @JsonProperty("admissions-per-second")
  public int admissionsPerSecond = 200;

  @JsonProperty("max-incarnation-step")
  public long maxIncarnationStep = 1000;

  /** The bounds against forged or buggy traffic; throws {@link ConfigException} naming a bad field. */
  public MembershipLimits toLimits() {
    MembershipLimits heap = MembershipLimits.defaults();
    int members = maxMembers == 0 ? heap.maxMembers() : maxMembers;
    try {
      return new MembershipLimits(members, Math.min(maxPendingAdmissions, members), admissionsPerSecond,
          maxIncarnationStep, heap.maxRelays());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid 'membership': " + e.getMessage());
    }
  }

  /** The protocol configuration; throws {@link ConfigException} naming a bad field. */
  public SwimConfig toSwimConfig() {
    try {
      return new SwimConfig(
          probeIntervalMillis, probeTimeoutMillis, indirectProbes, gossipIntervalMillis,
          gossipFanout, retransmitMult, suspicionMult, suspicionMaxMult, maxLocalHealth,
          pushPullIntervalMillis, deadRetentionMillis, gossipToTheDeadMillis, joinRetryMaxMillis,
          maxDatagramBytes);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid 'membership': " + e.getMessage());
    }
  }
}
