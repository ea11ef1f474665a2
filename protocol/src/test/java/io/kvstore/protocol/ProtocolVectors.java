package io.kvstore.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The hex test vectors of docs/PROTOCOL.md, parsed. Shared with other modules' tests. */
public final class ProtocolVectors {
  /** One vector: kind is "request" or "reply"; sent is the command a reply answers. */
  public record Vector(String kind, String name, String sent, byte[] bytes, String expected) {
    @Override
    public String toString() {
      return kind + " " + name;
    }
  }

  private ProtocolVectors() {}

  public static List<Vector> load() {
    Path doc = locate();
    List<Vector> vectors = new ArrayList<>();
    boolean inBlock = false;
    try {
      for (String line : Files.readAllLines(doc)) {
        if (line.startsWith("```vectors")) {
          inBlock = true;
        } else if (inBlock && line.startsWith("```")) {
          inBlock = false;
        } else if (inBlock && !line.isBlank() && !line.startsWith("#")) {
          String[] f = line.split("\\|");
          if (f.length != 5) {
            throw new IllegalStateException("bad vector line in " + doc + ": " + line);
          }
          vectors.add(
              new Vector(
                  f[0].trim(),
                  f[1].trim(),
                  f[2].trim(),
                  HexFormat.of().parseHex(f[3].trim()),
                  f[4].trim()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (vectors.isEmpty()) {
      throw new IllegalStateException("no ```vectors block in " + doc);
    }
    return vectors;
  }

  /** docs/PROTOCOL.md, found from any module's working directory. */
  private static Path locate() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("docs/PROTOCOL.md");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("docs/PROTOCOL.md not found above " + Path.of("").toAbsolutePath());
  }
}
