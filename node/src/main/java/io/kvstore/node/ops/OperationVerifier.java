package io.kvstore.node.ops;

import io.kvstore.node.ops.codec.MalformedOperationException;
import io.kvstore.node.ops.codec.OperationCodec;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.keys.TrustedKey;
import io.kvstore.node.ops.seen.SeenOperations;
import io.kvstore.node.runtime.Clock;
import io.kvstore.node.runtime.RateLimitedLog;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for any bytes from any source, whether an operation is accepted here and whether it
 * runs here. Checks in order (docs/OPERATIONS.md): well-formed, operations enabled, key trusted,
 * signature, not expired, not issued beyond the clock skew, validity within max-ttl, issued since
 * the replay memory began (a {@code --memory} node's starts with the process), id not seen
 * (remembered now, durably, so nothing runs twice), table not full, then targeted. Every refusal
 * is counted ({@link OpsStats}) and logged at most every 10 s per reason, naming id and source.
 * Thread-safe.
 */
public final class OperationVerifier {
  private static final Logger log = LoggerFactory.getLogger(OperationVerifier.class);
  static final long LOG_INTERVAL_MILLIS = 10_000;

  /**
   * The decision on one operation.
   *
   * @param op the decoded operation (null when malformed)
   * @param refusal why it is not run here, or null when it runs here
   */
  public record Verdict(SignedOperation op, OpsRefusal refusal) {
    /** Stored and spread (it may still not run here: not targeted). */
    public boolean accepted() {
      return refusal == null || refusal == OpsRefusal.NOT_TARGETED;
    }

    /** Accepted and to be run on this node. */
    public boolean runsHere() {
      return refusal == null;
    }
  }

  private final OpsConfig config;
  private final Clock clock;
  private final SeenOperations seen;
  private final String selfId;
  private final Map<String, String> labels;
  private final OpsStats stats;
  private final Map<String, TrustedKey> trusted = new HashMap<>();
  private final Map<OpsRefusal, RateLimitedLog> logs = new EnumMap<>(OpsRefusal.class);

  public OperationVerifier(OpsConfig config, Clock clock, SeenOperations seen, String selfId,
      Map<String, String> labels, OpsStats stats) {
    this.config = config;
    this.clock = clock;
    this.seen = seen;
    this.selfId = selfId;
    this.labels = Map.copyOf(labels);
    this.stats = stats;
    for (TrustedKey k : config.trustedKeys()) {
      trusted.put(k.fingerprintHex(), k);
    }
    for (OpsRefusal r : OpsRefusal.values()) {
      logs.put(r, r == OpsRefusal.NOT_TARGETED
          ? new RateLimitedLog(log::info, LOG_INTERVAL_MILLIS, clock)
          : new RateLimitedLog(log::warn, LOG_INTERVAL_MILLIS, clock));
    }
  }

  /** Verifies {@code bytes} received from {@code source}; an accepted operation is remembered. */
  public Verdict verify(byte[] bytes, InetSocketAddress source) {
    return verify(bytes, source, () -> true);
  }

  /**
   * As {@link #verify(byte[], InetSocketAddress)}, but asks {@code signatureBudget} right before
   * the signature check (the only costly step) and returns null, counting and checking nothing
   * more, when it says no. Refusals found before (malformed, disabled, untrusted key) cost no
   * budget, so junk cannot use up the checks a trusted operator's submission needs.
   */
  public Verdict verify(byte[] bytes, InetSocketAddress source, BooleanSupplier signatureBudget) {
    SignedOperation op;
    try {
      op = OperationCodec.decode(bytes);
    } catch (MalformedOperationException e) {
      return refuse(null, OpsRefusal.MALFORMED, source, e.getMessage());
    }
    return verify(op, source, signatureBudget);
  }

  /** Verifies a decoded operation (its structure is already checked). */
  public Verdict verify(SignedOperation op, InetSocketAddress source) {
    return verify(op, source, () -> true);
  }

  private Verdict verify(SignedOperation op, InetSocketAddress source, BooleanSupplier signatureBudget) {
    if (!config.enabled()) {
      return refuse(op, OpsRefusal.DISABLED, source, "this node trusts no operator key (ops.trusted-keys)");
    }
    TrustedKey key = trusted.get(HexFormat.of().formatHex(op.keyFingerprint()));
    if (key == null) {
      return refuse(op, OpsRefusal.UNTRUSTED_KEY, source,
          "key " + HexFormat.of().formatHex(op.keyFingerprint()) + " is not in ops.trusted-keys");
    }
    if (!signatureBudget.getAsBoolean()) {
      return null;
    }
    if (!op.signatureValidFor(key.key())) {
      return refuse(op, OpsRefusal.BAD_SIGNATURE, source, "signature does not verify with key " + key.name());
    }
    long now = clock.currentTimeMillis();
    if (now >= op.expiresAtMillis()) {
      return refuse(op, OpsRefusal.EXPIRED, source, "expired " + (now - op.expiresAtMillis()) + " ms ago");
    }
    if (op.issuedAtMillis() > now + config.maxClockSkewMillis()) {
      return refuse(op, OpsRefusal.NOT_YET_VALID, source,
          "issued " + (op.issuedAtMillis() - now) + " ms in this node's future (max-clock-skew-ms "
              + config.maxClockSkewMillis() + ")");
    }
    long ttl = op.expiresAtMillis() - op.issuedAtMillis();
    if (ttl > config.maxTtlMillis()) {
      return refuse(op, OpsRefusal.TTL_TOO_LONG, source,
          "valid " + ttl + " ms, over max-ttl-ms " + config.maxTtlMillis());
    }
    long since = seen.rememberedSinceMillis();
    // Accepted before this store began means issued before since + skew (issued-at may lead the
    // clock by the skew): such an operation may have run here already, and nothing says not.
    if (since != Long.MIN_VALUE && op.issuedAtMillis() < since + config.maxClockSkewMillis()) {
      return refuse(op, OpsRefusal.ISSUED_BEFORE_START, source,
          "issued before this node's replay memory began (a --memory node forgets accepted"
              + " operations when it stops); operations issued from " + (since + config.maxClockSkewMillis())
              + " ms on are accepted");
    }
    switch (seen.remember(op)) {
      case SEEN:
        return refuse(op, OpsRefusal.REPLAYED, source, "already accepted: it runs at most once");
      case FULL:
        return refuse(op, OpsRefusal.TABLE_FULL, source,
            "ops.max-active " + config.maxActive() + " operations held, none expired");
      case STORE_FAILED:
        return refuse(op, OpsRefusal.STORE_FAILED, source, "cannot be remembered durably");
      default:
        break;
    }
    stats.accepted.increment();
    if (!op.targets().matches(selfId, labels)) {
      return refuse(op, OpsRefusal.NOT_TARGETED, source, "targets " + op.targets() + " (kept and spread)");
    }
    return new Verdict(op, null);
  }

  private Verdict refuse(SignedOperation op, OpsRefusal reason, InetSocketAddress source, String why) {
    stats.refused(reason);
    String id = op == null ? "?" : op.idHex();
    logs.get(reason).warn("operation " + reason.wireName() + ": ", id + " from " + source + ": " + why);
    return new Verdict(op, reason);
  }
}
