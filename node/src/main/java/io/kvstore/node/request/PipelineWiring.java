package io.kvstore.node.request;

import io.kvstore.node.runtime.Clock;
import io.kvstore.node.service.KeyValueService;

/**
 * What every request pipeline of a node shares: settings and counters, the clock, the local
 * key-value service, the node's controls, routing, the internal frame dispatch table and the
 * forwarding table. Each pipeline adds its own reply cache, loop and sink.
 */
public record PipelineWiring(
    PipelineSettings settings,
    RequestStats stats,
    Clock clock,
    KeyValueService service,
    NodeControl node,
    KeyRouter router,
    InternalDispatch dispatch,
    Forwarding forwarding) {}
