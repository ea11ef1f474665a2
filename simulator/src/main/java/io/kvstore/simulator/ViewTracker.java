package io.kvstore.simulator;

import io.kvstore.node.cluster.Member;
import io.kvstore.node.cluster.MemberState;
import io.kvstore.node.cluster.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows every running node's view through the membership listeners, so that "does everyone see
 * X alive?" costs O(1) instead of asking N views. It counts, for each member, how many running
 * nodes other than itself see it ALIVE and how many see it live (ALIVE or SUSPECT), and it records
 * every time a running node is declared dead by someone: a false positive.
 */
public final class ViewTracker {
  private final Simulation sim;
  private final List<SimNode> nodes = new ArrayList<>();
  private final Map<NodeId, SimNode> byId = new HashMap<>();
  private final List<Verdict> wrongVerdicts = new ArrayList<>();
  private int[] aliveSeers = new int[16];
  private int[] liveSeers = new int[16];
  private int running;
  /** Sum of {@link #aliveSeers}: (observer, subject) pairs with the subject ALIVE in the view. */
  private long aliveViews;

  /** A node declared {@code subject} dead while it was running. */
  public record Verdict(long elapsedMillis, NodeId observer, NodeId subject) {}

  ViewTracker(Simulation sim) {
    this.sim = sim;
  }

  void register(SimNode node) {
    nodes.add(node);
    byId.put(node.id(), node);
    if (node.index() >= aliveSeers.length) {
      aliveSeers = Arrays.copyOf(aliveSeers, 2 * aliveSeers.length);
      liveSeers = Arrays.copyOf(liveSeers, 2 * liveSeers.length);
    }
  }

  void onStarted() {
    running++;
  }

  /** A stopping node's view disappears with it. */
  void onStopped(SimNode observer) {
    running--;
    for (Member m : observer.membership().members()) {
      if (!m.id().equals(observer.id())) {
        count(m, -1);
      }
    }
  }

  void onChange(SimNode observer, Member before, Member after) {
    if (before != null) {
      count(before, -1);
    }
    count(after, +1);
    boolean newlyDead = after.state() == MemberState.DEAD
        && (before == null || before.state() != MemberState.DEAD);
    SimNode subject = byId.get(after.id());
    if (newlyDead && subject != null && subject.isUp()) {
      wrongVerdicts.add(new Verdict(sim.elapsedMillis(), observer.id(), subject.id()));
    }
  }

  private void count(Member m, int delta) {
    SimNode subject = byId.get(m.id());
    if (subject == null) {
      return; // an id no simulated node has (a forgery)
    }
    if (m.state() == MemberState.ALIVE) {
      aliveSeers[subject.index()] += delta;
      aliveViews += delta;
    }
    if (m.state().isLive()) {
      liveSeers[subject.index()] += delta;
    }
  }

  /** Every other running node sees {@code node} ALIVE. */
  public boolean isAliveEverywhere(SimNode node) {
    return aliveSeers[node.index()] == others(node);
  }

  /**
   * Every other running node sees {@code node} live (ALIVE or SUSPECT). Under message loss some
   * node is nearly always suspected somewhere, so this is what "everyone knows it" means there.
   */
  public boolean isLiveEverywhere(SimNode node) {
    return liveSeers[node.index()] == others(node);
  }

  /** No running node sees {@code node} live (it is DEAD, LEFT or forgotten everywhere). */
  public boolean isGoneEverywhere(SimNode node) {
    return liveSeers[node.index()] == 0;
  }

  /** Every running node sees every other running node ALIVE: one complete, healthy view. */
  public boolean isConverged() {
    for (SimNode node : nodes) {
      if (node.isUp() && !isAliveEverywhere(node)) {
        return false;
      }
    }
    return true;
  }

  /** Every running node sees every other running node live: one complete view, under loss. */
  public boolean isLiveConverged() {
    for (SimNode node : nodes) {
      if (node.isUp() && !isLiveEverywhere(node)) {
        return false;
      }
    }
    return true;
  }

  private int others(SimNode node) {
    return running - (node.isUp() ? 1 : 0);
  }

  /** Running nodes that see {@code node} ALIVE. */
  public int aliveSeers(SimNode node) {
    return aliveSeers[node.index()];
  }

  /** Share of the (observer, subject) pairs of running nodes in which the subject is ALIVE. */
  public double aliveShare() {
    return running < 2 ? 1 : aliveViews / ((double) running * (running - 1));
  }

  public int running() {
    return running;
  }

  /** Every time a running node was declared dead, in order. */
  public List<Verdict> wrongVerdicts() {
    return Collections.unmodifiableList(wrongVerdicts);
  }
}
