package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvException;
import io.kvstore.client.KvResult;
import io.kvstore.client.KvTimeoutException;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.codec.TargetSelector;
import io.kvstore.node.ops.keys.KeyFileException;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./kvstore ops run SCRIPT}: sign a script and hand it to one node, which spreads it. */
@Command(
    name = "run",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Sign SCRIPT with your operator key and submit it to one node; it spreads to every node",
      "and each node the targets name runs it once: 'bash' in DATA_DIR/ops/work/ID, in a process",
      "group of its own, with a minimal environment (PATH, HOME, LANG, KVSTORE_OP_ID,",
      "KVSTORE_NODE_ID, KVSTORE_DATA_DIR, KVSTORE_FILES_DIR), killed with its children at the",
      "timeout. Prints the operation id; './kvstore ops status ID' shows the results.",
      "",
      "Example:  ./kvstore ops run rotate.sh --key alice.key --targets rack=r1",
      ""
    },
    footer = ExitCodes.HELP)
final class OpsRunCommand implements Callable<Integer> {
  /** The script travels in one frame with the rest of the operation. */
  static final int MAX_SCRIPT_BYTES = SignedOperation.MAX_BODY_BYTES;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SCRIPT", description = "The bash script file to run (at most 8 KiB).")
  Path script;

  @Option(names = "--key", required = true, paramLabel = "KEYFILE",
      description = "Your operator private key (NAME.key from ./kvstore keygen).")
  Path keyFile;

  @Option(names = "--targets", defaultValue = "all", paramLabel = "TARGETS",
      description = "Which nodes run it: all, ID,ID,... (node ids) or NAME=VALUE (the nodes with that label; default ${DEFAULT-VALUE}).")
  String targets;

  @Option(names = "--timeout", defaultValue = "60s", converter = BenchCommand.DurationConverter.class,
      paramLabel = "DURATION", description = "How long it may run on a node before its process group is killed"
          + " (default ${DEFAULT-VALUE}; nodes cap it at ops.max-timeout-ms).")
  Duration timeout;

  @Option(names = "--expires", defaultValue = "10m", converter = BenchCommand.DurationConverter.class,
      paramLabel = "DURATION", description = "How long nodes accept it, also nodes that were down"
          + " (default ${DEFAULT-VALUE}; at most the nodes' ops.max-ttl-ms, 1 h by default).")
  Duration expires;

  @Option(names = "--node", defaultValue = "127.0.0.1:4000", paramLabel = "HOST:PORT",
      description = "The node to submit to (default ${DEFAULT-VALUE}); any node will do.")
  String node;

  @Override
  public Integer call() {
    String text = readScript();
    OperatorKey key = loadKey();
    SignedOperation op = sign(key, text);
    KvClientConfig config;
    try {
      config = KvClientConfig.builder().node(node).timeout(Duration.ofMillis(200)).retries(3).build();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "--node " + node + ": " + e.getMessage());
    }
    try (KvClient client = KvClient.open(config)) {
      KvResult result = client.blocking().submitOperation(op.id(), op.encoded());
      if (result.isSuccess()) {
        var out = spec.commandLine().getOut();
        out.println(op.idHex());
        out.flush();
        System.err.println("accepted by " + node + ", spreading to " + (targets.equals("all") ? "every node" : targets)
            + "; results: ./kvstore ops status " + op.idHex8() + " --monitor HOST:PORT --wait");
        return ExitCodes.OK;
      }
      String reason = result.value() == null ? "" : new String(result.value(), StandardCharsets.UTF_8);
      System.err.println("kvstore: " + node + " refused the operation: "
          + (reason.isEmpty() ? result.describeCode() : reason + hint(reason, key)));
      return ExitCodes.SERVER_ERROR;
    } catch (KvTimeoutException e) {
      System.err.println("kvstore: " + e.getMessage());
      return ExitCodes.UNREACHABLE;
    } catch (KvException e) {
      System.err.println("kvstore: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
  }

  private String readScript() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(script);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "no script file " + script);
    } catch (IOException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "cannot read script " + script + ": " + e.getMessage());
    }
    if (bytes.length == 0) {
      throw new CliException(ExitCodes.BAD_INPUT, "script " + script + " is empty");
    }
    if (bytes.length > MAX_SCRIPT_BYTES) {
      throw new CliException(ExitCodes.BAD_INPUT, "script " + script + " is " + bytes.length + " bytes; at most "
          + MAX_SCRIPT_BYTES + " fit one operation. Push a larger one as a file (./kvstore ops push FILE"
          + " --then 'bash \"$KVSTORE_FILES_DIR/NAME\"') ");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (!Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
      throw new CliException(ExitCodes.BAD_INPUT, "script " + script + " is not UTF-8 text");
    }
    return text;
  }

  private OperatorKey loadKey() {
    try {
      return OperatorKeys.loadPrivate(keyFile);
    } catch (KeyFileException e) {
      throw new CliException(ExitCodes.BAD_INPUT, e.getMessage()
          + (keyFile.toString().endsWith(".pub") ? " (--key takes the private NAME.key, not NAME.pub)" : ""));
    }
  }

  private SignedOperation sign(OperatorKey key, String text) {
    if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new CliException(ExitCodes.BAD_INPUT, "--timeout must be between 1 ms and 24 days, not " + timeout);
    }
    if (expires.toMillis() < 1000) {
      throw new CliException(ExitCodes.BAD_INPUT, "--expires must be at least 1 s, not " + expires);
    }
    TargetSelector selector;
    try {
      selector = TargetSelector.parse(targets);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "--targets " + targets + ": " + e.getMessage());
    }
    long now = System.currentTimeMillis();
    try {
      return SignedOperation.builder(new SecureRandom(), now)
          .expiresAt(now + expires.toMillis())
          .targets(selector)
          .timeoutMillis((int) timeout.toMillis())
          .script(text)
          .sign(key);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "cannot build the operation: " + e.getMessage());
    }
  }

  /** What to do about a refusal, in the words of the setting involved. */
  static String hint(String reason, OperatorKey key) {
    return switch (reason) {
      case "disabled" -> ": operations are disabled on this node: add your public key ("
          + key.name() + ".pub) to ops.trusted-keys in its config and restart it";
      case "untrusted-key" -> ": the node does not trust key " + key.name() + " (fingerprint "
          + OperatorKeys.fingerprintHex(key.publicKey()) + "): add " + key.name() + ".pub to its ops.trusted-keys";
      case "bad-signature" -> ": the signature does not match the key the node trusts under this"
          + " fingerprint: is " + key.name() + ".pub on the node the public half of this key?";
      case "expired", "not-yet-valid" -> ": this machine's clock and the node's disagree; check both"
          + " (the node allows ops.max-clock-skew-ms)";
      case "ttl-too-long" -> ": --expires is longer than the node's ops.max-ttl-ms; use a shorter --expires";
      case "issued-before-start" -> ": the node runs with --memory and keeps no replay memory across"
          + " restarts, so it refuses operations issued before its start plus ops.max-clock-skew-ms;"
          + " run again after that, or run nodes with a data directory (the default)";
      case "replayed" -> ": the node already has an operation with this id";
      case "table-full" -> ": the node holds ops.max-active operations; wait until some expire";
      case "store-failed" -> ": the node could not record the operation on disk (is its data dir full?)";
      case "malformed" -> ": the node could not read the operation (are the CLI and node versions the same?)";
      default -> "";
    };
  }
}
