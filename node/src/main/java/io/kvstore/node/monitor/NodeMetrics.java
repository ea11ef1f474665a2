package io.kvstore.node.monitor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's own Prometheus metrics: one gauge per numeric stat of its latest sample (names
 * prefixed {@code kvstore_}, dots as underscores), registered as stats first appear.
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Double> values = new ConcurrentHashMap<>();

  public NodeMetrics(String nodeId) {
    registry.config().commonTags("node", nodeId);
  }

  /** Publishes a sample. */
  public void update(Iterable<Stat> stats) {
    for (Stat s : stats) {
      if (s.kind() == Stat.Kind.TEXT || Double.isNaN(s.value())) {
        continue;
      }
      if (values.put(s.name(), s.value()) == null) {
        Gauge.builder("kvstore." + s.name(), values, v -> v.getOrDefault(s.name(), Double.NaN))
            .description(s.unit().isEmpty() ? s.name() : s.name() + " (" + s.unit() + ")")
            .register(registry);
      }
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
