package io.kvstore.node.ops.run;

/**
 * The port through which verified operations run their scripts. Production: {@link
 * BashScriptRunner}; the simulator records what it is asked to run instead.
 */
public interface ScriptRunner {
  /**
   * Runs {@code task} now or when a slot frees up, or refuses it ({@link OperationState#REFUSED},
   * reason {@code busy}) when {@code max-queued} tasks already wait. Never blocks; the result of
   * every state change goes to {@link RecentResults}.
   *
   * @return false if refused
   */
  boolean submit(ScriptTask task);
}
