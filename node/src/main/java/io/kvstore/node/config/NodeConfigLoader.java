package io.kvstore.node.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads a node's YAML configuration file over the embedded defaults. */
public final class NodeConfigLoader {
  /** Built on first use: a node started without a file never pays for loading Jackson. */
  private static final class Yaml {
    static final ObjectMapper MAPPER =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
  }

  private NodeConfigLoader() {}

  /** The defaults, overridden by the file if one is given (not yet validated). */
  public static NodeConfig load(Path file) {
    NodeConfig config = new NodeConfig();
    if (file == null) {
      return config;
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist or is not a file");
    }
    try {
      if (Files.size(file) == 0) {
        return config;
      }
      return Yaml.MAPPER.readerForUpdating(config).readValue(file.toFile());
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream().map(Object::toString).sorted()
              .collect(Collectors.joining(", "));
      throw new ConfigException(
          file + ": unknown field '" + e.getPropertyName() + "'" + location(e)
              + "; known fields: " + known);
    } catch (JsonMappingException e) {
      throw new ConfigException(
          file + ": invalid '" + fieldPath(e) + "'" + location(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + " is not valid YAML" + location(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
  }
}
