package io.kvstore.node.monitor.server;

import io.kvstore.node.monitor.Stat;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mirrors the cluster view into Micrometer gauges on each scrape: one gauge per numeric stat,
 * named {@code kvstore.<stat>} with a {@code node} tag, and {@code kvstore.nodes} by state.
 */
final class ClusterMetrics {
  private final ClusterView view;
  private final PrometheusMeterRegistry registry;
  private final Map<NodeState, AtomicInteger> nodesByState = new EnumMap<>(NodeState.class);
  private final Map<String, StatGauge> statGauges = new HashMap<>();

  ClusterMetrics(ClusterView view, PrometheusMeterRegistry registry) {
    this.view = view;
    this.registry = registry;
    for (NodeState state : NodeState.values()) {
      AtomicInteger count = new AtomicInteger();
      nodesByState.put(state, count);
      registry.gauge("kvstore.nodes", Tags.of("state", state.label()), count);
    }
  }

  /** The registry in Prometheus text format, with the cluster's current values. */
  synchronized String scrape() {
    refresh();
    return registry.scrape();
  }

  private void refresh() {
    view.summary().byState().forEach((state, count) -> nodesByState.get(state).set(count));

    Map<String, Map<String, Double>> valuesByStat = new HashMap<>();
    Map<String, String> units = new HashMap<>();
    for (NodeStatus node : view.nodes()) {
      // A silent, dead or departed node's last report is stale: Prometheus should see no data.
      if (node.state() != NodeState.UP && node.state() != NodeState.SUSPECT) {
        continue;
      }
      for (Stat stat : node.stats()) {
        if (stat.kind() != Stat.Kind.TEXT && Double.isFinite(stat.value()) && !isReserved(stat.name())) {
          valuesByStat.computeIfAbsent(stat.name(), n -> new HashMap<>()).put(node.id(), stat.value());
          units.putIfAbsent(stat.name(), stat.unit());
        }
      }
    }
    valuesByStat.forEach(
        (name, values) ->
            statGauges
                .computeIfAbsent(name, n -> new StatGauge("kvstore." + n, units.get(n), registry))
                .update(values));
    for (Iterator<Map.Entry<String, StatGauge>> it = statGauges.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, StatGauge> gauge = it.next();
      if (!valuesByStat.containsKey(gauge.getKey())) {
        gauge.getValue().update(Map.of());
        it.remove();
      }
    }
  }

  /** Names the server's own metrics use: a node's stat must not mix into them. */
  private static boolean isReserved(String stat) {
    return stat.equals("nodes") || stat.startsWith("monitor.");
  }

  /** A gauge's current value, kept here: Micrometer holds gauge objects only weakly. */
  private static final class Cell {
    double value;
  }

  /** One stat's gauge across nodes. Rows are re-registered only when the set of nodes changes. */
  private static final class StatGauge {
    private final MultiGauge gauge;
    private Map<String, Cell> cells = new HashMap<>();

    StatGauge(String name, String unit, PrometheusMeterRegistry registry) {
      gauge = MultiGauge.builder(name).description(unit.isEmpty() ? "" : "in " + unit).register(registry);
    }

    void update(Map<String, Double> valueByNode) {
      boolean sameNodes = cells.keySet().equals(valueByNode.keySet());
      Map<String, Cell> next = sameNodes ? cells : new HashMap<>();
      valueByNode.forEach(
          (node, value) -> next.computeIfAbsent(node, n -> cells.getOrDefault(n, new Cell())).value = value);
      if (!sameNodes) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>(next.size());
        next.forEach((node, cell) -> rows.add(MultiGauge.Row.of(Tags.of("node", node), cell, c -> c.value)));
        gauge.register(rows, false);
        cells = next;
      }
    }
  }
}
