package io.kvstore.protocol;

/** Reply codes (DESIGN.md §2); docs/PROTOCOL.md is the authoritative list. */
public enum ResponseCode {
  SUCCESS(0x00, "success"),
  NOT_FOUND(0x01, "non-existent key"),
  OUT_OF_SPACE(0x02, "out of space"),
  OVERLOAD(0x03, "system overload"),
  INTERNAL_FAILURE(0x04, "internal failure"),
  UNRECOGNIZED_COMMAND(0x05, "unrecognized command"),
  INVALID_KEY(0x06, "invalid key (wrong length)"),
  INVALID_VALUE_LENGTH(0x07, "invalid value length"),
  MALFORMED(0x09, "malformed datagram"),
  NOT_PERMITTED(0x21, "not permitted"),
  REPLICAS_UNAVAILABLE(0x22, "replicas unavailable");

  private static final ResponseCode[] BY_CODE = new ResponseCode[256];

  static {
    for (ResponseCode c : values()) {
      BY_CODE[c.code] = c;
    }
  }

  public final int code;
  public final String description;

  ResponseCode(int code, String description) {
    this.code = code;
    this.description = description;
  }

  /** The response code for a byte, or null if the byte is not a known code. */
  public static ResponseCode fromCode(int code) {
    return code >= 0 && code < 256 ? BY_CODE[code] : null;
  }

  /** Error replies are rate-limited per source so two servers never ping-pong errors. */
  public boolean isError() {
    return this == UNRECOGNIZED_COMMAND
        || this == INVALID_KEY
        || this == INVALID_VALUE_LENGTH
        || this == MALFORMED;
  }

  @Override
  public String toString() {
    return String.format("0x%02X (%s)", code, description);
  }
}
