package io.kvstore.node.monitor;

import io.kvstore.node.cluster.MalformedMessageException;
import io.kvstore.protocol.AddressCodec;
import io.kvstore.protocol.InternalFrame;
import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary encoding of the monitoring messages (internal types 0x40 and 0x41, docs/MONITORING.md).
 *
 * <pre>
 * ROUND  (0x40): round (8) | monitor address | spread window ms (4) | fanout (1) | hops left (1)
 * REPORT (0x41): round (8) | sent at ms (8) | node id | node address |
 *                labels: count (1), then key, value | stats: count (2), then
 *                name | unit | kind (1) | value (8, double) or text
 * strings: length (2) + UTF-8; addresses: length (1, 4 or 16) + bytes + port (2)
 * </pre>
 *
 * Decoding checks every length against limits, so a malformed or oversized report is rejected
 * with {@link MalformedMessageException}, never an allocation of an attacker's choosing.
 */
public final class StatusCodec {
  public static final int ROUND = 0x40;
  public static final int REPORT = 0x41;
  /** Reports larger than this are refused (and never produced). */
  public static final int MAX_REPORT_BYTES = 16 * 1024;
  public static final int MAX_STATS = 256;
  public static final int MAX_LABELS = 32;
  private static final int MAX_STRING = 1024;

  private StatusCodec() {}

  /** A request to collect status: spread it epidemically, and report to {@code monitor}. */
  public record Round(long round, InetSocketAddress monitor, int spreadWindowMillis, int fanout, int hopsLeft) {}

  public static boolean handles(int type) {
    return type == ROUND || type == REPORT;
  }

  public static byte[] encodeRound(byte[] frameId, Round r) {
    ByteBuffer out = ByteBuffer.allocate(InternalFrame.HEADER + 8 + 19 + 4 + 2);
    InternalFrame.writeHeader(out, frameId, ROUND);
    out.putLong(r.round());
    AddressCodec.put(out, r.monitor());
    out.putInt(r.spreadWindowMillis()).put((byte) r.fanout()).put((byte) r.hopsLeft());
    return trim(out);
  }

  public static Round decodeRound(ByteBuffer body) {
    try {
      long round = body.getLong();
      InetSocketAddress monitor = AddressCodec.get(body);
      int window = body.getInt();
      int fanout = body.get() & 0xFF;
      int hops = body.get() & 0xFF;
      if (window < 0 || window > 3_600_000) {
        throw new MalformedMessageException("spread window of " + window + " ms");
      }
      return new Round(round, monitor, window, fanout, hops);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedMessageException("truncated or invalid round: " + e.getMessage());
    }
  }

  public static byte[] encodeReport(byte[] frameId, StatusReport r) {
    ByteBuffer out = ByteBuffer.allocate(MAX_REPORT_BYTES);
    InternalFrame.writeHeader(out, frameId, REPORT);
    out.putLong(r.round()).putLong(r.sentAtMillis());
    putString(out, r.nodeId());
    AddressCodec.put(out, r.address());
    out.put((byte) Math.min(MAX_LABELS, r.labels().size()));
    int labels = 0;
    for (Map.Entry<String, String> e : r.labels().entrySet()) {
      if (labels++ == MAX_LABELS) {
        break;
      }
      putString(out, e.getKey());
      putString(out, e.getValue());
    }
    int countAt = out.position();
    out.putShort((short) 0);
    int count = 0;
    for (Stat s : r.stats()) {
      // Leave room for the HMAC tag; a stat that does not fit is left out, not the report.
      if (count == MAX_STATS || out.remaining() < 64 + s.name().length() + s.unit().length()
          + (s.text() == null ? 0 : s.text().length())) {
        break;
      }
      putString(out, s.name());
      putString(out, s.unit());
      out.put((byte) s.kind().ordinal());
      if (s.kind() == Stat.Kind.TEXT) {
        putString(out, s.text());
      } else {
        out.putDouble(s.value());
      }
      count++;
    }
    out.putShort(countAt, (short) count);
    return trim(out);
  }

  public static StatusReport decodeReport(ByteBuffer body) {
    if (body.remaining() > MAX_REPORT_BYTES) {
      throw new MalformedMessageException("report of " + body.remaining() + " bytes is too large");
    }
    try {
      long round = body.getLong();
      long sentAt = body.getLong();
      String nodeId = getString(body);
      if (nodeId.isEmpty()) {
        throw new MalformedMessageException("report without a node id");
      }
      InetSocketAddress address = AddressCodec.get(body);
      int labelCount = body.get() & 0xFF;
      if (labelCount > MAX_LABELS) {
        throw new MalformedMessageException(labelCount + " labels");
      }
      Map<String, String> labels = new LinkedHashMap<>();
      for (int i = 0; i < labelCount; i++) {
        labels.put(getString(body), getString(body));
      }
      int statCount = body.getShort() & 0xFFFF;
      if (statCount > MAX_STATS) {
        throw new MalformedMessageException(statCount + " stats");
      }
      List<Stat> stats = new ArrayList<>(statCount);
      Stat.Kind[] kinds = Stat.Kind.values();
      for (int i = 0; i < statCount; i++) {
        String name = getString(body);
        String unit = getString(body);
        int kind = body.get() & 0xFF;
        if (kind >= kinds.length || name.isEmpty()) {
          throw new MalformedMessageException("bad stat " + name);
        }
        stats.add(
            kinds[kind] == Stat.Kind.TEXT
                ? new Stat(name, unit, Stat.Kind.TEXT, Double.NaN, getString(body))
                : new Stat(name, unit, kinds[kind], body.getDouble(), null));
      }
      return new StatusReport(nodeId, address, round, sentAt, labels, stats);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedMessageException("truncated or invalid report: " + e);
    }
  }

  private static void putString(ByteBuffer out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int len = Math.min(b.length, MAX_STRING);
    out.putShort((short) len).put(b, 0, len);
  }

  private static String getString(ByteBuffer in) {
    int len = in.getShort() & 0xFFFF;
    if (len > MAX_STRING || len > in.remaining()) {
      throw new MalformedMessageException("string of " + len + " bytes");
    }
    byte[] b = new byte[len];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }



  private static byte[] trim(ByteBuffer out) {
    byte[] b = new byte[out.position()];
    out.flip().get(b);
    return b;
  }
}
