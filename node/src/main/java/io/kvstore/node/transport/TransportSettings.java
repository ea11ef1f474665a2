package io.kvstore.node.transport;

import java.net.InetSocketAddress;

/**
 * Tuning of the UDP front end.
 *
 * @param bindAddress where to listen
 * @param ioThreads event loops (sockets sharing the port with SO_REUSEPORT where available)
 * @param queueCapacity requests an event loop may hold before answering 0x03 (system overload)
 * @param batchSize requests executed per turn of an event loop before it reads again
 * @param replyCacheBytes memory for the at-most-once reply cache, split among event loops
 * @param replyRetentionMillis how long replies must stay cached (5 s by protocol)
 * @param errorRepliesPerSecond error replies allowed per source and second
 * @param adminAllowList who may send SHUTDOWN and WIPEOUT
 * @param syncWrites fsync writes before acknowledging them (one fsync per event-loop turn)
 */
public record TransportSettings(
    InetSocketAddress bindAddress,
    int ioThreads,
    int queueCapacity,
    int batchSize,
    long replyCacheBytes,
    long replyRetentionMillis,
    double errorRepliesPerSecond,
    SourceAllowList adminAllowList,
    boolean syncWrites) {}
