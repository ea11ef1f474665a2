package io.kvstore.node.ops.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Which nodes run an operation: every node, the nodes with the given ids, or the nodes whose
 * config has the label {@code name=value} (the same {@code labels:} map their status reports
 * carry). Every node stores and spreads an operation; only targeted nodes run it.
 */
public record TargetSelector(Kind kind, List<String> ids, String labelName, String labelValue) {
  /** Wire values of the kind byte. */
  public enum Kind {
    ALL(0), IDS(1), LABEL(2);

    public final int code;

    Kind(int code) {
      this.code = code;
    }

    static Kind fromCode(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      return null;
    }
  }

  /** The selector text stays small, so that any operation fits one frame. */
  public static final int MAX_TEXT_BYTES = 4096;
  /** Node ids are at most this long (NodeId.MAX_BYTES). */
  static final int MAX_ID_BYTES = 64;

  public static final TargetSelector ALL = new TargetSelector(Kind.ALL, List.of(), null, null);

  public TargetSelector {
    ids = List.copyOf(ids);
  }

  /** The nodes with these ids. */
  public static TargetSelector ids(List<String> ids) {
    TargetSelector s = new TargetSelector(Kind.IDS, ids, null, null);
    s.check();
    return s;
  }

  /** The nodes labelled {@code name=value}. */
  public static TargetSelector label(String name, String value) {
    TargetSelector s = new TargetSelector(Kind.LABEL, List.of(), name, value);
    s.check();
    return s;
  }

  /** Parses the CLI's {@code --targets}: {@code all}, {@code ID,ID,...} or {@code name=value}. */
  public static TargetSelector parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("targets are empty: say all, ID,ID,... or label=value");
    }
    String t = text.trim();
    if (t.equals("all")) {
      return ALL;
    }
    int eq = t.indexOf('=');
    if (eq >= 0) {
      return label(t.substring(0, eq), t.substring(eq + 1));
    }
    return ids(Arrays.stream(t.split(",", -1)).map(String::trim).toList());
  }

  /** Whether the node {@code nodeId} with {@code labels} runs the operation. */
  public boolean matches(String nodeId, Map<String, String> labels) {
    return switch (kind) {
      case ALL -> true;
      case IDS -> ids.contains(nodeId);
      case LABEL -> labelValue.equals(labels.get(labelName));
    };
  }

  /** The selector's text on the wire: empty, the comma-joined ids, or {@code name=value}. */
  public String text() {
    return switch (kind) {
      case ALL -> "";
      case IDS -> String.join(",", ids);
      case LABEL -> labelName + "=" + labelValue;
    };
  }

  /** The selector of a kind and its wire text; {@code IllegalArgumentException} says why not. */
  static TargetSelector fromWire(Kind kind, String text) {
    return switch (kind) {
      case ALL -> {
        if (!text.isEmpty()) {
          throw new IllegalArgumentException("target 'all' carries text");
        }
        yield ALL;
      }
      case IDS -> ids(Arrays.asList(text.split(",", -1)));
      case LABEL -> {
        int eq = text.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("label target without '='");
        }
        yield label(text.substring(0, eq), text.substring(eq + 1));
      }
    };
  }

  private void check() {
    if (kind == Kind.IDS) {
      if (ids.isEmpty()) {
        throw new IllegalArgumentException("no node ids");
      }
      for (String id : ids) {
        if (id.isEmpty() || id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES || id.contains(",")) {
          throw new IllegalArgumentException("node id '" + id + "' is empty, has a comma or is over "
              + MAX_ID_BYTES + " bytes");
        }
      }
    } else if (kind == Kind.LABEL) {
      if (labelName == null || labelName.isEmpty() || labelName.contains("=") || labelValue == null) {
        throw new IllegalArgumentException("a label target is name=value with a non-empty name");
      }
    }
    if (text().getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException("targets are over " + MAX_TEXT_BYTES + " bytes");
    }
  }

  @Override
  public String toString() {
    return kind == Kind.ALL ? "all" : text();
  }
}
