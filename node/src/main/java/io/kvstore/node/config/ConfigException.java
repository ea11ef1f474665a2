package io.kvstore.node.config;

/** A bad configuration value or file. The message names the field and says what is allowed. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }

  static ConfigException field(String field, String problem) {
    return new ConfigException("invalid '" + field + "': " + problem);
  }
}
