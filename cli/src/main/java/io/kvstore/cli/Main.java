package io.kvstore.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./kvstore}. */
@Command(
    name = "kvstore",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "KVStore: a distributed key-value store speaking a compact UDP protocol.",
      "",
      "Start a node:     ./kvstore node   (creates the secret data/cluster-secret)",
      "Add a node:       ./kvstore node --port 4001 --data-dir data2 \\",
      "                    --join 127.0.0.1:4000 \\",
      "                    --cluster-secret-file data/cluster-secret",
      "Start a cluster:  ./kvstore cluster --nodes 3",
      "Store and read:   ./kvstore put greeting hello && ./kvstore get greeting",
      "Measure:          ./kvstore bench --workload get",
      ""
    },
    subcommands = {
      NodeCommand.class,
      ClusterCommand.class,
      MonitorCommand.class,
      ClientCommands.Put.class,
      ClientCommands.Get.class,
      ClientCommands.Remove.class,
      ClientCommands.IsAlive.class,
      ClientCommands.Pid.class,
      ClientCommands.Members.class,
      ClientCommands.Shutdown.class,
      ClientCommands.Wipeout.class,
      BenchCommand.class,
      KeygenCommand.class,
      OpsCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = ExitCodes.HELP,
    commandListHeading = "%nCommands:%n")
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (used by tests too). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    HelpLayout.reflow(cli);
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("kvstore: " + ex.getMessage());
          ex.getCommandLine()
              .getErr()
              .println("Run './kvstore " + commandPath(ex.getCommandLine()) + " --help' for usage.");
          return ExitCodes.BAD_INPUT;
        });
    String unknown = unknownCommand(cli, args);
    if (unknown != null) {
      cli.getErr().println("kvstore: unknown command '" + unknown + "'" + suggestion(cli, unknown));
      cli.getErr().println("Run './kvstore --help' for the list of commands.");
      return ExitCodes.BAD_INPUT;
    }
    return cli.execute(args);
  }

  /**
   * The first argument if it is neither an option nor a command. Checked before parsing, because
   * picocli prints the top help and exits 0 for {@code UNKNOWN --help}: scripts would not notice.
   */
  private static String unknownCommand(CommandLine cli, String[] args) {
    if (args.length == 0 || args[0].startsWith("-") || cli.getSubcommands().containsKey(args[0])) {
      return null;
    }
    return args[0];
  }

  private static String suggestion(CommandLine cli, String unknown) {
    String lower = unknown.toLowerCase(java.util.Locale.ROOT);
    for (String name : cli.getSubcommands().keySet()) {
      if (name.startsWith(lower) || lower.startsWith(name) || editDistance(name, lower) <= 2) {
        return "; did you mean '" + name + "'?";
      }
    }
    return "";
  }

  private static int editDistance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1),
            diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length()];
  }

  private static String commandPath(CommandLine cl) {
    String name = cl.getCommandSpec().qualifiedName(" ");
    return name.startsWith("kvstore") ? name.substring("kvstore".length()).trim() : name;
  }
}
