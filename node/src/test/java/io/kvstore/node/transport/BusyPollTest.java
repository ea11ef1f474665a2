package io.kvstore.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvstore.node.Node;
import io.kvstore.node.config.NodeConfig;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.Epoll;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * busy-poll and idle-spin-us: from the node's configuration to event loops that never sleep, or
 * that sleep once idle.
 */
class BusyPollTest {
  private static final long IDLE_MILLIS = 1_000;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @TempDir Path dir;

  @Test
  void theBusyStrategyPollsWhetherOrNotTasksWait() throws Exception {
    SelectStrategy strategy = UdpTransport.BUSY_WAIT.newSelectStrategy();
    assertThat(strategy.calculateStrategy(() -> 0, false)).isEqualTo(SelectStrategy.BUSY_WAIT);
    assertThat(strategy.calculateStrategy(() -> 0, true)).isEqualTo(SelectStrategy.BUSY_WAIT);
  }

  @Test
  void withBusyPollAnIdleEventLoopKeepsItsCoreBusy() throws Exception {
    assumeTrue(Epoll.isAvailable(), "busy-poll is native epoll only");
    long busy = idleEventLoopCpuMillis(true, 0);
    long sleeping = idleEventLoopCpuMillis(false, 0);
    // A spinning loop is always runnable: even on a machine whose cores are all taken it gets its
    // share of one (at load 10 on 2 cores, still ~90 ms a second). A sleeping one wakes only for
    // its timers: a few milliseconds at most.
    assertThat(busy).as("CPU ms of the busy-polling event loop in %d ms idle (the sleeping one: %d)",
            IDLE_MILLIS, sleeping)
        .isGreaterThan(30)
        .isGreaterThan(5 * sleeping + 5);
  }

  @Test
  void anEventLoopThatSpinsBeforeSleepingSleepsWhenIdle() throws Exception {
    assumeTrue(Epoll.isAvailable(), "the spin is native epoll only");
    long busy = idleEventLoopCpuMillis(true, 0);
    long spinning = idleEventLoopCpuMillis(false, NodeConfig.DEFAULT_IDLE_SPIN_MICROS);
    // Idle, the loop wakes only for its timers and spins 50 µs after each: well under 1% of a core.
    assertThat(spinning).as("CPU ms of the default event loop in %d ms idle (busy-poll: %d)",
            IDLE_MILLIS, busy)
        .isLessThan(20);
    assertThat(busy).isGreaterThan(5 * spinning + 5);
  }

  @Test
  void theSpinIsConfigurableAndBounded() {
    NodeConfig config = new NodeConfig();
    assertThat(config.idleSpinMicros).isEqualTo(NodeConfig.DEFAULT_IDLE_SPIN_MICROS);
    config.idleSpinMicros = 10_001;
    org.assertj.core.api.Assertions.assertThatThrownBy(config::validate)
        .hasMessageContaining("idle-spin-us")
        .hasMessageContaining("out of range 0-10000");
  }

  /** Starts a node (one event loop), leaves it idle, and returns the CPU its event loop used. */
  private long idleEventLoopCpuMillis(boolean busyPoll, int spinMicros) throws Exception {
    Set<Long> before = eventLoopThreads();
    NodeConfig config = new NodeConfig();
    config.memory = true;
    config.port = freeUdpPort();
    config.ioThreads = 1;
    config.busyPoll = busyPoll;
    config.idleSpinMicros = spinMicros;
    config.dataDir = dir.resolve((busyPoll ? "busy" : "sleeping") + spinMicros).toString();
    Node node = Node.start(config);
    try {
      assertThat(node.transport().isBusyPolling()).isEqualTo(busyPoll);
      Set<Long> loops = eventLoopThreads();
      loops.removeAll(before);
      assertThat(loops).as("the node's event loop").hasSize(1);
      long thread = loops.iterator().next();
      Thread.sleep(200); // start-up work done
      long from = THREADS.getThreadCpuTime(thread);
      Thread.sleep(IDLE_MILLIS);
      return (THREADS.getThreadCpuTime(thread) - from) / 1_000_000;
    } finally {
      node.close();
    }
  }

  private static int freeUdpPort() throws java.net.SocketException {
    try (java.net.DatagramSocket probe =
        new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  /** Netty names the threads of a MultiThreadIoEventLoopGroup after the class. */
  private static Set<Long> eventLoopThreads() {
    Set<Long> ids = new HashSet<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("multiThreadIoEventLoopGroup")) {
        ids.add(info.getThreadId());
      }
    }
    return ids;
  }
}
