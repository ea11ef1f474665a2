package io.kvstore.cli;

/** Exit codes of every command, distinct so that scripts can tell outcomes apart. */
public final class ExitCodes {
  public static final int OK = 0;
  /** GET or REMOVE of a key that does not exist. */
  public static final int NOT_FOUND = 1;
  /** Bad command line, bad input, bad configuration. */
  public static final int BAD_INPUT = 2;
  /** The node did not answer (after all retries). */
  public static final int UNREACHABLE = 3;
  /** The node answered with an error (out of space, overload, not permitted, ...). */
  public static final int SERVER_ERROR = 4;
  /** Something failed inside this program or the node could not start. */
  public static final int FAILURE = 5;

  private ExitCodes() {}

  static final String HELP =
      "%nExit codes:%n  0 ok%n  1 key not found%n  2 bad input or configuration%n"
          + "  3 node unreachable%n  4 the node answered with an error%n"
          + "  5 failure (e.g. the node could not start)%n";
}
