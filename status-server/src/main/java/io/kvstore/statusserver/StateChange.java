package io.kvstore.statusserver;

import java.time.Instant;

/** A node's move from one state to another; {@code from} is null when the node was first seen. */
public record StateChange(Instant at, NodeState from, NodeState to) {}
