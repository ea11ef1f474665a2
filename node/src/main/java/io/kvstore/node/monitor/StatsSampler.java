package io.kvstore.node.monitor;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a node's statistics on a fixed period and keeps the latest sample, so that status
 * reports and metrics scrapes read the same figures without each resetting the other's rates.
 */
public final class StatsSampler {
  private static final Logger log = LoggerFactory.getLogger(StatsSampler.class);
  public static final long PERIOD_SECONDS = 5;

  private final StatsCollector collector;
  private volatile List<Stat> latest = List.of();

  public StatsSampler(StatsCollector collector) {
    this.collector = collector;
  }

  public void sample() {
    try {
      latest = List.copyOf(collector.collect());
    } catch (RuntimeException e) {
      log.warn("collecting statistics failed; keeping the previous sample", e);
    }
  }

  public List<Stat> latest() {
    return latest;
  }
}
