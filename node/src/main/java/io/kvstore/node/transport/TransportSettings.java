package io.kvstore.node.transport;

import io.kvstore.node.request.PipelineSettings;
import java.net.InetSocketAddress;

/**
 * Tuning of the UDP front end.
 *
 * @param bindAddress where to listen
 * @param ioThreads event loops (sockets sharing the port with SO_REUSEPORT where available), each
 *     with its own request pipeline
 * @param replyCacheBytes memory for the at-most-once reply cache, split among event loops
 * @param pipeline tuning of each socket's request pipeline
 * @param busyPoll event loops spin on epoll instead of sleeping in it (one busy core each)
 * @param idleSpinMicros without busy-poll, how long an event loop keeps polling after its last
 *     datagram or wake-up before it sleeps (0: sleeps at once)
 */
public record TransportSettings(
    InetSocketAddress bindAddress,
    int ioThreads,
    long replyCacheBytes,
    PipelineSettings pipeline,
    boolean busyPoll,
    int idleSpinMicros) {}
