package io.kvstore.client;

import java.time.Duration;

/** No reply arrived after the last retry. */
public final class KvTimeoutException extends KvException {
  private static final long serialVersionUID = 1L;

  private final String node;
  private final String command;
  private final int attempts;
  private final Duration waited;

  KvTimeoutException(String node, String command, int attempts, Duration waited, boolean refused) {
    super(
        "no reply from "
            + node
            + " to "
            + command
            + " after "
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + " in "
            + waited.toMillis()
            + " ms"
            + (refused ? " (the host reported the port unreachable: nothing listens there)" : "")
            + "; check that the node runs: ./kvstore is-alive --node "
            + node);
    this.node = node;
    this.command = command;
    this.attempts = attempts;
    this.waited = waited;
  }

  /** The node as HOST:PORT. */
  public String node() {
    return node;
  }

  public String command() {
    return command;
  }

  /** How many times the request was sent (1 + retries). */
  public int attempts() {
    return attempts;
  }

  /** Time from the first send to giving up. */
  public Duration waited() {
    return waited;
  }
}
