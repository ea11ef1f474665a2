package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvResult;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.codec.TargetSelector;
import io.kvstore.node.ops.files.FileChunking;
import io.kvstore.node.ops.files.FileManifest;
import io.kvstore.node.ops.files.FileOpId;
import io.kvstore.node.ops.keys.KeyFileException;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./kvstore ops push FILE --dest NAME}: a signed file operation, then its upload. */
@Command(
    name = "push",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Push a file to the nodes: it is cut into 1 MiB chunks (SHA-256 each) under a manifest",
      "signed with the operator key; the operation spreads to every node, the chunks are uploaded",
      "to --node, and the nodes fetch them from each other, verify each, and write the file",
      "atomically to DATA_DIR/ops/files/NAME; then the optional --then script runs there.",
      "",
      "Example:",
      "  ./kvstore ops push app.jar --dest app.jar --key ~/.kvstore/alice.key \\",
      "      --then 'cp \"$KVSTORE_FILES_DIR/app.jar\" /opt/app/' --monitor 127.0.0.1:8080",
      ""
    },
    footer = ExitCodes.HELP)
public final class OpsPushCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to push.")
  Path file;

  @Option(names = "--dest", required = true, paramLabel = "NAME",
      description = "File name under ops/files on each node: 1-128 of [A-Za-z0-9._-], no '..'.")
  String dest;

  @Option(names = "--then", paramLabel = "SCRIPT",
      description = "A bash script (text, or @PATH to read it) run on each node once the file is written.")
  String then;

  @Option(names = "--key", required = true, paramLabel = "KEYFILE", description = "The operator's private key.")
  Path keyFile;

  @Option(names = "--node", defaultValue = "127.0.0.1:4000", paramLabel = "HOST:PORT",
      description = "The node that takes the operation and the upload (default ${DEFAULT-VALUE}).")
  String node;

  @Option(names = "--targets", defaultValue = "all", paramLabel = "all|ID,...|label=value",
      description = "Which nodes write the file (default ${DEFAULT-VALUE}); --node need not be one of them.")
  String targets;

  @Option(names = "--expires", defaultValue = "30m", paramLabel = "DURATION",
      description = "How long nodes may still fetch it, e.g. 10m, 1h (default ${DEFAULT-VALUE}).")
  String expires;

  @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
      description = "Timeout of the --then script (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--monitor", paramLabel = "HOST:PORT",
      description = "Status server: show how many nodes have written the file, until all have.")
  String monitor;

  @Option(names = "--wait", defaultValue = "5m", paramLabel = "DURATION",
      description = "With --monitor: how long to wait for every node (default ${DEFAULT-VALUE}).")
  String waitFor;

  @Option(names = "--window", defaultValue = "64", paramLabel = "N", hidden = true,
      description = "Pieces in flight during the upload.")
  int window;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String script = thenScript();
    // Everything but the file first: hashing a large file takes a while, and a mistake in the
    // options should not be found only after it.
    Signing signing = signing();
    FileChunking.Described described;
    try {
      described = FileChunking.describe(file, dest, FileManifest.CHUNK_SIZE, script);
    } catch (FileManifest.InvalidManifestException e) {
      throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
    } catch (IOException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "cannot read " + file + ": " + e.getMessage());
    }
    FileManifest manifest = described.manifest();
    SignedOperation op = signing.sign(manifest);
    FileOpId id = FileOpId.of(op.id());
    try (KvClient client = KvClient.open(KvClientConfig.builder().node(node).timeout(Duration.ofMillis(200))
        .retries(4).build())) {
      KvResult submitted = client.submitOperation(op.id(), op.encoded()).get();
      if (!submitted.isSuccess()) {
        throw new CliException(ExitCodes.FAILURE, "the node refused the operation: " + reason(submitted));
      }
      out.println("operation " + op.idHex() + ": " + dest + ", " + manifest.size() + " bytes, "
          + manifest.chunkCount() + " chunks");
      out.flush();
      ProgressBar bar = new ProgressBar(err, "upload", manifest.size());
      new FileUploader(client::opsChunk, window).upload(id, manifest, described.chunkHashes(), file, bar::update);
      bar.done();
    } catch (FileUploader.UploadException e) {
      throw new CliException(ExitCodes.FAILURE, e.getMessage());
    } catch (ExecutionException e) {
      throw new CliException(ExitCodes.UNREACHABLE, "no answer from " + node + ": " + e.getCause().getMessage());
    }
    if (monitor != null) {
      return new FileArrivals(monitor, dest, id.shortHex(), TargetSelector.parse(targets), err).await(Durations.parse(waitFor, "--wait"));
    }
    out.println("uploaded; nodes report the file as ops.files." + dest + " in their status");
    out.flush();
    return ExitCodes.OK;
  }

  /** The key, targets and validity, checked: what signs the manifest once the file is described. */
  private record Signing(OperatorKey key, TargetSelector targets, long expiresMillis, int timeoutMillis) {
    SignedOperation sign(FileManifest manifest) {
      long now = System.currentTimeMillis();
      try {
        return SignedOperation.builder(new SecureRandom(), now).expiresAt(now + expiresMillis)
            .timeoutMillis(timeoutMillis).targets(targets).file(manifest.encode()).sign(key);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
      }
    }
  }

  private Signing signing() {
    long timeoutMillis = Durations.parse(timeout, "--timeout").toMillis();
    if (timeoutMillis < 1 || timeoutMillis > Integer.MAX_VALUE) {
      // (int) of a larger one wrapped: 1200h became about 7 h, 1000h a negative timeout
      throw new CliException(ExitCodes.BAD_INPUT, "--timeout must be between 1 ms and 24 days, not " + timeout);
    }
    long expiresMillis = Durations.parse(expires, "--expires").toMillis();
    if (expiresMillis < 1000) {
      throw new CliException(ExitCodes.BAD_INPUT, "--expires must be at least 1 s, not " + expires);
    }
    OperatorKey key;
    try {
      key = OperatorKeys.loadPrivate(keyFile);
    } catch (KeyFileException e) {
      throw new CliException(ExitCodes.BAD_INPUT, e.getMessage()
          + (keyFile.toString().endsWith(".pub") ? " (--key takes the private NAME.key, not NAME.pub)" : ""));
    }
    TargetSelector selector;
    try {
      selector = TargetSelector.parse(targets);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "--targets: " + e.getMessage());
    }
    return new Signing(key, selector, expiresMillis, (int) timeoutMillis);
  }

  private String thenScript() {
    if (then == null) {
      return "";
    }
    if (!then.startsWith("@")) {
      return then;
    }
    try {
      return Files.readString(Path.of(then.substring(1)), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "cannot read --then " + then + ": " + e.getMessage());
    }
  }

  static String reason(KvResult result) {
    return result.value() == null || result.value().length == 0
        ? result.describeCode() : new String(result.value(), StandardCharsets.UTF_8);
  }

}
