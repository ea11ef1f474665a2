package io.kvstore.bench.cluster;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvResult;
import io.kvstore.client.Keys;
import io.kvstore.node.storage.RocksDbStorageEngine;
import io.kvstore.node.storage.WalMode;
import io.kvstore.node.storage.StorageLimits;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Course-scale check with real processes (bench/fifty-nodes.sh starts them): writes KEYS keys
 * through all nodes, SHUTDOWNs a fifth of the nodes (the protocol's announced crash), waits for
 * the survivors to see them gone, then reads every key through the survivors and counts what
 * failed (keys with two of three replicas down answer 0x22: strict quorums), and again 90 s after
 * the shutdown, when the dead are forgotten and their ranges re-replicated; also reports each
 * node's resident memory. Prints one JSON line.
 *
 * <p>Which keys lost all three replicas is read from the shut-down nodes' own stores (opened once
 * they exited): such a key has no copy left in the running cluster, so once the dead are forgotten
 * its new replicas hold nothing and it reads "not found" (docs/REPLICATION.md, "More failures than
 * N-1"). Every other key must read back its value in the second pass.
 *
 * <p>Arguments: first-port node-count keys seed data-dir (the cluster's: node-1 .. node-N).
 */
public final class ShutdownFifth {
  /** The second read pass: after the dead are forgotten (60 s) and their ranges streamed anew. */
  static final int AFTER_FORGETTING_SECONDS = 90;

  private ShutdownFifth() {}

  public static void main(String[] args) throws Exception {
    int firstPort = Integer.parseInt(args[0]);
    int nodes = Integer.parseInt(args[1]);
    int keys = Integer.parseInt(args[2]);
    Random random = new Random(Long.parseLong(args[3]));
    Path dataDir = Path.of(args[4]);
    List<KvClient> clients = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      clients.add(KvClient.open(KvClientConfig.builder()
          .node(new InetSocketAddress("127.0.0.1", firstPort + i)).build()));
    }
    try {
      long[] rss = new long[nodes];
      int[] pids = new int[nodes];
      for (int i = 0; i < nodes; i++) {
        pids[i] = clients.get(i).blocking().getPid().intValue();
        rss[i] = rssKib(pids[i]);
      }
      int putFailures = 0;
      long started = System.nanoTime();
      for (int k = 0; k < keys; k++) {
        KvResult r = clients.get(k % nodes).blocking().put(key(k), value(k));
        putFailures += r.isSuccess() ? 0 : 1;
      }
      double putSeconds = (System.nanoTime() - started) / 1e9;
      System.err.printf("wrote %d keys in %.1f s (%d failed)%n", keys, putSeconds, putFailures);

      List<Integer> order = new ArrayList<>();
      for (int i = 1; i < nodes; i++) {
        order.add(i);
      }
      java.util.Collections.shuffle(order, random);
      List<Integer> victims = order.subList(0, nodes / 5);
      for (int v : victims) {
        KvResult r = clients.get(v).blocking().shutdown();
        if (!r.isSuccess()) {
          System.err.printf("SHUTDOWN of node %d answered %s%n", v, r);
        }
      }
      System.err.printf("SHUTDOWN sent to %d nodes: %s%n", victims.size(), victims);
      List<Integer> survivors = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        if (!victims.contains(i)) {
          survivors.add(i);
        }
      }
      long deadline = System.nanoTime() + 60_000_000_000L;
      int expected = nodes - victims.size();
      while (System.nanoTime() < deadline
          && clients.get(survivors.get(0)).blocking().membershipCount().intValue() != expected) {
        Thread.sleep(200);
      }
      double detectSeconds = (System.nanoTime() - started) / 1e9 - putSeconds;
      int failed = 0;
      int notFound = 0;
      int unavailable = 0;
      int wrong = 0;
      for (int k = 0; k < keys; k++) {
        KvResult r = clients.get(survivors.get(k % survivors.size())).blocking().get(key(k));
        if (r.isSuccess()) {
          if (!java.util.Arrays.equals(r.value(), value(k))) {
            wrong++;
            failed++;
          }
        } else {
          failed++;
          notFound += r.isNotFound() ? 1 : 0;
          unavailable += r.code() == 0x22 ? 1 : 0;
        }
      }
      // Keys with two of their three replicas among the fifth have no read quorum (0x22) until the
      // dead are forgotten (membership.dead-retention-ms, 60 s) and their ranges re-replicated.
      long shutdownAt = started + (long) (putSeconds * 1e9);
      long again = shutdownAt + AFTER_FORGETTING_SECONDS * 1_000_000_000L;
      while (System.nanoTime() < again) {
        Thread.sleep(500);
      }
      for (int v : victims) {
        String state = processState(pids[v]);
        if (state != null) {
          System.err.printf("node %d (pid %d) is still a process %d s after SHUTDOWN: state %s%n",
              v, pids[v], AFTER_FORGETTING_SECONDS, state);
        }
      }
      int[] copiesDown = copiesOnVictims(dataDir, victims, keys);
      int allCopiesDown = (int) java.util.Arrays.stream(copiesDown).filter(c -> c >= 3).count();
      int failedLater = 0;
      int notFoundLater = 0;
      int notFoundAllDown = 0;
      for (int k = 0; k < keys; k++) {
        KvResult r = clients.get(survivors.get(k % survivors.size())).blocking().get(key(k));
        if (copiesDown[k] >= 3) {
          notFoundAllDown += r.isNotFound() ? 1 : 0;
        } else if (!r.isSuccess() || !java.util.Arrays.equals(r.value(), value(k))) {
          failedLater++;
          notFoundLater += r.isNotFound() ? 1 : 0;
        }
      }
      System.err.printf("%d keys had all three replicas among the shut-down nodes; %d of them read"
          + " not found in the second pass%n", allCopiesDown, notFoundAllDown);
      long rssMax = java.util.Arrays.stream(rss).max().orElse(0);
      long rssSum = java.util.Arrays.stream(rss).sum();
      System.out.printf("{\"nodes\":%d,\"keys\":%d,\"put_failed\":%d,\"shut_down\":%d,"
              + "\"seconds_until_survivors_saw_%d\":%.1f,\"reads_failed\":%d,\"not_found\":%d,"
              + "\"unavailable\":%d,\"wrong_value\":%d,\"reads_failed_after_%ds\":%d,"
              + "\"not_found_after\":%d,\"keys_with_all_replicas_down\":%d,"
              + "\"of_those_not_found_after\":%d,\"rss_mean_mib\":%.1f,\"rss_max_mib\":%.1f}%n",
          nodes, keys, putFailures, victims.size(), expected, detectSeconds, failed, notFound,
          unavailable, wrong, AFTER_FORGETTING_SECONDS, failedLater, notFoundLater, allCopiesDown,
          notFoundAllDown,
          rssSum / 1024.0 / nodes, rssMax / 1024.0);
      System.exit(failedLater == 0 && notFound == 0 && wrong == 0 && putFailures == 0 ? 0 : 1);
    } finally {
      clients.forEach(KvClient::close);
    }
  }

  /** Per key, how many of the shut-down nodes hold it (each node's RocksDB, opened after it exited). */
  private static int[] copiesOnVictims(Path dataDir, List<Integer> victims, int keys) {
    int[] copies = new int[keys];
    for (int v : victims) {
      Path dir = dataDir.resolve("node-" + (v + 1)); // ./kvstore cluster numbers its nodes from 1
      try (RocksDbStorageEngine store = RocksDbStorageEngine.open(dir, StorageLimits.UNLIMITED, WalMode.EVERY_WRITE)) {
        for (int k = 0; k < keys; k++) {
          copies[k] += store.get(key(k)) != null ? 1 : 0;
        }
      } catch (RuntimeException e) {
        System.err.printf("could not open %s (%s): its keys count as not down%n", dir, e.getMessage());
      }
    }
    return copies;
  }

  private static byte[] key(int k) {
    return Keys.sha256("fifty-nodes-key-" + k);
  }

  private static byte[] value(int k) {
    return ("value-" + k).getBytes(StandardCharsets.UTF_8);
  }

  /** The state letter of a process that has not exited (R, S, D, T; Z: exited, not reaped), or null. */
  private static String processState(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (Exception e) {
      return null;
    }
  }

  private static long rssKib(int pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      // not on Linux, or the process is gone: unknown
    }
    return 0;
  }
}
