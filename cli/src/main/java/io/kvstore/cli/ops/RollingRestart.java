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
    long deadline = System.nanoTime() + nodeTimeout.toNanos();
    String missing = null;
    while (System.nanoTime() < deadline) {
      missing = notAlive(witness, members);
      if (missing == null) {
        return;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new RolloutStopped(tag + ": not started: " + missing + " in the view of " + witness.id()
        + " after " + nodeTimeout.toSeconds() + " s; the remaining nodes were not restarted");
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
    long deadline = System.nanoTime() + nodeTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      int pid = pidOf(m.address());
      if (pid != 0 && pid != oldPid) {
        return pid;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new RolloutStopped(tag + ": no new process answered within " + nodeTimeout.toSeconds()
        + " s (is it run by a supervisor that restarts exit code 75? see docs/CLUSTER.md);"
        + " the remaining nodes were not restarted");
  }

  private void awaitFullView(MemberList.Entry m, int n, String tag) throws Exception {
    long deadline = System.nanoTime() + nodeTimeout.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      try (KvClient c = client(m.address())) {
        KvResult r = c.blocking().membershipCount();
        seen = r.isSuccess() ? r.intValue() : seen;
      } catch (KvException e) {
        // restarting: ask again
      }
      if (seen >= n) {
        return;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new RolloutStopped(tag + ": back, but sees " + seen + " of " + n + " members after "
        + nodeTimeout.toSeconds() + " s; the remaining nodes were not restarted");
  }

  private void awaitServing(MemberList.Entry m, String tag) throws Exception {
    long deadline = System.nanoTime() + nodeTimeout.toNanos();
    String last = "no reply";
    while (System.nanoTime() < deadline) {
      try (KvClient c = client(m.address())) {
        KvResult r = c.blocking().get(PROBE);
        if (r.isSuccess() || r.isNotFound()) {
          return;
        }
        last = r.describeCode();
      } catch (KvException e) {
        last = e.getMessage();
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new RolloutStopped(tag + ": back, but does not answer reads (" + last + ") after "
        + nodeTimeout.toSeconds() + " s; the remaining nodes were not restarted");
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
