package io.kvstore.simulator;

import io.kvstore.protocol.Command;

/**
 * Watches every request of the simulated clients as it starts and as it ends, for a test that
 * records them (into a history checker's recorder, say). Runs on the simulation thread.
 */
public interface ClientRecorder {
  ClientRecorder NONE = new ClientRecorder() {
    @Override
    public long invoked(int client, Command command, byte[] key, byte[] value) {
      return 0;
    }

    @Override
    public void completed(long handle, Operation op) {}
  };

  /**
   * A request is about to be sent for the first time.
   *
   * @param value the value of a PUT; null otherwise
   * @return a handle given back to {@link #completed} with the outcome
   */
  long invoked(int client, Command command, byte[] key, byte[] value);

  /** The request was answered, or given up after the last retry ({@link Operation#timedOut}). */
  void completed(long handle, Operation op);
}
