package io.kvstore.node.ops.run;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Signals to a whole process group through the {@code kill} binary (the JDK can signal a process,
 * not a group): a script's children, also backgrounded ones, share its group, so ending the group
 * ends all of them.
 */
final class ProcessGroups {
  private ProcessGroups() {}

  /** Sends SIGTERM to every process of group {@code pgid}; false if the group is gone. */
  static boolean terminate(long pgid) {
    return kill("-TERM", pgid);
  }

  /** Sends SIGKILL to every process of group {@code pgid}; false if the group is gone. */
  static boolean killHard(long pgid) {
    return kill("-KILL", pgid);
  }

  /** True while any process of group {@code pgid} exists. */
  static boolean alive(long pgid) {
    return kill("-0", pgid);
  }

  /**
   * Ends group {@code pgid}: SIGTERM, then SIGKILL if any member is still there after {@code
   * graceMillis}. Blocks at most about {@code graceMillis}.
   */
  static void end(long pgid, long graceMillis) throws InterruptedException {
    if (!terminate(pgid)) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      if (!alive(pgid)) {
        return;
      }
    }
    killHard(pgid);
  }

  private static boolean kill(String signal, long pgid) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    try {
      Process kill =
          new ProcessBuilder("kill", signal, "--", "-" + pgid)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        return true;
      }
      return kill.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
