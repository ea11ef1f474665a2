package io.kvstore.client;

/**
 * The client already has its maximum of requests in flight. Thrown instead of queueing so that a
 * caller that outruns the node sees back-pressure rather than unbounded memory growth.
 */
public final class TooManyOutstandingRequestsException extends KvException {
  private static final long serialVersionUID = 1L;

  TooManyOutstandingRequestsException(String node, int limit) {
    super(
        limit
            + " requests to "
            + node
            + " are already waiting for replies (the client's limit); wait for some to"
            + " complete before sending more, or raise maxOutstanding");
  }
}
