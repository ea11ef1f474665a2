package io.kvstore.node.ops.run;

import io.kvstore.node.ops.codec.SignedOperation;
import java.util.regex.Pattern;

/**
 * One script to run on this node: what a verified, targeted operation asks of the runner.
 *
 * @param id the operation id, 32 lower-case hex digits (names the working directory)
 * @param kind {@code script}, or {@code file} for the then-script of a file push
 * @param targets the operation's target selector as text, for results
 * @param script the bash script (UTF-8 text)
 * @param timeoutMillis how long it may run before its process group is killed (the runner caps
 *     it at {@code max-timeout-ms})
 * @param expiresAtMillis the operation's expiry (wall clock): a task still waiting for a slot then
 *     never starts
 */
public record ScriptTask(
    String id, String kind, String targets, String script, long timeoutMillis, long expiresAtMillis) {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

  /** The script of a verified script operation. */
  public static ScriptTask of(SignedOperation op) {
    if (op.kind() != SignedOperation.Kind.SCRIPT) {
      throw new IllegalArgumentException("operation " + op.idHex() + " is a " + op.kind() + ", not a script");
    }
    return new ScriptTask(op.idHex(), "script", op.targets().toString(), op.bodyText(), op.timeoutMillis(),
        op.expiresAtMillis());
  }

  public ScriptTask {
    // The id becomes a directory name: nothing but hex may reach the file system.
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("operation id must be 32 lower-case hex digits: " + id);
    }
    if (script == null || kind == null || targets == null) {
      throw new IllegalArgumentException("script, kind and targets are required");
    }
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis);
    }
  }
}
