package io.kvstore.cli;

import io.kvstore.client.KvClient;
import io.kvstore.client.KvClientConfig;
import io.kvstore.client.KvException;
import io.kvstore.client.KvResult;
import io.kvstore.client.KvTimeoutException;
import io.kvstore.client.Keys;
import io.kvstore.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The client commands: one request to one node each, with clear output and exit codes. */
final class ClientCommands {
  private ClientCommands() {}

  /** Options every client command shares. */
  static final class Target {
    @Option(
        names = "--node",
        paramLabel = "HOST:PORT",
        defaultValue = "127.0.0.1:4000",
        description = "Node to ask (default ${DEFAULT-VALUE}).")
    String node;

    @Option(
        names = "--timeout",
        paramLabel = "MS",
        defaultValue = "100",
        description = "First timeout in ms; doubles on each retry (default ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(
        names = "--retries",
        paramLabel = "N",
        defaultValue = "3",
        description = "Retries after the first attempt, same request id (default ${DEFAULT-VALUE}).")
    int retries;

    KvClient open() {
      if (timeoutMillis < 1) {
        throw new CliException(ExitCodes.BAD_INPUT, "--timeout must be at least 1 ms");
      }
      if (retries < 0) {
        throw new CliException(ExitCodes.BAD_INPUT, "--retries must be 0 or more");
      }
      try {
        return KvClient.open(
            KvClientConfig.builder()
                .node(node)
                .timeout(Duration.ofMillis(timeoutMillis))
                .retries(retries)
                .build());
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.BAD_INPUT, "--node " + node + ": " + e.getMessage());
      }
    }
  }

  /** A key: a string hashed with SHA-256, or 64 hex characters with --hex. */
  static final class KeyArg {
    @Parameters(index = "0", paramLabel = "KEY", description = "The key (hashed with SHA-256 to 32 bytes).")
    String key;

    @Option(names = "--hex", description = "KEY is the 32-byte key itself, as 64 hex characters.")
    boolean hex;

    byte[] bytes() {
      if (!hex) {
        return Keys.sha256(key);
      }
      try {
        return Keys.fromHex(key);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.BAD_INPUT, "bad --hex key: " + e.getMessage());
      }
    }
  }

  /** Runs one request and maps the outcome to output and an exit code. */
  abstract static class ClientCommand implements Callable<Integer> {
    @Mixin Target target;

    abstract KvResult send(KvClient client);

    /** Prints the successful result; returns the exit code. */
    abstract int onSuccess(KvResult result, PrintStream out);

    String what() {
      return getClass().getAnnotation(Command.class).name();
    }

    @Override
    public Integer call() {
      try (KvClient client = target.open()) {
        KvResult result = send(client);
        if (result.isSuccess()) {
          return onSuccess(result, System.out);
        }
        if (result.isNotFound()) {
          System.err.println("not found: the node has no such key");
          return ExitCodes.NOT_FOUND;
        }
        System.err.println(
            "kvstore: " + target.node + " answered " + result.describeCode() + hint(result.code()));
        return ExitCodes.SERVER_ERROR;
      } catch (KvTimeoutException e) {
        System.err.println("kvstore: " + e.getMessage());
        return ExitCodes.UNREACHABLE;
      } catch (KvException e) {
        System.err.println("kvstore: " + e.getMessage());
        return ExitCodes.FAILURE;
      }
    }

    private static String hint(int code) {
      return switch (code) {
        case 0x02 -> ": the node is at its quota or low on disk; remove keys or raise --max-keys/--max-bytes";
        case 0x03 -> ": the node is overloaded; retry later";
        case 0x21 -> ": run the command from an address in the node's --admin-from list";
        default -> "";
      };
    }
  }

  @Command(name = "put", description = "Store a value under a key.", mixinStandardHelpOptions = true,
      footer = ExitCodes.HELP)
  static final class Put extends ClientCommand {
    @Mixin KeyArg key;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "VALUE",
        description = "The value (UTF-8). Without it, --file or standard input is read.")
    String value;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the value from a file.")
    Path file;

    @Override
    KvResult send(KvClient client) {
      return client.blocking().put(key.bytes(), readValue());
    }

    private byte[] readValue() {
      if (value != null && file != null) {
        throw new CliException(ExitCodes.BAD_INPUT, "give VALUE or --file, not both");
      }
      byte[] bytes;
      try {
        if (value != null) {
          bytes = value.getBytes(StandardCharsets.UTF_8);
        } else if (file != null) {
          if (Files.size(file) > Wire.MAX_VALUE_LENGTH) {
            throw tooLong(Files.size(file));
          }
          bytes = Files.readAllBytes(file);
        } else {
          bytes = readLimited(System.in);
        }
      } catch (IOException e) {
        throw new CliException(ExitCodes.BAD_INPUT, "cannot read the value: " + e.getMessage());
      }
      if (bytes.length > Wire.MAX_VALUE_LENGTH) {
        throw tooLong(bytes.length);
      }
      return bytes;
    }

    private static byte[] readLimited(InputStream in) throws IOException {
      return in.readNBytes(Wire.MAX_VALUE_LENGTH + 1);
    }

    private static CliException tooLong(long length) {
      return new CliException(
          ExitCodes.BAD_INPUT,
          "the value is " + length + " bytes; a value is at most " + Wire.MAX_VALUE_LENGTH + " bytes");
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      return ExitCodes.OK;
    }
  }

  @Command(name = "get", description = "Print the value stored under a key (raw bytes).",
      mixinStandardHelpOptions = true, footer = ExitCodes.HELP)
  static final class Get extends ClientCommand {
    @Mixin KeyArg key;

    @Override
    KvResult send(KvClient client) {
      return client.blocking().get(key.bytes());
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      out.write(result.value(), 0, result.value().length);
      if (System.console() != null) {
        out.println(); // a newline for people, none for pipes
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "remove", description = "Delete a key.", mixinStandardHelpOptions = true,
      footer = ExitCodes.HELP)
  static final class Remove extends ClientCommand {
    @Mixin KeyArg key;

    @Override
    KvResult send(KvClient client) {
      return client.blocking().remove(key.bytes());
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      return ExitCodes.OK;
    }
  }

  @Command(name = "is-alive", description = "Check that a node answers.", mixinStandardHelpOptions = true,
      footer = ExitCodes.HELP)
  static final class IsAlive extends ClientCommand {
    @Override
    KvResult send(KvClient client) {
      return client.blocking().isAlive();
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      out.println(target.node + " is alive");
      return ExitCodes.OK;
    }
  }

  @Command(name = "pid", description = "Print a node's process id.", mixinStandardHelpOptions = true,
      footer = ExitCodes.HELP)
  static final class Pid extends ClientCommand {
    @Override
    KvResult send(KvClient client) {
      return client.blocking().getPid();
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      out.println(result.intValue());
      return ExitCodes.OK;
    }
  }

  @Command(name = "members",
      description = {"List a node's view of the cluster: id, address, state, incarnation, and the",
          "share of the key space each member replicates (RANGES, computed from the member list as",
          "the nodes place keys). With --monitor, also each node's keys, hints pending, read",
          "repairs sent and rebalancing progress, as the status server (./kvstore monitor) last",
          "collected them."},
      mixinStandardHelpOptions = true, footer = ExitCodes.HELP)
  static final class Members extends ClientCommand {
    @picocli.CommandLine.Option(names = "--monitor", paramLabel = "URL",
        description = "The status server's HTTP address, e.g. http://127.0.0.1:8080.")
    String monitor;

    @picocli.CommandLine.Option(names = "--replicas", defaultValue = "3",
        description = "The cluster's replication.n (default ${DEFAULT-VALUE}).")
    int replicas;

    @picocli.CommandLine.Option(names = "--virtual-nodes", defaultValue = "64",
        description = "The cluster's virtual-nodes (default ${DEFAULT-VALUE}).")
    int virtualNodes;

    private java.util.List<io.kvstore.client.MemberList.Entry> list;
    private io.kvstore.client.MemberList.Security security;

    @Override
    public Integer call() {
      if (replicas < 1 || replicas > 7 || virtualNodes < 1 || virtualNodes > 1024) {
        System.err.println("kvstore: --replicas must be 1 to 7 and --virtual-nodes 1 to 1024"
            + " (got " + replicas + " and " + virtualNodes + ")");
        return ExitCodes.BAD_INPUT;
      }
      return super.call();
    }

    @Override
    KvResult send(KvClient client) {
      KvResult count = client.blocking().membershipCount();
      if (count.isSuccess()) {
        try {
          security = client.blocking().memberPage(0).security();
          list = client.blocking().listAllMembers();
        } catch (KvException e) {
          System.err.println("(member list unavailable: " + e.getMessage() + ")");
        }
      }
      return count;
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      out.println(result.intValue() + " live member(s) in the view of " + target.node);
      if (list != null) {
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> stats = null;
        if (monitor != null) {
          try {
            stats = MemberOverview.statsFrom(monitor);
          } catch (java.io.IOException | IllegalArgumentException e) {
            System.err.println("(node stats unavailable from " + monitor + ": " + e.getMessage() + ")");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        MemberOverview.print(out, list,
            MemberOverview.replicaShares(list, virtualNodes, replicas), stats);
      }
      if (security != null && security.insecure()) {
        out.println("warning: this node runs --insecure: internal traffic is not authenticated");
      }
      if (security != null && security.rejectedInternalFrames() > 0) {
        out.println("warning: " + security.rejectedInternalFrames() + " internal frames rejected"
            + " (different cluster secret?). Every node needs the same --cluster-secret-file.");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "shutdown",
      description = {"Crash a node on purpose (it answers, then halts at once, as after kill -9).",
          "Accepted only from the node's --admin-from sources (default loopback)."},
      mixinStandardHelpOptions = true, footer = ExitCodes.HELP)
  static final class Shutdown extends ClientCommand {
    @Override
    KvResult send(KvClient client) {
      return client.blocking().shutdown();
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      out.println(target.node + " is shutting down");
      return ExitCodes.OK;
    }
  }

  @Command(name = "wipeout",
      description = {"Delete every key on a node.",
          "Accepted only from the node's --admin-from sources (default loopback)."},
      mixinStandardHelpOptions = true, footer = ExitCodes.HELP)
  static final class Wipeout extends ClientCommand {
    @Override
    KvResult send(KvClient client) {
      return client.blocking().wipeout();
    }

    @Override
    int onSuccess(KvResult result, PrintStream out) {
      out.println("every key on " + target.node + " was deleted");
      return ExitCodes.OK;
    }
  }
}
