package io.kvstore.simulator;

import io.kvstore.node.runtime.Network;
import io.kvstore.node.cluster.MembershipLimits;
import io.kvstore.node.cluster.NodeId;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.node.cluster.SwimConfig;
import io.kvstore.node.cluster.SwimMembership;
import io.kvstore.node.cluster.WireNames;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One simulated node process running the real {@link SwimMembership}. A crash ends the process:
 * its pending timers never fire and datagrams reaching it while it is down are lost. A restart is
 * a new process (a new membership instance, same id and address), as after kill -9 and a restart
 * on the same data dir.
 */
public final class SimNode implements SimEndpoint {
  /**
   * Fixed, not sized to the heap of whatever JVM runs the simulation, so that a seed replays the
   * same run everywhere; as for an 8 GB heap (100,000 members), for clusters of thousands.
   */
  static final MembershipLimits LIMITS = MembershipLimits.forHeap(8L << 30);

  private final int index;
  private final NodeId id;
  private final InetSocketAddress address;
  private final Simulation sim;
  private final SimNetwork network;
  private final ViewTracker views;
  private final SwimConfig config;
  private final WireNames names;
  private final Traffic traffic = new Traffic();

  private SwimMembership membership;
  /** Which process (start) of this node is running; timers of earlier ones never fire. */
  private final SimProcess process;

  SimNode(int index, NodeId id, InetSocketAddress address, Simulation sim, SimNetwork network,
      ViewTracker views, SwimConfig config, WireNames names) {
    this.names = names;
    this.index = index;
    this.id = id;
    this.address = address;
    this.sim = sim;
    this.process = new SimProcess(sim);
    this.network = network;
    this.views = views;
    this.config = config;
  }

  /** Starts a new process of this node, joining through {@code seeds} (none: first node). */
  public void start(List<InetSocketAddress> seeds) {
    int current = process.start(id);
    Scheduler scheduler = process.scheduler(current);
    Network port =
        (to, datagram) -> {
          if (process.isRunning(current)) {
            network.send(this, to, datagram);
          }
        };
    membership =
        new SwimMembership(id, address, config, LIMITS, sim.clock(), sim.random(((long) index << 20) | current),
            port, scheduler);
    membership.useNames(names);
    views.onStarted();
    membership.addListener((before, after) -> views.onChange(this, before, after));
    membership.start(seeds);
  }

  /** kill -9: the process stops sending, receiving and running timers. */
  public void crash() {
    if (!process.isUp()) {
      return;
    }
    views.onStopped(this);
    membership.stop();
    process.stop();
  }

  /** SIGTERM: announce the leave, then exit after {@code wait} (as the node does). */
  public void leaveAndExit(Duration wait) {
    membership.leave();
    int leaving = process.generation();
    sim.after(wait.toMillis(), () -> {
      if (process.isRunning(leaving)) {
        crash();
      }
    });
  }

  /**
   * CPU starvation: from now on this node handles every datagram and timer {@code millis} late.
   */
  public void setSlowness(long millis) {
    process.setSlowness(millis);
  }

  @Override
  public long slownessMillis() {
    return process.slownessMillis();
  }

  @Override
  public void receive(InetSocketAddress from, byte[] datagram) {
    membership.onDatagram(from, datagram);
  }

  @Override
  public int index() {
    return index;
  }

  public NodeId id() {
    return id;
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public boolean isUp() {
    return process.isUp();
  }

  /** The membership of the current (or last) process; call from the simulation thread only. */
  public SwimMembership membership() {
    return membership;
  }

  /** What this node sent, over all its processes. */
  @Override
  public Traffic traffic() {
    return traffic;
  }

  @Override
  public String toString() {
    return id + "@" + address.getAddress().getHostAddress() + (process.isUp() ? "" : " (down)");
  }
}
