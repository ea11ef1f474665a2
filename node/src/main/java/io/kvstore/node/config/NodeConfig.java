package io.kvstore.node.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a node can be told. Defaults are embedded so that {@code ./kvstore node} needs no
 * file; a YAML file (keys as below) overrides them and command-line flags override the file.
 * docs/CONFIGURATION.md documents every field.
 */
public final class NodeConfig {
  @JsonProperty("port")
  public int port = 4000;

  /** Loopback by default: nothing listens on every interface unless asked to. */
  @JsonProperty("bind")
  public String bind = "127.0.0.1";

  @JsonProperty("data-dir")
  public String dataDir = "./data";

  /** Seed nodes to join through (used by the cluster layer). */
  @JsonProperty("seeds")
  public List<String> seeds = new ArrayList<>();

  /** Keep data in memory only (lost on exit): for tests and experiments. */
  @JsonProperty("memory")
  public boolean memory;

  /** fsync every write before acknowledging it (group commit per event-loop turn). */
  @JsonProperty("sync")
  public boolean sync;

  /** Most live keys this node stores; 0 = unlimited. */
  @JsonProperty("max-keys")
  public long maxKeys;

  /** Most bytes of live keys and values; 0 = unlimited. Accepts sizes like 64MB. */
  @JsonProperty("max-bytes")
  public String maxBytes = "0";

  /** PUT answers "out of space" when the data disk has less free space than this. */
  @JsonProperty("min-free-disk")
  public String minFreeDisk = "256MB";

  /** Sources allowed to send SHUTDOWN and WIPEOUT (CIDR blocks). */
  @JsonProperty("admin-from")
  public List<String> adminFrom = new ArrayList<>(List.of("127.0.0.0/8", "::1/128"));

  /**
   * Sources the node answers at all (CIDR blocks); datagrams from others get nothing. Default
   * (null): {@link io.kvstore.node.sources.DefaultAllowList} for the bind address, i.e. loopback
   * for a loopback bind, else loopback and the private subnets of the bound interfaces.
   */
  @JsonProperty("allow-clients")
  public List<String> allowClients;

  /** Sources whose replies are not held to the reply budget (CIDR blocks). */
  @JsonProperty("trusted-clients")
  public List<String> trustedClients = new ArrayList<>();

  /** Reply bytes per second each source address may receive beyond small replies. */
  @JsonProperty("reply-budget")
  public String replyBudget = "4MB";

  /** Reply bytes a source address may receive at once before the budget's rate applies. */
  @JsonProperty("reply-burst")
  public String replyBurst = "4MB";

  /** Event loops, each with its own socket on the shared port (SO_REUSEPORT). */
  @JsonProperty("io-threads")
  public int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /**
   * Event loops spin instead of sleeping in epoll_wait: a request is picked up without a wake-up
   * (lower latency at low load), at the price of one core per event loop, busy even when idle.
   * For latency-critical deployments with cores to spare (io-threads below the core count); off
   * by default. Native epoll only (ignored, with a warning, on the NIO fallback).
   */
  @JsonProperty("busy-poll")
  public boolean busyPoll = false;

  /**
   * Without busy-poll, how long (µs) an event loop keeps polling epoll after its last datagram or
   * wake-up before it sleeps: under a steady stream of requests the loop is not put to sleep and
   * woken between two of them (on a virtual machine the wake-up of a halted vCPU costs tens of
   * µs), and an idle loop still sleeps. 0 sleeps at once. Native epoll only.
   */
  @JsonProperty("idle-spin-us")
  public int idleSpinMicros = DEFAULT_IDLE_SPIN_MICROS;

  /** See BENCHMARKS.md "Issue 12: spin before sleep" for how it was chosen. */
  public static final int DEFAULT_IDLE_SPIN_MICROS = 50;

  /** Requests an event loop holds before answering 0x03 (system overload). */
  @JsonProperty("queue-capacity")
  public int queueCapacity = 4096;

  /** Requests executed per event-loop turn before reading more. */
  @JsonProperty("batch-size")
  public int batchSize = 64;

  /** Off-heap memory for the at-most-once reply cache (holds 5 s at ~100k req/s). */
  @JsonProperty("reply-cache")
  public String replyCache = "96MB";

  /**
   * This node's identity in the cluster. Default: generated on first start and kept in the data
   * directory, so a restarted node owns the same keys.
   */
  @JsonProperty("node-id")
  public String nodeId;

  /**
   * Shared secret that authenticates node-to-node datagrams (HMAC-SHA256). Default: from
   * {@code cluster-secret-file}, else KVSTORE_CLUSTER_SECRET, else DATA_DIR/cluster-secret
   * (created on first start); see {@link ClusterSecret}.
   */
  @JsonProperty("cluster-secret")
  public String clusterSecret;

  /** File holding the cluster secret (e.g. another node's DATA_DIR/cluster-secret). */
  @JsonProperty("cluster-secret-file")
  public String clusterSecretFile;

  /** Accept unauthenticated internal traffic: anyone who can reach the port can change membership. */
  @JsonProperty("insecure")
  public boolean insecure;

  /** Tokens per node on the consistent-hashing ring. */
  @JsonProperty("virtual-nodes")
  public int virtualNodes = 64;

  /** Membership protocol timing (SWIM with Lifeguard). */
  @JsonProperty("membership")
  public MembershipSettings membership = new MembershipSettings();

  /** Replication factor, quorums, timeouts and repair budgets (docs/REPLICATION.md). */
  @JsonProperty("replication")
  public ReplicationSettings replication = new ReplicationSettings();

  /** Fleet operations: trusted operator keys and bounds (docs/OPERATIONS.md); none = disabled. */
  @JsonProperty("ops")
  public OpsSettings ops = new OpsSettings();

  /** Static labels sent with every status report (e.g. rack, role); operations target them too. */
  @JsonProperty("labels")
  public java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();

  /** Serve this node's own Prometheus metrics on this HTTP port (0 = off). */
  @JsonProperty("http-port")
  public int httpPort;

  /** Also run the status server (dashboard) in this node's process. */
  @JsonProperty("monitor")
  public boolean monitor;

  /** HTTP port of the status server when {@code monitor} is on. */
  @JsonProperty("monitor-http-port")
  public int monitorHttpPort = 8080;

  /** Error replies (0x05, 0x06, 0x07, 0x09) allowed per source and second. */
  @JsonProperty("error-replies-per-second")
  public double errorRepliesPerSecond = 100;

  public long maxBytesValue() {
    return ByteSize.parse("max-bytes", maxBytes);
  }

  public long minFreeDiskValue() {
    return ByteSize.parse("min-free-disk", minFreeDisk);
  }

  public long replyCacheValue() {
    return ByteSize.parse("reply-cache", replyCache);
  }

  public long replyBudgetValue() {
    return ByteSize.parse("reply-budget", replyBudget);
  }

  public long replyBurstValue() {
    return ByteSize.parse("reply-burst", replyBurst);
  }

  /** The allow-list: as configured, else the default for the bind address. */
  public List<String> allowClientsValue() {
    if (allowClients != null) {
      return allowClients;
    }
    try {
      return io.kvstore.node.sources.DefaultAllowList.forBind(InetAddress.getByName(bind));
    } catch (UnknownHostException e) {
      throw ConfigException.field("bind", "'" + bind + "' is not an address of this machine");
    }
  }

  public Path dataDirPath() {
    return Path.of(dataDir);
  }

  public List<HostPort> seedAddresses() {
    return seeds.stream().map(s -> HostPort.parse("seeds", s)).toList();
  }

  /** Checks every field; throws {@link ConfigException} naming the first bad one. */
  public NodeConfig validate() {
    requirePresent();
    if (port < 1 || port > 65_535) {
      throw ConfigException.field("port", port + " is not a UDP port; use 1-65535");
    }
    try {
      if (bind == null || bind.isBlank()) {
        throw new UnknownHostException("empty");
      }
      InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw ConfigException.field("bind", "'" + bind + "' is not an address of this machine");
    }
    if (!memory && (dataDir == null || dataDir.isBlank())) {
      throw ConfigException.field("data-dir", "is empty; give a directory or use --memory");
    }
    seedAddresses();
    if (maxKeys < 0) {
      throw ConfigException.field("max-keys", maxKeys + " is negative; use 0 for unlimited");
    }
    maxBytesValue();
    minFreeDiskValue();
    long cache = replyCacheValue();
    if (cache < (1 << 20) || cache > (1L << 31) - 1) {
      throw ConfigException.field("reply-cache", replyCache + " must be between 1MB and 2GB");
    }
    try {
      new io.kvstore.node.sources.SourceAllowList(adminFrom);
    } catch (IllegalArgumentException e) {
      throw ConfigException.field("admin-from", e.getMessage());
    }
    cidrs("allow-clients", allowClients == null ? List.of() : allowClients);
    if (allowClients != null && allowClients.isEmpty()) {
      throw ConfigException.field("allow-clients", "is empty: the node would answer nobody");
    }
    cidrs("trusted-clients", trustedClients);
    if (replyBudgetValue() < 1024) {
      throw ConfigException.field("reply-budget", replyBudget + " is below 1KB (per second)");
    }
    if (replyBurstValue() < 64 * 1024) {
      throw ConfigException.field(
          "reply-burst", replyBurst + " is below 64KB: the largest reply (a membership page) would never fit");
    }
    requireRange("io-threads", ioThreads, 1, 64);
    requireRange("idle-spin-us", idleSpinMicros, 0, 10_000);
    requireRange("queue-capacity", queueCapacity, 1, 1_000_000);
    requireRange("batch-size", batchSize, 1, 100_000);
    requireRange("virtual-nodes", virtualNodes, 1, 1024);
    requireRange("http-port", httpPort, 0, 65_535);
    requireRange("monitor-http-port", monitorHttpPort, 1, 65_535);
    if (labels.size() > 32) {
      throw ConfigException.field("labels", "at most 32 labels");
    }
    membership.toSwimConfig();
    membership.toLimits();
    replication.toConfig();
    ops.toConfig();
    if (nodeId != null) {
      try {
        new io.kvstore.node.cluster.NodeId(nodeId);
      } catch (IllegalArgumentException e) {
        throw ConfigException.field("node-id", e.getMessage());
      }
    }
    ClusterSecret.validate(this, System.getenv());
    if (!(errorRepliesPerSecond > 0)) {
      throw ConfigException.field("error-replies-per-second", "must be positive");
    }
    return this;
  }

  private static void cidrs(String field, List<String> cidrs) {
    try {
      new io.kvstore.node.sources.SourceAllowList(cidrs);
    } catch (IllegalArgumentException e) {
      throw ConfigException.field(field, e.getMessage());
    }
  }

  /** A YAML {@code null} ("seeds: ~", "admin-from: [null]") is named, not a NullPointerException. */
  private void requirePresent() {
    requireList("seeds", seeds);
    requireList("admin-from", adminFrom);
    requireList("trusted-clients", trustedClients);
    if (allowClients != null) {
      requireList("allow-clients", allowClients); // null: the default for the bind address
    }
    if (membership == null) {
      throw ConfigException.field("membership", "is empty; leave it out for the defaults");
    }
    if (replication == null) {
      throw ConfigException.field("replication", "is empty; leave it out for the defaults");
    }
    if (ops == null) {
      throw ConfigException.field("ops", "is empty; leave it out to disable operations");
    }
    if (labels == null) {
      throw ConfigException.field("labels", "is empty; leave it out for none");
    }
    for (java.util.Map.Entry<String, String> label : labels.entrySet()) {
      if (label.getKey() == null || label.getValue() == null) {
        throw ConfigException.field("labels", "label '" + label.getKey() + "' has no value");
      }
    }
  }

  private static void requireList(String field, List<String> values) {
    if (values == null) {
      throw ConfigException.field(field, "is empty; leave it out for the default");
    }
    for (String value : values) { // (List.of(...).contains(null) would throw)
      if (value == null) {
        throw ConfigException.field(field, "has an empty entry");
      }
    }
  }

  private static void requireRange(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw ConfigException.field(field, value + " is out of range " + min + "-" + max);
    }
  }
}
