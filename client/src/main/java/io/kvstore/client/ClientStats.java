package io.kvstore.client;

/**
 * Counters of one client since it opened.
 *
 * @param requests requests submitted (each counted once, however often it was sent)
 * @param retransmissions sends after a timeout
 * @param timeouts requests that failed because no reply came after the last retry
 * @param unknownReplies replies whose request id matched nothing outstanding, e.g. a duplicate that
 *     arrived after the first copy already completed the request
 * @param malformedReplies replies that did not follow the protocol
 * @param outstanding requests waiting for a reply right now
 */
public record ClientStats(
    long requests,
    long retransmissions,
    long timeouts,
    long unknownReplies,
    long malformedReplies,
    int outstanding) {}
