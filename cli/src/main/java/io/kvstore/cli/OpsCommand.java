package io.kvstore.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code ./kvstore ops}: signed fleet operations (docs/OPERATIONS.md). */
@Command(
    name = "ops",
    mixinStandardHelpOptions = true,
    description = {
      "Fleet operations: a script signed with your operator key spreads to every node that",
      "trusts the key; each targeted node runs it with bash and reports the result.",
      "",
      "  ./kvstore keygen --out ~/.kvstore/alice        (once; nodes trust alice.pub)",
      "  ./kvstore ops run fix.sh --key ~/.kvstore/alice.key --targets all",
      "  ./kvstore ops status ID --monitor 127.0.0.1:8080 --wait",
      "  ./kvstore ops push app.jar --dest app.jar --key ~/.kvstore/alice.key",
      ""
    },
    subcommands = {OpsRunCommand.class, OpsStatusCommand.class, OpsPushCommand.class, OpsRolloutCommand.class},
    footer = ExitCodes.HELP,
    commandListHeading = "%nCommands:%n")
final class OpsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
