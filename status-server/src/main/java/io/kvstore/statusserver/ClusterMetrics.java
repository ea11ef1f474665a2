package io.kvstore.statusserver;

import io.kvstore.node.monitor.Stat;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Exports the cluster view at each scrape: {@code kvstore_nodes} by state, and one gauge per
 * numeric stat, {@code kvstore_<stat>}, with a {@code node} label. The series are built from the
 * view when scraped and then dropped: a meter per node and stat would keep ~300 MB at 10,000 nodes.
 */
final class ClusterMetrics implements MultiCollector {
  static final String PREFIX = "kvstore_";
  static final String NODES = PREFIX + "nodes";

  /** Names of the server's own meters (report intake), which a node's stat must not take. */
  static final String SERVER_PREFIX = PREFIX + "monitor_";

  private final ClusterView view;

  ClusterMetrics(ClusterView view) {
    this.view = view;
  }

  @Override
  public MetricSnapshots collect() {
    List<NodeStatus> nodes = view.nodes();
    List<MetricSnapshot> metrics = new ArrayList<>();
    metrics.add(nodesByState(nodes));
    metrics.addAll(statGauges(nodes));
    return new MetricSnapshots(metrics);
  }

  private static GaugeSnapshot nodesByState(List<NodeStatus> nodes) {
    Map<NodeState, Integer> counts = new EnumMap<>(NodeState.class);
    for (NodeState state : NodeState.values()) {
      counts.put(state, 0);
    }
    nodes.forEach(node -> counts.merge(node.state(), 1, Integer::sum));
    GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(NODES).help("nodes by state");
    counts.forEach((state, count) -> gauge.dataPoint(point("state", state.label(), count)));
    return gauge.build();
  }

  private static List<GaugeSnapshot> statGauges(List<NodeStatus> nodes) {
    Map<String, String> metricNames = new HashMap<>();
    Map<String, GaugeSnapshot.Builder> gauges = new TreeMap<>();
    Map<String, Set<String>> nodesByMetric = new HashMap<>();
    for (NodeStatus node : nodes) {
      // A silent, dead or departed node's last report is stale: Prometheus should see no data.
      if (node.state() != NodeState.UP && node.state() != NodeState.SUSPECT) {
        continue;
      }
      for (Stat stat : node.stats()) {
        if (stat.kind() == Stat.Kind.TEXT || !Double.isFinite(stat.value())) {
          continue;
        }
        String name = metricNames.computeIfAbsent(stat.name(), ClusterMetrics::metricName);
        // Two stats whose names differ only in characters Prometheus does not allow share one name.
        if (name == null
            || !nodesByMetric.computeIfAbsent(name, n -> new HashSet<>()).add(node.id())) {
          continue;
        }
        gauges
            .computeIfAbsent(
                name,
                n ->
                    GaugeSnapshot.builder()
                        .name(n)
                        .help(stat.unit().isEmpty() ? "" : "in " + stat.unit()))
            .dataPoint(point("node", node.id(), stat.value()));
      }
    }
    List<GaugeSnapshot> built = new ArrayList<>(gauges.size());
    gauges.values().forEach(gauge -> built.add(gauge.build()));
    return built;
  }

  /** {@code kvstore_} and the stat's name in the characters Prometheus allows; null if reserved. */
  static String metricName(String stat) {
    StringBuilder name = new StringBuilder(PREFIX);
    for (char c : stat.toCharArray()) {
      boolean allowed =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      name.append(allowed ? c : '_');
    }
    String sanitized = PrometheusNaming.sanitizeMetricName(name.toString());
    return sanitized.equals(NODES) || sanitized.startsWith(SERVER_PREFIX) ? null : sanitized;
  }

  private static GaugeDataPointSnapshot point(String label, String value, double number) {
    return GaugeDataPointSnapshot.builder().labels(Labels.of(label, value)).value(number).build();
  }
}
