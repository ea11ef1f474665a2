package io.kvstore.cli;

import io.kvstore.node.config.ConfigException;
import picocli.CommandLine;

/** Turns exceptions escaping a command into one clear line and an exit code. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (ex instanceof CliException e) {
      cmd.getErr().println("kvstore: " + e.getMessage());
      return e.exitCode();
    }
    if (ex instanceof ConfigException
        || ex instanceof IllegalArgumentException
        || ex instanceof io.kvstore.node.transport.PortUnavailableException) {
      cmd.getErr().println("kvstore: " + ex.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    cmd.getErr().println("kvstore: " + ex);
    ex.printStackTrace(cmd.getErr());
    return ExitCodes.FAILURE;
  }
}
