package io.kvstore.node.ops.seen;

import io.kvstore.node.ops.codec.MalformedOperationException;
import io.kvstore.node.ops.codec.OperationCodec;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.runtime.Clock;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay memory and the table of operations this node holds (and spreads): every accepted
 * operation until its expires-at on this node's wall clock, at most {@code maxActive}. When full,
 * new operations are refused, never an unexpired id forgotten early. Every accepted operation is
 * written to the {@link SeenStore} before it counts as accepted, so a restart never runs one
 * twice. Thread-safe (the submit path and the membership thread both remember).
 */
public final class SeenOperations {
  private static final Logger log = LoggerFactory.getLogger(SeenOperations.class);

  /** What {@link #remember} did. */
  public enum Outcome { ADDED, SEEN, FULL, STORE_FAILED }

  /** An operation id as a map key. */
  public record Id(long high, long low) {
    public static Id of(byte[] id) {
      ByteBuffer b = ByteBuffer.wrap(id);
      return new Id(b.getLong(), b.getLong());
    }
  }

  /** A held operation; {@code op} is null for an id whose stored record was unreadable. */
  private record Entry(SignedOperation op, long expiresAtMillis) {}

  private final int maxActive;
  private final Clock clock;
  private final SeenStore store;
  private final Map<Id, Entry> entries = new LinkedHashMap<>();

  /**
   * Loads what {@code store} remembers, dropping what has expired. An unreadable record keeps its
   * id for {@code unreadableKeepMillis} (the longest an operation can be valid).
   */
  public SeenOperations(int maxActive, Clock clock, SeenStore store, long unreadableKeepMillis) {
    this.maxActive = maxActive;
    this.clock = clock;
    this.store = store;
    long now = clock.currentTimeMillis();
    for (SeenStore.Stored s : store.load()) {
      if (s.id().length != SignedOperation.ID_BYTES) {
        continue;
      }
      SignedOperation op = null;
      if (s.bytes() != null) {
        try {
          op = OperationCodec.decode(s.bytes());
        } catch (MalformedOperationException e) {
          op = null;
        }
      }
      if (op == null || !java.util.Arrays.equals(op.id(), s.id())) {
        log.warn("remembered operation {} is unreadable: its id is kept {} ms, so it cannot run again",
            java.util.HexFormat.of().formatHex(s.id()), unreadableKeepMillis);
        entries.put(Id.of(s.id()), new Entry(null, now + unreadableKeepMillis));
      } else if (op.expiresAtMillis() > now) {
        entries.put(Id.of(op.id()), new Entry(op, op.expiresAtMillis()));
      } else {
        store.remove(op.id());
      }
    }
  }

  /** Remembers {@code op} unless its id is known or the table is full of unexpired operations. */
  public synchronized Outcome remember(SignedOperation op) {
    Id id = Id.of(op.id());
    if (entries.containsKey(id)) {
      return Outcome.SEEN;
    }
    if (entries.size() >= maxActive) {
      expire();
      if (entries.size() >= maxActive) {
        return Outcome.FULL;
      }
    }
    try {
      store.add(op);
    } catch (UncheckedIOException e) {
      log.error("cannot remember operation {} durably: not accepted", op.idHex(), e);
      return Outcome.STORE_FAILED;
    }
    entries.put(id, new Entry(op, op.expiresAtMillis()));
    return Outcome.ADDED;
  }

  /** Whether the id {@code id} (16 bytes) is remembered (expired or not, until dropped). */
  public synchronized boolean contains(byte[] id) {
    return entries.containsKey(Id.of(id));
  }

  /** The held operation {@code id}, or null when unknown, unreadable or expired. */
  public synchronized SignedOperation get(byte[] id) {
    Entry e = entries.get(Id.of(id));
    return e == null || e.op == null || e.expiresAtMillis <= clock.currentTimeMillis() ? null : e.op;
  }

  /** The unexpired operations held, oldest first. */
  public synchronized List<SignedOperation> active() {
    long now = clock.currentTimeMillis();
    List<SignedOperation> out = new ArrayList<>(entries.size());
    for (Entry e : entries.values()) {
      if (e.op != null && e.expiresAtMillis > now) {
        out.add(e.op);
      }
    }
    return out;
  }

  /** Ids remembered, expired ones included until the next {@link #expire}. */
  /** See {@link SeenStore#rememberedSinceMillis()}. */
  public long rememberedSinceMillis() {
    return store.rememberedSinceMillis();
  }

  public synchronized int size() {
    return entries.size();
  }

  /** Drops every expired id (from the store too); returns how many. */
  public synchronized int expire() {
    long now = clock.currentTimeMillis();
    int dropped = 0;
    for (Iterator<Map.Entry<Id, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Id, Entry> e = it.next();
      if (e.getValue().expiresAtMillis <= now) {
        it.remove();
        ByteBuffer id = ByteBuffer.allocate(16).putLong(e.getKey().high()).putLong(e.getKey().low());
        store.remove(id.array());
        dropped++;
      }
    }
    return dropped;
  }
}
