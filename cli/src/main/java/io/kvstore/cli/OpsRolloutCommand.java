package io.kvstore.cli;

import io.kvstore.cli.ops.RollingRestart;
import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvException;
import io.kvstore.client.KvResult;
import io.kvstore.client.MemberList;
import io.kvstore.node.ops.codec.SignedOperation;
import io.kvstore.node.ops.codec.TargetSelector;
import io.kvstore.node.ops.files.FileManifest;
import io.kvstore.node.ops.keys.KeyFileException;
import io.kvstore.node.ops.keys.OperatorKey;
import io.kvstore.node.ops.keys.OperatorKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./kvstore ops rollout}: a rolling restart, one node at a time, each only after the
 * previous one is back, sees every member and answers reads (docs/OPERATIONS.md).
 */
@Command(
    name = "rollout",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    description = {
      "Restart every node, one at a time: each gets a signed operation that leaves",
      "DATA_DIR/restart-requested and stops it with SIGTERM; it stays a member (no leave, no",
      "streaming), exits 75, and its supervisor starts it again (./kvstore cluster does;",
      "systemd: RestartForceExitStatus=75). The next node starts only once the previous one",
      "answers as a new process, sees every member alive and answers reads, plus --settle for",
      "the hints the others kept for it. With --jar-name (--config-name) the supervisor starts",
      "the node on the jar (with the YAML config) that a file push put in ops/files before",
      "(./kvstore ops push NEW.jar --dest NAME). --jar FILE (--config FILE) does that push",
      "here first, under the file's own name; each node's restart then waits (up to 60 s) until",
      "its copy is there with FILE's SHA-256.",
      "",
      "Stops at the first node that is not back within --node-timeout, or when a member is",
      "not alive before a restart; the nodes after it are not touched.",
      ""
    },
    footer = ExitCodes.HELP)
final class OpsRolloutCommand implements Callable<Integer> {
  @Option(names = "--key", required = true, paramLabel = "KEYFILE",
      description = "Your operator private key (NAME.key from ./kvstore keygen).")
  Path keyFile;

  @Option(names = "--node", defaultValue = "127.0.0.1:4000", paramLabel = "HOST:PORT",
      description = "A node whose member list names the nodes to restart (default ${DEFAULT-VALUE}).")
  String node;

  @Option(names = "--jar-name", paramLabel = "NAME",
      description = "Start each node on ops/files/NAME (a jar pushed before with ./kvstore ops push).")
  String jarName;

  @Option(names = "--config-name", paramLabel = "NAME",
      description = "Start each node with --config ops/files/NAME (a .yaml or .yml pushed before with"
          + " ./kvstore ops push) in place of its config.")
  String configName;

  @Option(names = "--jar", paramLabel = "FILE",
      description = "Push FILE (a .jar) to every node first, then start each node on it.")
  Path jarFile;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Push FILE (a .yaml or .yml) to every node first, then start each node with it.")
  Path configFile;

  /** SHA-256 (hex) of each file pushed here, by name: a node restarts only on a copy that matches. */
  final java.util.Map<String, String> pushedHashes = new java.util.HashMap<>();

  /** How long a node's restart script waits for a file pushed here to arrive. */
  static final int PUSHED_FILE_WAIT_SECONDS = 60;

  @Option(names = "--node-timeout", defaultValue = "120s", converter = BenchCommand.DurationConverter.class,
      paramLabel = "DURATION", description = "How long one node may take to be back (default ${DEFAULT-VALUE}).")
  Duration nodeTimeout;

  @Option(names = "--settle", defaultValue = "6s", converter = BenchCommand.DurationConverter.class,
      paramLabel = "DURATION", description = "Wait after a node is back before the next"
          + " (default ${DEFAULT-VALUE}: hints are held 5 s before delivery).")
  Duration settle;

  /**
   * A config the nodes refuse would stop each node the rollout restarts (it exits 2 and stays
   * down), so it is read and validated here, with the node's own loader, before anything is pushed.
   */
  private static void checkConfig(Path file) {
    if (file == null) {
      return;
    }
    try {
      io.kvstore.node.config.NodeConfigLoader.load(file).validate();
    } catch (io.kvstore.node.config.ConfigException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "a node would refuse this config and stay down: "
          + e.getMessage() + "; nothing was pushed or restarted");
    }
  }

  @Override
  public Integer call() throws Exception {
    if ((jarFile != null && jarName != null) || (configFile != null && configName != null)) {
      throw new CliException(ExitCodes.BAD_INPUT, "give --jar or --jar-name, --config or --config-name, not both");
    }
    jarName = jarFile == null ? jarName : jarFile.getFileName().toString();
    configName = configFile == null ? configName : configFile.getFileName().toString();
    checkPushedName(jarFile == null ? "--jar-name" : "--jar", jarName, ".jar");
    checkPushedName(configFile == null ? "--config-name" : "--config", configName, ".yaml", ".yml");
    checkConfig(configFile);
    OperatorKey key;
    try {
      key = OperatorKeys.loadPrivate(keyFile);
    } catch (KeyFileException e) {
      throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
    }
    List<MemberList.Entry> members = members();
    push(jarFile);
    push(configFile);
    System.out.printf("rolling restart of %d nodes (%s, %s)%n", members.size(),
        jarName == null ? "same jar" : "onto ops/files/" + jarName,
        configName == null ? "same config" : "config ops/files/" + configName);
    RollingRestart rollout = new RollingRestart(m -> submitRestart(key, m), nodeTimeout, settle, System.out);
    try {
      rollout.run(members);
      return ExitCodes.OK;
    } catch (RollingRestart.RolloutStopped e) {
      System.err.println("kvstore: rollout stopped: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
  }

  private List<MemberList.Entry> members() {
    try (KvClient c = client(node)) {
      List<MemberList.Entry> all = c.blocking().listAllMembers();
      List<MemberList.Entry> notAlive = all.stream().filter(m -> !m.state().equals("alive")).toList();
      if (!notAlive.isEmpty()) {
        throw new CliException(ExitCodes.FAILURE, "not every member is alive in the view of " + node
            + " (" + notAlive.stream().map(m -> m.id() + " " + m.state()).toList()
            + "); a rolling restart starts only on a healthy cluster");
      }
      return all.stream().sorted(Comparator.comparing(MemberList.Entry::id)).toList();
    } catch (KvException e) {
      throw new CliException(ExitCodes.UNREACHABLE, node + " did not list its members: " + e.getMessage());
    }
  }

  /** {@code ./kvstore ops push FILE --dest its name} to --node (null: nothing to push). */
  private void push(Path file) {
    if (file == null) {
      return;
    }
    pushedHashes.put(file.getFileName().toString(), sha256(file));
    int exit = Main.execute("ops", "push", file.toString(), "--dest", file.getFileName().toString(),
        "--key", keyFile.toString(), "--node", node);
    if (exit != ExitCodes.OK) {
      throw new CliException(exit, "the push of " + file + " failed; no node was restarted");
    }
  }

  private static String sha256(Path file) {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (java.io.IOException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "cannot read " + file + ": " + e.getMessage());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A pushed file's name (null: option not given): one a file push can write, with a suffix. */
  private static void checkPushedName(String option, String name, String... suffixes) {
    if (name == null) {
      return;
    }
    try {
      FileManifest.checkName(name); // the names a file push can have written
    } catch (FileManifest.InvalidManifestException e) {
      throw new CliException(ExitCodes.BAD_INPUT, option + ": " + e.getMessage());
    }
    if (java.util.Arrays.stream(suffixes).noneMatch(name::endsWith)) {
      throw new CliException(ExitCodes.BAD_INPUT, option + " " + name + ": not a " + String.join(" or ", suffixes));
    }
  }

  /**
   * The script each node runs: leave the request (atomically; one line per file to start with,
   * RestartRequest), then SIGTERM its own node. A named file missing on the node fails the script
   * before anything is requested.
   */
  String script() {
    String jar = jarName == null ? "" : "$KVSTORE_FILES_DIR/" + jarName;
    String config = configName == null ? "" : "$KVSTORE_FILES_DIR/" + configName;
    return String.join("\n",
        "set -eu",
        present(jar, pushedHashes.get(jarName), PUSHED_FILE_WAIT_SECONDS),
        present(config, pushedHashes.get(configName), PUSHED_FILE_WAIT_SECONDS),
        "node_pid=$PPID  # the runner starts bash as a direct child of the node's JVM",
        "[ \"$(cat /proc/$node_pid/comm)\" = java ] || { echo \"parent $node_pid is not the node\" >&2; exit 4; }",
        "printf '%s\\n' \"" + jar + "\" \"" + config + "\" > \"$KVSTORE_DATA_DIR/restart-requested.tmp\"",
        "mv \"$KVSTORE_DATA_DIR/restart-requested.tmp\" \"$KVSTORE_DATA_DIR/restart-requested\"",
        "kill -TERM \"$node_pid\"",
        "echo \"restart requested of node $KVSTORE_NODE_ID (pid $node_pid)\"",
        "");
  }

  /**
   * Bash that exits 3 unless {@code file} is on the node; with {@code sha256} (a file pushed by
   * this rollout, possibly still arriving) it waits up to {@code seconds} for a copy with that hash,
   * so that neither a missing file nor an older one of the same name is started.
   */
  static String present(String file, String sha256, int seconds) {
    if (file.isEmpty()) {
      return "";
    }
    if (sha256 == null) {
      return "[ -f \"" + file + "\" ] || { echo \"no " + file + " on this node\" >&2; exit 3; }";
    }
    return "for i in $(seq 1 " + seconds + "); do [ -f \"" + file + "\" ] && [ \"$(sha256sum < \"" + file
        + "\" | cut -c1-64)\" = " + sha256 + " ] && break; [ \"$i\" = " + seconds + " ] && { echo \"no " + file
        + " with SHA-256 " + sha256 + " on this node after " + seconds + " s\" >&2; exit 3; }; sleep 1; done";
  }

  private String submitRestart(OperatorKey key, MemberList.Entry member) {
    long now = System.currentTimeMillis();
    SignedOperation op = SignedOperation.builder(new SecureRandom(), now)
        .expiresAt(now + Math.max(60_000, nodeTimeout.toMillis()))
        .targets(TargetSelector.ids(List.of(member.id())))
        .timeoutMillis((pushedHashes.isEmpty() ? 0 : PUSHED_FILE_WAIT_SECONDS * 1000) + 30_000)
        .script(script())
        .sign(key);
    String address = member.address().getAddress().getHostAddress() + ":" + member.address().getPort();
    try (KvClient c = client(address)) {
      KvResult r = c.blocking().submitOperation(op.id(), op.encoded());
      if (!r.isSuccess()) {
        String reason = r.value() == null ? r.describeCode() : new String(r.value(), StandardCharsets.UTF_8);
        throw new CliException(ExitCodes.SERVER_ERROR, member.id() + " refused the restart operation: "
            + reason + OpsRunCommand.hint(reason, key));
      }
    }
    return "operation " + op.idHex8();
  }

  private static KvClient client(String hostPort) {
    try {
      return KvClient.open(KvClientConfig.builder().node(hostPort).timeout(Duration.ofMillis(300))
          .retries(3).build());
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "--node " + hostPort + ": " + e.getMessage());
    }
  }
}
