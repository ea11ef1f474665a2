package io.kvstore.simulator;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.ResponseCode;

/**
 * One client request as the client saw it: invoked, then completed with a reply code or timed out
 * after the client's last retry (outcome unknown: it may or may not have executed).
 *
 * @param client the client's index
 * @param id the request id's sequence number (unique per client)
 * @param node the node the client sent it to (every retry goes there too)
 * @param value the value written (PUT) or read (GET with code 0x00); null otherwise
 * @param code the reply code, or {@link #TIMED_OUT}
 * @param attempts how many times the client sent the datagram
 */
public record Operation(
    int client,
    long id,
    Command command,
    byte[] key,
    byte[] value,
    int node,
    long invokedAtMillis,
    long completedAtMillis,
    int code,
    int attempts) {

  /** No reply after the last retry. */
  public static final int TIMED_OUT = -1;

  public boolean timedOut() {
    return code == TIMED_OUT;
  }

  public boolean succeeded() {
    return code == ResponseCode.SUCCESS.code;
  }
}
