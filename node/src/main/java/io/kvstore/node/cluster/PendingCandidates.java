package io.kvstore.node.cluster;

import java.net.InetSocketAddress;

/**
 * {@link Admission}'s candidates whose probe is out, found by claim (id and address) and by nonce:
 * two open-addressing tables (linear probing) of the candidates themselves, instead of two
 * {@code HashMap}s whose lookups went through a node, a boxed key or a claim record each. While a
 * cluster forms every node offers each member many times while its probe is out, and those lookups
 * in a thousand nodes' tables were 9% of the simulator's samples at 1,000 nodes. Only insertion,
 * lookup and removal: nothing iterates them, so their order is nobody's concern.
 */
final class PendingCandidates {
  private static final int SMALL = 16;

  private Admission.Candidate[] byClaim = new Admission.Candidate[SMALL];
  private Admission.Candidate[] byNonce = new Admission.Candidate[SMALL];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The candidate for this claim, or null. */
  Admission.Candidate byClaim(NodeId id, InetSocketAddress address) {
    int mask = byClaim.length - 1;
    for (int i = claimHome(id, address, mask); ; i = (i + 1) & mask) {
      Admission.Candidate c = byClaim[i];
      if (c == null || (c.id.equals(id) && c.address.equals(address))) {
        return c;
      }
    }
  }

  /** The candidate probed with this nonce, or null. */
  Admission.Candidate byNonce(int nonce) {
    int mask = byNonce.length - 1;
    for (int i = nonceHome(nonce, mask); ; i = (i + 1) & mask) {
      Admission.Candidate c = byNonce[i];
      if (c == null || c.nonce == nonce) {
        return c;
      }
    }
  }

  /** Adds {@code c}, whose claim and nonce no candidate here has (the caller looked). */
  void add(Admission.Candidate c) {
    if (++size > byClaim.length / 4 * 3) {
      rehash(2 * byClaim.length);
    }
    put(byClaim, claimHome(c.id, c.address, byClaim.length - 1), c);
    put(byNonce, nonceHome(c.nonce, byNonce.length - 1), c);
  }

  /** Removes {@code c} if it is here (the very instance); whether it was. */
  boolean remove(Admission.Candidate c) {
    int claimSlot = slotOf(byClaim, claimHome(c.id, c.address, byClaim.length - 1), c);
    if (claimSlot < 0) {
      return false;
    }
    int nonceSlot = slotOf(byNonce, nonceHome(c.nonce, byNonce.length - 1), c);
    free(byClaim, claimSlot, true);
    free(byNonce, nonceSlot, false);
    size--;
    return true;
  }

  /** Back to small tables, when empty (a join's burst would otherwise keep them at their peak). */
  void shrinkIfEmpty() {
    if (size == 0 && byClaim.length > SMALL) {
      byClaim = new Admission.Candidate[SMALL];
      byNonce = new Admission.Candidate[SMALL];
    }
  }

  int capacity() {
    return byClaim.length;
  }

  private static int claimHome(NodeId id, InetSocketAddress address, int mask) {
    return LinearProbing.spread(31 * id.hashCode() + address.hashCode()) & mask;
  }

  private static int nonceHome(int nonce, int mask) {
    return LinearProbing.spread(nonce) & mask;
  }

  private static void put(Admission.Candidate[] table, int home, Admission.Candidate c) {
    int mask = table.length - 1;
    int i = home;
    while (table[i] != null) {
      i = (i + 1) & mask;
    }
    table[i] = c;
  }

  private static int slotOf(Admission.Candidate[] table, int home, Admission.Candidate c) {
    int mask = table.length - 1;
    for (int i = home; table[i] != null; i = (i + 1) & mask) {
      if (table[i] == c) {
        return i;
      }
    }
    return -1;
  }

  /** Frees {@code slot}, moving back later candidates of its cluster (no tombstones). */
  private static void free(Admission.Candidate[] table, int slot, boolean claims) {
    int mask = table.length - 1;
    int hole = slot;
    for (int i = (hole + 1) & mask; table[i] != null; i = (i + 1) & mask) {
      Admission.Candidate c = table[i];
      int home = claims ? claimHome(c.id, c.address, mask) : nonceHome(c.nonce, mask);
      if (LinearProbing.mayFill(home, hole, i, mask)) {
        table[hole] = c;
        hole = i;
      }
    }
    table[hole] = null;
  }

  private void rehash(int length) {
    Admission.Candidate[] old = byClaim;
    byClaim = new Admission.Candidate[length];
    byNonce = new Admission.Candidate[length];
    for (Admission.Candidate c : old) {
      if (c != null) {
        put(byClaim, claimHome(c.id, c.address, length - 1), c);
        put(byNonce, nonceHome(c.nonce, length - 1), c);
      }
    }
  }
}
