package io.kvstore.cli;

import io.kvstore.node.ops.keys.KeyFileException;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./kvstore keygen}: an operator's Ed25519 key pair for fleet operations. */
@Command(
    name = "keygen",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Write an operator key pair for fleet operations (./kvstore ops ...).",
      "",
      "--out DIR/NAME writes DIR/NAME.key (the private key, mode 0600: whoever holds it can run",
      "scripts on every node that trusts it) and DIR/NAME.pub (one line 'kvstore-ed25519 BASE64",
      "NAME'). Nodes trust the public key through 'trusted-keys' in the 'ops:' section of their",
      "config, as a path to the .pub file or as the line itself. An existing file is not",
      "overwritten unless --force.",
      "",
      "Example:  ./kvstore keygen --out ~/.kvstore/alice",
      ""
    },
    footer = ExitCodes.HELP)
public final class KeygenCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR/NAME",
      description = "Where to write NAME.key and NAME.pub (NAME: up to 64 letters, digits, '-', '_', '.').")
  Path out;

  @Option(names = "--force", description = "Replace existing key files.")
  boolean force;

  @Override
  public Integer call() {
    String name = out.getFileName() == null ? "" : out.getFileName().toString();
    try {
      OperatorKey key = OperatorKeys.generate(name);
      OperatorKeys.save(key, out, force);
      var stdout = spec.commandLine().getOut();
      stdout.println("private key: " + OperatorKeys.privateFile(out) + " (mode 0600; keep it secret)");
      stdout.println("public key:  " + OperatorKeys.publicFile(out));
      stdout.println("fingerprint: " + HexFormat.of().formatHex(key.fingerprint()));
      stdout.println("Nodes trust it with, in their config:  ops: { trusted-keys: [ "
          + OperatorKeys.publicFile(out).toAbsolutePath() + " ] }");
      stdout.flush();
      return ExitCodes.OK;
    } catch (KeyFileException e) {
      throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
    }
  }
}
