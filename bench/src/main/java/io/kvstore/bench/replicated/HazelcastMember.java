package io.kvstore.bench.replicated;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One Hazelcast member of the comparison cluster, in a JVM of its own (started by
 * bench/run-vs-hazelcast.sh with the same heap as a KVStore node). Loopback only: bound to the
 * given address, TCP-IP join with a fixed member list, multicast and auto-detection off, no phone
 * home. The benchmark map keeps 2 synchronous backups (3 copies, like KVStore's N=3) and no
 * asynchronous ones. Prints {@value #READY} once the cluster has all its members and every
 * partition is safe, then runs until the process is stopped.
 *
 * <pre>
 * java -cp benchmarks.jar io.kvstore.bench.replicated.HazelcastMember --port 5701
 *     --members 127.0.0.1:5701,127.0.0.1:5702,127.0.0.1:5703 [--cluster-name kvstore-bench]
 * </pre>
 */
public final class HazelcastMember {
  /** The map the harness uses. */
  public static final String MAP_NAME = "bench";

  /** Printed on stdout when the member is ready for load. */
  public static final String READY = "hazelcast member ready";

  private static final Duration FORM_TIMEOUT = Duration.ofSeconds(120);

  private HazelcastMember() {}

  /** The member configuration; public so that a test can check it without starting a member. */
  public static Config config(InetSocketAddress self, List<InetSocketAddress> members, String name) {
    Config config = new Config();
    config.setClusterName(name);
    config.setProperty("hazelcast.phone.home.enabled", "false"); // no traffic off this machine
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.local.localAddress", self.getHostString());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(self.getPort()).setPortAutoIncrement(false).setPortCount(1);
    network.getInterfaces().setEnabled(true).addInterface(self.getHostString());
    network.setPublicAddress(self.getHostString() + ":" + self.getPort());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (InetSocketAddress member : members) {
      join.getTcpIpConfig().addMember(member.getHostString() + ":" + member.getPort());
    }
    config.getJetConfig().setEnabled(false);
    config.addMapConfig(
        new MapConfig(MAP_NAME).setBackupCount(2).setAsyncBackupCount(0).setReadBackupData(false));
    return config;
  }

  public static void main(String[] args) throws InterruptedException {
    Args parsed = Args.parse(args);
    String host = parsed.text("--host", "127.0.0.1");
    InetSocketAddress self = new InetSocketAddress(host, parsed.integer("--port", 5701, 1, 65535));
    List<InetSocketAddress> members = parsed.addresses("--members", null);
    String name = parsed.text("--cluster-name", "kvstore-bench");
    parsed.requireAllUsed();
    HazelcastInstance instance = Hazelcast.newHazelcastInstance(config(self, members, name));
    long deadline = System.nanoTime() + FORM_TIMEOUT.toNanos();
    while (instance.getCluster().getMembers().size() < members.size()
        || !instance.getPartitionService().isClusterSafe()) {
      if (System.nanoTime() - deadline > 0) {
        System.err.println(
            "hazelcast member " + self + ": cluster not formed within " + FORM_TIMEOUT.toSeconds()
                + " s (" + instance.getCluster().getMembers().size() + " of " + members.size()
                + " members)");
        instance.shutdown();
        System.exit(1);
      }
      Thread.sleep(100);
    }
    System.out.println(READY + " on " + host + ":" + self.getPort());
    System.out.flush();
    Thread.currentThread().join(); // until SIGTERM: the shutdown hook leaves the cluster
  }
}
