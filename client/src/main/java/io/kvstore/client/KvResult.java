package io.kvstore.client;

import io.kvstore.protocol.Command;
import io.kvstore.protocol.ResponseCode;
import java.util.Arrays;

/**
 * A node's answer to one request. The code is kept raw so that codes this client does not know can
 * still be shown.
 *
 * @param command the command that was sent
 * @param code the response code byte
 * @param value the value of a successful GET, otherwise null
 * @param intValue the number carried by a successful GET_PID or GET_MEMBERSHIP_COUNT, otherwise 0
 */
public record KvResult(Command command, int code, byte[] value, int intValue) {

  /** The response code, or null when this client does not know the code. */
  public ResponseCode responseCode() {
    return ResponseCode.fromCode(code);
  }

  public boolean isSuccess() {
    return code == ResponseCode.SUCCESS.code;
  }

  public boolean isNotFound() {
    return code == ResponseCode.NOT_FOUND.code;
  }

  /** The code as hex with its meaning, e.g. {@code 0x01 (non-existent key)}. */
  public String describeCode() {
    ResponseCode known = responseCode();
    return known != null ? known.toString() : String.format("0x%02X (unknown code)", code);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KvResult r
        && command == r.command
        && code == r.code
        && Arrays.equals(value, r.value)
        && intValue == r.intValue;
  }

  @Override
  public int hashCode() {
    return (command.hashCode() * 31 + code) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return command
        + " -> "
        + describeCode()
        + (value != null ? ", " + value.length + " value bytes" : "")
        + (intValue != 0 ? ", " + intValue : "");
  }
}
