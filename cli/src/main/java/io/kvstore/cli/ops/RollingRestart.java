package io.kvstore.cli.ops;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvException;
import io.kvstore.client.KvResult;
import io.kvstore.client.Keys;
import io.kvstore.client.MemberList;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A rolling restart (docs/OPERATIONS.md): restarts the members one at a time, and starts the
 * next only once the previous one is back (a new process answers), sees every member alive,
 * answers reads (its view settled, its ranges complete) and has had {@code settle} for the hints
 * the others kept for it to arrive. Before each node, every member must be alive in the view of
 * another one; otherwise it stops and says so, leaving the remaining nodes untouched. How a node
 * is told to restart is the {@link Restarter} port: a signed operation targeted at it.
 */
public final class RollingRestart {
  /** Asks one member to restart (it leaves DATA_DIR/restart-requested and stops with exit 75). */
  @FunctionalInterface
  public interface Restarter {
    /** Returns what to print about the request (e.g. the operation id). */
    String restart(MemberList.Entry member) throws Exception;
  }

  /** A node did not come back, or the cluster was not healthy: the rollout stops there. */
  public static final class RolloutStopped extends Exception {
    RolloutStopped(String message) {
      super(message);
    }
  }

  private static final byte[] PROBE = Keys.sha256("kvstore rolling restart readiness probe");
  private static final long POLL_MILLIS = 200;

  private final Restarter restarter;
  private final Duration nodeTimeout;
  private final Duration settle;
  private final PrintStream out;

  public RollingRestart(Restarter restarter, Duration nodeTimeout, Duration settle, PrintStream out) {
    this.restarter = restarter;
    this.nodeTimeout = nodeTimeout;
    this.settle = settle;
    this.out = out;
  }

  /** Restarts every member of {@code members} in order; returns the total time in milliseconds. */
  public long run(List<MemberList.Entry> members) throws Exception {
    long started = System.nanoTime();
    int n = members.size();
    for (int i = 0; i < n; i++) {
      MemberList.Entry m = members.get(i);
      MemberList.Entry witness = members.get((i + 1) % n);
      String tag = String.format(Locale.ROOT, "[%d/%d] %s %s", i + 1, n, m.id(), hostPort(m.address()));
      requireAllAlive(witness, members, tag);
      int oldPid = pidOf(m.address());
      out.printf("%s: restarting (pid %d)%n", tag, oldPid);
      out.flush();
      out.printf("%s: %s%n", tag, restarter.restart(m));
      long t0 = System.nanoTime();
      int newPid = awaitNewProcess(m, oldPid, tag);
      awaitFullView(m, n, tag);
      awaitServing(m, tag);
      double back = (System.nanoTime() - t0) / 1e9;
      out.printf(Locale.ROOT, "%s: back in %.1f s (pid %d -> %d), sees %d members, answers reads;"
          + " settling %d ms%n", tag, back, oldPid, newPid, n, settle.toMillis());
      Thread.sleep(settle.toMillis());
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    out.printf(Locale.ROOT, "rolling restart of %d nodes done in %.1f s%n", n, millis / 1000.0);
    return millis;
  }

  private void requireAllAlive(MemberList.Entry witness, List<MemberList.Entry> members, String tag)
      throws Exception {
    String missing = await(() -> notAlive(witness, members));
    if (missing != null) {
      throw new RolloutStopped(tag + ": not started: " + missing + " in the view of " + witness.id()
          + " after " + nodeTimeout.toSeconds() + " s; the remaining nodes were not restarted");
    }
  }

  /**
   * Asks {@code problem} every {@link #POLL_MILLIS} until it answers null (done), for at most
   * {@code nodeTimeout}; returns null when done, else the last problem it named.
   */
  private String await(java.util.function.Supplier<String> problem) throws InterruptedException {
    long deadline = System.nanoTime() + nodeTimeout.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      last = problem.get();
      if (last == null) {
        return null;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return last == null ? "not asked" : last;
  }

  /** Null if {@code witness} sees every member alive, else what it does not see. */
  private static String notAlive(MemberList.Entry witness, List<MemberList.Entry> members) {
    List<MemberList.Entry> view;
    try (KvClient c = client(witness.address())) {
      view = c.blocking().listAllMembers();
    } catch (KvException e) {
      return witness.id() + " does not answer (" + e.getMessage() + ")";
    }
    for (MemberList.Entry m : members) {
      boolean alive = view.stream().anyMatch(v -> v.id().equals(m.id()) && v.state().equals("alive"));
      if (!alive) {
        return m.id() + " is not alive";
      }
    }
    return null;
  }

  private int awaitNewProcess(MemberList.Entry m, int oldPid, String tag) throws Exception {
    int[] pid = {0};
    String problem = await(() -> {
      pid[0] = pidOf(m.address());
      return pid[0] != 0 && pid[0] != oldPid ? null : "the old process or none answers";
    });
    if (problem != null) {
      throw new RolloutStopped(tag + ": no new process answered within " + nodeTimeout.toSeconds()
          + " s (is it run by a supervisor that restarts exit code 75? see docs/CLUSTER.md);"
          + " the remaining nodes were not restarted");
    }
    return pid[0];
  }

  private void awaitFullView(MemberList.Entry m, int n, String tag) throws Exception {
    int[] seen = {0};
    String problem = await(() -> {
      try (KvClient c = client(m.address())) {
        KvResult r = c.blocking().membershipCount();
        seen[0] = r.isSuccess() ? r.intValue() : seen[0];
      } catch (KvException e) {
        // restarting: ask again
      }
      return seen[0] >= n ? null : "sees " + seen[0] + " of " + n + " members";
    });
    if (problem != null) {
      throw new RolloutStopped(tag + ": back, but " + problem + " after " + nodeTimeout.toSeconds()
          + " s; the remaining nodes were not restarted");
    }
  }

  private void awaitServing(MemberList.Entry m, String tag) throws Exception {
    String problem = await(() -> {
      try (KvClient c = client(m.address())) {
        KvResult r = c.blocking().get(PROBE);
        return r.isSuccess() || r.isNotFound() ? null : r.describeCode();
      } catch (KvException e) {
        return e.getMessage();
      }
    });
    if (problem != null) {
      throw new RolloutStopped(tag + ": back, but does not answer reads (" + problem + ") after "
          + nodeTimeout.toSeconds() + " s; the remaining nodes were not restarted");
    }
  }

  private static int pidOf(InetSocketAddress address) {
    try (KvClient c = client(address)) {
      KvResult r = c.blocking().getPid();
      return r.isSuccess() ? r.intValue() : 0;
    } catch (KvException e) {
      return 0;
    }
  }

  private static KvClient client(InetSocketAddress address) {
    return KvClient.open(KvClientConfig.builder().node(address).timeout(Duration.ofMillis(300))
        .retries(2).build());
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
