package io.kvstore.statusserver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code /api/ops} (every operation, per-node results without tails) and {@code
 * /api/ops/{id}} (one operation with each node's output tail). Streamed like {@link ApiJson}.
 */
final class OpsJson {
  private final JsonFactory factory = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  void operations(OutputStream out, List<OperationStatus> operations) throws IOException {
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.writeStartArray();
      for (OperationStatus op : operations) {
        write(json, op, false);
      }
      json.writeEndArray();
    }
  }

  void operation(OutputStream out, OperationStatus op) throws IOException {
    try (JsonGenerator json = factory.createGenerator(out)) {
      write(json, op, true);
    }
  }

  private static void write(JsonGenerator json, OperationStatus op, boolean tails) throws IOException {
    json.writeStartObject();
    json.writeStringField("id", op.id());
    json.writeStringField("kind", op.kind());
    json.writeStringField("targets", op.targets());
    json.writeStringField("firstSeen", op.firstSeen().toString());
    json.writeObjectFieldStart("counts");
    for (Map.Entry<String, Long> count : op.counts().entrySet()) {
      json.writeNumberField(count.getKey(), count.getValue());
    }
    json.writeEndObject();
    json.writeArrayFieldStart("nodes");
    for (OperationStatus.NodeResult n : op.nodes()) {
      json.writeStartObject();
      json.writeStringField("node", n.node());
      json.writeStringField("state", n.state());
      if (n.exit() >= 0) {
        json.writeNumberField("exit", n.exit());
      } else {
        json.writeNullField("exit");
      }
      json.writeNumberField("durationMillis", n.durationMillis());
      json.writeNumberField("truncatedBytes", n.truncatedBytes());
      json.writeStringField("updated", n.updated() == null ? null : n.updated().toString());
      if (tails) {
        json.writeStringField("tail", n.tail());
      }
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }
}
