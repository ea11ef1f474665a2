package io.kvstore.simulator;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;

/**
 * Carries datagrams between simulated endpoints (nodes, clients) by address, with seeded faults: loss, latency with
 * jitter (which reorders), duplication and partitions. A crashed node neither sends nor receives;
 * a slow node gets its datagrams late. Every delivery is folded into the {@link Trace}.
 */
public final class SimNetwork {
  /** Stream number of the fault generator; node streams are non-negative. */
  private static final long FAULT_STREAM = -1;

  private final Simulation sim;
  private final SplittableRandom faults;
  private final Map<InetSocketAddress, SimEndpoint> byAddress = new HashMap<>();
  private final Trace trace = new Trace();
  private double loss;
  private double duplication;
  private long baseLatencyMillis = 1;
  private long jitterMillis = 2;
  private BiPredicate<SimEndpoint, SimEndpoint> reachable = (a, b) -> true;
  private java.util.function.Consumer<byte[]> tap;

  SimNetwork(Simulation sim) {
    this.sim = sim;
    this.faults = sim.random(FAULT_STREAM);
  }

  void register(SimEndpoint node) {
    byAddress.put(node.address(), node);
  }

  /** Probability that a datagram is lost. */
  public SimNetwork setLoss(double probability) {
    this.loss = probability;
    return this;
  }

  /** Probability that a datagram arrives twice (each copy with its own latency). */
  public SimNetwork setDuplication(double probability) {
    this.duplication = probability;
    return this;
  }

  /** One-way latency is {@code base} plus a uniform jitter in [0, jitter]; jitter reorders. */
  public SimNetwork setLatency(long baseMillis, long jitterMillis) {
    this.baseLatencyMillis = baseMillis;
    this.jitterMillis = jitterMillis;
    return this;
  }

  /** Splits the network: nodes in {@code side} and the others no longer reach each other. */
  public void partition(Set<? extends SimEndpoint> side) {
    Set<Integer> inside = new HashSet<>();
    side.forEach(n -> inside.add(n.index()));
    reachable = (a, b) -> inside.contains(a.index()) == inside.contains(b.index());
  }

  public void heal() {
    reachable = (a, b) -> true;
  }

  public Trace trace() {
    return trace;
  }

  /** Shows every delivered datagram to {@code tap} (null: none), e.g. to capture real frames. */
  public void tap(java.util.function.Consumer<byte[]> tap) {
    this.tap = tap;
  }

  void send(SimEndpoint from, InetSocketAddress to, byte[] datagram) {
    from.traffic().record(datagram);
    SimEndpoint destination = byAddress.get(to);
    if (destination == null || !reachable.test(from, destination)) {
      return;
    }
    if (loss > 0 && faults.nextDouble() < loss) {
      return;
    }
    deliverLater(from.index(), from.address(), destination, datagram);
    if (duplication > 0 && faults.nextDouble() < duplication) {
      deliverLater(from.index(), from.address(), destination, datagram);
    }
  }

  /**
   * Delivers a datagram that did not come from a simulated node (a forgery), without faults.
   * The trace records its sender as -1.
   */
  public void inject(InetSocketAddress from, InetSocketAddress to, byte[] datagram) {
    SimEndpoint destination = byAddress.get(to);
    if (destination == null) {
      throw new IllegalArgumentException("no simulated node at " + to);
    }
    deliverLater(-1, from, destination, datagram);
  }

  private void deliverLater(int fromIndex, InetSocketAddress from, SimEndpoint to, byte[] datagram) {
    long latency = baseLatencyMillis + (jitterMillis > 0 ? faults.nextLong(jitterMillis + 1) : 0);
    sim.after(latency + to.slownessMillis(), () -> {
      if (to.isUp()) {
        trace.recordDelivery(sim.elapsedMillis(), fromIndex, to.index(), datagram);
        if (tap != null) {
          tap.accept(datagram);
        }
        to.receive(from, datagram);
      }
    });
  }
}
