package io.kvstore.node.request;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.replication.ReplicationWiring;
import io.kvstore.node.service.KeyValueService;
import io.kvstore.node.sources.ClientSources;

/**
 * What every request pipeline of a node shares: settings and counters, the clock, the local
 * key-value service, the node's controls, the internal frame dispatch table, replication
 * (placement, the replica side, the coordinators' registry) and who is answered how much ({@link ClientSources}: allow-list and reply
 * budget). Each pipeline adds its own reply cache, loop and sink.
 */
public record PipelineWiring(
    PipelineSettings settings,
    RequestStats stats,
    Clock clock,
    KeyValueService service,
    NodeControl node,
    InternalDispatch dispatch,
    ReplicationWiring replication,
    ClientSources sources) {}
