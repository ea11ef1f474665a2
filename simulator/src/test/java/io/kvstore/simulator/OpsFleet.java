package io.kvstore.simulator;

import io.kvstore.node.ops.OpsConfig;
import io.kvstore.node.ops.OpsCore;
import io.kvstore.node.ops.OpsMembers;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.seen.SeenStore;
import io.kvstore.node.runtime.Network;
import io.kvstore.node.runtime.Scheduler;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The real {@link OpsCore} (verifier, replay memory, dissemination) of many nodes on one
 * simulated network with loss and 1-5 ms latency. Membership is taken as converged (every node
 * knows every other; SWIM has its own simulations at this scale): a crashed node stays a member
 * but receives nothing, as in a real cluster before it is found dead. A restart is a new core over
 * the same replay memory, as a node restarted on its data directory.
 */
final class OpsFleet {
  /** One node: its address, its current core, what it ran and when. */
  final class Member {
    final int index;
    final String id;
    final InetSocketAddress address;
    final SeenStore.Memory store = new SeenStore.Memory();
    final List<SignedOperation> ran = new ArrayList<>();
    final List<Long> ranAt = new ArrayList<>();
    OpsCore core;
    int generation;
    boolean up;
    long framesSent;
    long bytesSent;

    Member(int index) {
      this.index = index;
      this.id = "node-" + index;
      this.address = new InetSocketAddress("127.2." + (index >> 8) + "." + (index & 0xFF), 4000);
    }

    void start() {
      int life = ++generation;
      up = true;
      SplittableRandom random = sim.random(((long) index << 8) | life);
      Network network = (to, frame) -> {
        if (!up || generation != life) {
          return;
        }
        framesSent++;
        bytesSent += frame.length + InternalFrame.TAG_LENGTH; // sealed on the wire
        if (faults.nextDouble() < loss) {
          return;
        }
        Member target = byAddress.get(to);
        if (target != null) {
          sim.after(1 + faults.nextLong(5), () -> target.receive(address, frame));
        }
      };
      Scheduler scheduler = (delay, task) -> {
        Simulation.Event e = sim.after(delay, () -> {
          if (up && generation == life) {
            task.run();
          }
        });
        return e;
      };
      OpsMembers members = new OpsMembers() {
        @Override
        public List<InetSocketAddress> randomAlive(int count) {
          List<InetSocketAddress> out = new ArrayList<>(count);
          while (out.size() < Math.min(count, nodes.size() - 1)) {
            InetSocketAddress a = nodes.get(random.nextInt(nodes.size())).address;
            if (!a.equals(address) && !out.contains(a)) {
              out.add(a);
            }
          }
          return out;
        }

        @Override
        public boolean isMember(InetSocketAddress a) {
          return byAddress.containsKey(a) && !a.equals(address);
        }
      };
      core = new OpsCore(config, id, Map.of("rack", "r" + (index % 4)), store, op -> {
        ran.add(op);
        ranAt.add(sim.elapsedMillis());
      }, members, network, scheduler, sim.clock(), random, Runnable::run);
      core.start();
    }

    void crash() {
      up = false;
      core.stop();
    }

    void receive(InetSocketAddress from, byte[] frame) {
      if (up) {
        core.onFrame(from, frame);
      }
    }
  }

  final Simulation sim;
  final OpsConfig config;
  final double loss;
  final SplittableRandom faults;
  final List<Member> nodes = new ArrayList<>();
  final Map<InetSocketAddress, Member> byAddress = new HashMap<>();

  OpsFleet(long seed, int size, OpsConfig config, double loss) {
    this.sim = new Simulation(seed);
    this.config = config;
    this.loss = loss;
    this.faults = sim.random(-1);
    for (int i = 0; i < size; i++) {
      Member m = new Member(i);
      nodes.add(m);
      byAddress.put(m.address, m);
    }
    nodes.forEach(Member::start);
  }

  /** How many nodes have run {@code op} (at least once). */
  long ranBy(SignedOperation op) {
    return nodes.stream().filter(n -> n.ran.contains(op)).count();
  }

  /** How many runs of any operation happened, over every node. */
  long runs() {
    return nodes.stream().mapToLong(n -> n.ran.size()).sum();
  }

  /** Every node's counter of a refusal, over its current core. */
  long refused(io.kvstore.node.ops.OpsRefusal reason) {
    return nodes.stream().mapToLong(n -> n.core.stats().refusedCount(reason)).sum();
  }
}
