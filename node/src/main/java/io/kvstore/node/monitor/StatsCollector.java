package io.kvstore.node.monitor;

import io.kvstore.node.sources.ClientSources;
import io.kvstore.node.storage.RecordCacheStats;
import io.kvstore.node.storage.StorageEngine;
import io.kvstore.node.request.RequestStats;
import io.kvstore.protocol.Command;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Gathers a node's built-in statistics for status reports and its own metrics endpoint. Rates
 * and latency percentiles cover the time since the previous call, so the status server sees what
 * happened during the last round.
 */
public final class StatsCollector {
  private final long startedNanos = System.nanoTime();
  private final StorageEngine storage;
  private final RequestStats transport;
  private final ClientSources sources;
  private final IntSupplier liveMembers;
  private final java.util.function.Supplier<io.kvstore.node.cluster.SwimStats> membership;
  private final LongSupplier kernelReceiveDrops;
  private final Path dataDir;
  private final String version;
  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

  private long lastNanos = System.nanoTime();
  private final EnumMap<Command, Long> lastByCommand = new EnumMap<>(Command.class);
  private long lastOverloaded;
  private long lastRejected;
  private Histogram interval;
  /** Statistics of cores built after this collector (replication, repair): appended in order. */
  private final List<java.util.function.Supplier<List<Stat>>> laterCores =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Without membership statistics or kernel drops (tests and tools). */
  public StatsCollector(
      StorageEngine storage, RequestStats transport, ClientSources sources,
      IntSupplier liveMembers, Path dataDir, String version) {
    this(storage, transport, sources, liveMembers, io.kvstore.node.cluster.SwimStats::new, () -> -1,
        dataDir, version);
  }

  /**
   * @param kernelReceiveDrops datagrams the kernel dropped on the node's full receive buffers
   *     (-1: unknown)
   */
  public StatsCollector(
      StorageEngine storage, RequestStats transport, ClientSources sources, IntSupplier liveMembers,
      java.util.function.Supplier<io.kvstore.node.cluster.SwimStats> membership,
      LongSupplier kernelReceiveDrops, Path dataDir, String version) {
    this.membership = membership;
    this.storage = storage;
    this.transport = transport;
    this.sources = sources;
    this.liveMembers = liveMembers;
    this.kernelReceiveDrops = kernelReceiveDrops;
    this.dataDir = dataDir;
    this.version = version;
  }

  /** Adds the statistics of a core assembled after this collector to every collection. */
  public void addSource(java.util.function.Supplier<List<Stat>> source) {
    laterCores.add(source);
  }

  /** The current statistics; rates and percentiles since the previous call. */
  public synchronized List<Stat> collect() {
    long now = System.nanoTime();
    double seconds = Math.max(0.001, (now - lastNanos) / 1e9);
    lastNanos = now;
    List<Stat> stats = new ArrayList<>(40);
    stats.add(Stat.gauge("uptime", "s", Math.floor((now - startedNanos) / 1e9)));
    stats.add(Stat.text("version", version));
    stats.add(Stat.gauge("load.1m", "", os.getSystemLoadAverage()));
    stats.add(Stat.gauge("cpu.cores", "cores", os.getAvailableProcessors()));
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      stats.add(Stat.gauge("cpu.process", "%", percent(sun.getProcessCpuLoad())));
      stats.add(Stat.gauge("cpu.system", "%", percent(sun.getCpuLoad())));
    }
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    stats.add(Stat.gauge("jvm.heap.used", "bytes", heap.getUsed()));
    stats.add(Stat.gauge("jvm.heap.max", "bytes", heap.getMax()));
    addDisk(stats);
    stats.add(Stat.gauge("storage.bytes", "bytes", storage.diskBytes()));
    stats.add(Stat.gauge("storage.live.bytes", "bytes", storage.liveBytes()));
    stats.add(Stat.gauge("keys", "keys", storage.keyCount()));
    RecordCacheStats cache = storage.recordCacheStats();
    if (cache.maxHeldBytes() > 0) {
      stats.add(Stat.counter("storage.cache.hits", "reads", cache.hits()));
      stats.add(Stat.counter("storage.cache.misses", "reads", cache.misses()));
      stats.add(Stat.gauge("storage.cache.bytes", "bytes", cache.heldBytes()));
    }
    long total = 0;
    for (Command c : Command.values()) {
      long count = transport.executedCount(c);
      long delta = count - lastByCommand.getOrDefault(c, 0L);
      lastByCommand.put(c, count);
      total += delta;
      if (c == Command.PUT || c == Command.GET || c == Command.REMOVE) {
        stats.add(
            Stat.gauge("requests." + c.name().toLowerCase(Locale.ROOT) + ".rate", "ops/s", delta / seconds));
      }
    }
    stats.add(Stat.gauge("requests.rate", "ops/s", total / seconds));
    long overloaded = transport.overloaded.sum();
    long rejected = transport.rejected.sum();
    stats.add(Stat.gauge("requests.overloaded.rate", "ops/s", (overloaded - lastOverloaded) / seconds));
    stats.add(Stat.gauge("requests.rejected.rate", "ops/s", (rejected - lastRejected) / seconds));
    lastOverloaded = overloaded;
    lastRejected = rejected;
    stats.add(Stat.counter("requests.retransmissions", "requests", transport.retransmissions.sum()));
    stats.add(Stat.counter("requests.overloaded", "requests", overloaded));
    long kernelDrops = kernelReceiveDrops.getAsLong();
    if (kernelDrops >= 0) {
      // Never reached the node: neither executed nor answered (not counted as overloaded).
      stats.add(Stat.counter("udp.kernel.drops", "datagrams", kernelDrops));
    }
    stats.add(Stat.counter("internal.unauthenticated", "datagrams", transport.unauthenticated.sum()));
    stats.add(Stat.counter("internal.unauthenticated.sources.evicted", "sources",
        transport.unauthenticatedSourcesEvicted()));
    stats.add(Stat.counter("replies.bytes", "bytes", transport.clientReplyBytes.sum()));
    stats.add(Stat.counter("requests.throttled", "replies", sources.budget().throttled()));
    stats.add(Stat.counter("requests.throttled.bytes", "bytes", sources.budget().throttledBytes()));
    stats.add(Stat.counter("replies.budget.evictions", "sources", sources.budget().evictions()));
    stats.add(Stat.counter("datagrams.refused", "datagrams", sources.refused()));
    stats.add(Stat.counter("datagrams.oversized", "datagrams", transport.oversized.sum()));
    stats.add(Stat.counter("datagrams.member-sourced", "datagrams", transport.memberSourced.sum()));
    stats.add(Stat.counter("datagrams.unsent", "datagrams", transport.unsent.sum()));
    stats.add(Stat.gauge("security.insecure", "flag", transport.insecure() ? 1 : 0));
    interval = transport.latencyMicros.getIntervalHistogram(interval);
    boolean any = interval.getTotalCount() > 0;
    stats.add(Stat.gauge("latency.p50", "us", any ? interval.getValueAtPercentile(50) : 0));
    stats.add(Stat.gauge("latency.p99", "us", any ? interval.getValueAtPercentile(99) : 0));
    stats.add(Stat.gauge("latency.p999", "us", any ? interval.getValueAtPercentile(99.9) : 0));
    stats.add(Stat.gauge("membership.live", "members", liveMembers.getAsInt()));
    io.kvstore.node.cluster.SwimStats m = membership.get();
    stats.add(Stat.counter("membership.rejected", "updates", m.rejectedUpdates()));
    stats.add(Stat.counter("membership.malformed", "frames", m.malformed()));
    stats.add(Stat.counter("membership.admitted", "members", m.admitted()));
    stats.add(Stat.counter("membership.admissions.failed", "members", m.admissionsFailed()));
    stats.add(Stat.counter("membership.admissions.limited", "members", m.admissionsRateLimited() + m.pendingFull()));
    stats.add(Stat.counter("membership.table.full", "members", m.tableFull()));
    stats.add(Stat.counter("membership.refutations", "times", m.refutations()));
    for (java.util.function.Supplier<List<Stat>> source : laterCores) {
      stats.addAll(source.get());
    }
    return stats;
  }

  private void addDisk(List<Stat> stats) {
    if (dataDir == null) {
      return;
    }
    try {
      FileStore store = Files.getFileStore(dataDir);
      stats.add(Stat.gauge("disk.free", "bytes", store.getUsableSpace()));
      stats.add(Stat.gauge("disk.used", "bytes", store.getTotalSpace() - store.getUnallocatedSpace()));
    } catch (IOException e) {
      // the data directory vanished: report what we can
    }
  }

  private static double percent(double load) {
    return load < 0 ? Double.NaN : Math.round(load * 1000) / 10.0;
  }
}
