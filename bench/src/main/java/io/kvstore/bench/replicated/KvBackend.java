package io.kvstore.bench.replicated;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A system under test as the load harness sees it: asynchronous GET and PUT of 32-byte keys.
 * Stages must complete on the system's own threads (never block the caller) and must never
 * complete exceptionally: every failure is an {@link Outcome}.
 */
public interface KvBackend extends AutoCloseable {
  /** Short name used in the results, e.g. {@code kvstore} or {@code hazelcast}. */
  String system();

  CompletionStage<Outcome> get(byte[] key);

  CompletionStage<Outcome> put(byte[] key, byte[] value);

  /** Counters of the system's client worth reporting (retransmissions, timeouts), by name. */
  Map<String, Long> clientCounters();

  @Override
  void close();
}
