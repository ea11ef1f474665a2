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
      "Start a node:        ./kvstore node",
      "Start a cluster:     ./kvstore cluster --nodes 3",
      "Store and read:      ./kvstore put greeting hello && ./kvstore get greeting",
      "Measure:             ./kvstore bench --workload get",
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
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("kvstore: " + ex.getMessage());
          ex.getCommandLine()
              .getErr()
              .println("Run './kvstore " + commandPath(ex.getCommandLine()) + " --help' for usage.");
          return ExitCodes.BAD_INPUT;
        });
    return cli.execute(args);
  }

  private static String commandPath(CommandLine cl) {
    String name = cl.getCommandSpec().qualifiedName(" ");
    return name.startsWith("kvstore") ? name.substring("kvstore".length()).trim() : name;
  }
}
