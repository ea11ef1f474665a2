package io.kvstore.simulator;

import io.kvstore.node.runtime.Scheduler;

/**
 * The processes of one simulated node: which start is running, whether it is up, and how late it
 * runs (CPU starvation). Timers and sends of a process that has ended never take effect, as after
 * kill -9; a restart is a new generation.
 */
final class SimProcess {
  private final Simulation sim;
  private int generation;
  private boolean up;
  private long slownessMillis;

  SimProcess(Simulation sim) {
    this.sim = sim;
  }

  /** Starts a new process of {@code node} and returns its generation. */
  int start(Object node) {
    if (up) {
      throw new IllegalStateException(node + " is already running");
    }
    up = true;
    return ++generation;
  }

  /** Ends the running process (its timers and sends are void from now on). */
  void stop() {
    up = false;
  }

  boolean isUp() {
    return up;
  }

  int generation() {
    return generation;
  }

  boolean isRunning(int processGeneration) {
    return up && generation == processGeneration;
  }

  long slownessMillis() {
    return slownessMillis;
  }

  void setSlowness(long millis) {
    slownessMillis = millis;
  }

  /** The timers of one process: late by the node's slowness, and void once it has ended. */
  Scheduler scheduler(int processGeneration) {
    return (delayMillis, task) ->
        sim.after(delayMillis + slownessMillis, () -> {
          if (isRunning(processGeneration)) {
            task.run();
          }
        });
  }
}
