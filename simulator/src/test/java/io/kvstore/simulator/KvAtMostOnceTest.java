package io.kvstore.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/**
 * At-most-once through the whole node under 20% loss and 10% duplication: clients retransmit
 * with the same id and bytes, coordinators forward again, owners answer retransmissions from their
 * reply cache; no PUT or REMOVE runs twice, every acknowledged write ran, and what clients were
 * told agrees with what the owners finally hold.
 */
class KvAtMostOnceTest {
  @SeededTest
  void noRequestRunsTwiceUnderLossAndDuplication(long seed) {
    Executions executions = new Executions();
    KvCluster cluster = KvCluster.formed(seed, 50, 20,
        KvCluster.Settings.defaults().withReplication(1, 1, 1).withStorage(executions.storage()), Duration.ofSeconds(60));
    executions.clock(cluster.sim()::elapsedMillis);
    cluster.network().setLoss(0.2).setDuplication(0.1);
    KvWorkload workload = new KvWorkload(cluster, 20);
    workload.start();
    cluster.sim().runFor(Duration.ofSeconds(12));
    workload.stop();
    cluster.sim().runFor(Duration.ofSeconds(3)); // the last requests end (1.5 s at most)

    List<Operation> history = cluster.history();
    assertThat(cluster.clients()).allMatch(c -> c.outstanding() == 0);
    assertThat(history).hasSizeGreaterThan(600);
    KvChecks.atMostOncePerRequest(executions);
    KvChecks.acknowledgedWritesWereExecuted(history, executions);
    KvChecks.noValueNobodyWrote(history);
    assertThat(KvChecks.outcomesMatchFinalState(cluster)).isGreaterThan(150);

    long retried = history.stream().filter(op -> op.attempts() > 1).count();
    long fromCache = cluster.nodes().stream().mapToLong(n -> n.core().stats().retransmissions.sum()).sum();
    long timedOut = history.stream().filter(Operation::timedOut).count();
    assertThat(retried).as("requests sent more than once").isGreaterThan(history.size() / 10);
    // A statistical floor (seeds give 108-126 of ~470 retried): the reply cache is exercised.
    assertThat(fromCache).as("retransmissions answered from a reply cache").isGreaterThan(retried / 5);
    assertThat(timedOut).as("requests given up").isLessThan(history.size() / 4);
    assertThat(cluster.nodes()).allMatch(KvNode::isUp);
    System.out.printf("seed %d: %d requests, %d retried, %d answered from cache, %d timed out, %d executions%n",
        seed, history.size(), retried, fromCache, timedOut, executions.all().size());
  }
}
